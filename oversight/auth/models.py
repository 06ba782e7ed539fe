"""User accounts and their roles."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oversight.core.encryption import EncryptedString
from oversight.core.models import VersionedMixin
from oversight.core.types import UTCDateTime
from oversight.extensions import db


def new_session_token() -> str:
    return secrets.token_hex(16)


class User(UserMixin, VersionedMixin, db.Model):
    """A person who signs in. The email is stored lower-cased and is unique."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    language: Mapped[str] = mapped_column(String(2), nullable=False, default="ja")
    is_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    # Rotated when the password changes or the account is disabled, which ends
    # every session signed in with the old value (it is part of get_id()).
    session_token: Mapped[str] = mapped_column(String(32), nullable=False, default=new_session_token)
    failed_login_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The second factor (TOTP, RFC 6238; docs/sessions.md): the base32 secret once enrolment is confirmed
    # (encrypted at rest: the column holds its Fernet token, oversight.core.encryption), and the last time
    # step a code was accepted for, so that a code is never accepted twice.
    totp_secret: Mapped[str | None] = mapped_column(EncryptedString)
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # Company sign-in (OpenID Connect): the provider's stable subject identifier, per issuer.
    oidc_issuer: Mapped[str | None] = mapped_column(String(255))
    oidc_subject: Mapped[str | None] = mapped_column(String(255))

    # Loaded on demand: the signed-in user gets them joined (``services.load_user``) and user lists ask
    # for them (``admin.services.user_query``); the owners, managers and auditors shown on other pages
    # don't need them (loading them eagerly cost every such page one more query).
    role_links: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="UserRole.role"
    )

    __table_args__ = (UniqueConstraint("oidc_issuer", "oidc_subject"),)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"

    @property
    def has_second_factor(self) -> bool:
        return self.totp_enrolled_at is not None

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_enabled

    def get_id(self) -> str:  # Flask-Login
        return f"{self.id}:{self.session_token}"

    @property
    def roles(self) -> list[str]:
        return [link.role for link in self.role_links]

    def has_role(self, *roles: str) -> bool:
        """True when the user holds at least one of ``roles``."""
        return any(link.role in roles for link in self.role_links)

    def is_locked_at(self, moment: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > moment


class UserRole(db.Model):
    """One role held by one user: for the whole group (``unit_id`` NULL) or in one business unit and the
    units below it (docs/units.md)."""

    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("business_units.id", ondelete="CASCADE"), index=True)

    user: Mapped[User] = relationship(back_populates="role_links")

    def __repr__(self) -> str:
        return f"<UserRole {self.user_id} {self.role}>"


TOKEN_READ = "read"
TOKEN_WRITE = "write"
TOKEN_SCOPES = (TOKEN_READ, TOKEN_WRITE)


class AccessToken(db.Model):
    """A personal access token for the JSON API (``/api/v1``): only its SHA-256 is stored, the token
    itself is shown once. It acts as its owner, limited to reading (``read``) or not (``write``)."""

    __tablename__ = "access_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    # The token's first characters, shown in the lists so that its owner can tell which one is which.
    prefix: Mapped[str] = mapped_column(String(12), nullable=False)
    scope: Mapped[str] = mapped_column(String(10), nullable=False, default=TOKEN_READ)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")

    def __repr__(self) -> str:
        return f"<AccessToken {self.id} {self.prefix} {self.scope}>"

    @property
    def may_write(self) -> bool:
        return self.scope == TOKEN_WRITE

    def is_usable_at(self, moment: datetime) -> bool:
        """Not revoked, not expired, and its owner's account enabled."""
        return self.revoked_at is None and self.expires_at > moment and self.user.is_enabled
class RecoveryCode(db.Model):
    """One single-use recovery code of a user's second factor, stored as its SHA-256 (the codes are random)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    code_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<RecoveryCode {self.user_id} used={self.used_at is not None}>"

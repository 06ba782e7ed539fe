"""Personal access tokens for the JSON API: created by their owner, shown once, stored as SHA-256,
limited in scope and time, revocable by their owner or an administrator (docs/api.md)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select

from oversight.activity import services as activity
from oversight.auth.models import TOKEN_SCOPES, AccessToken, User
from oversight.core.errors import RuleError
from oversight.extensions import db

TOKEN_PREFIX = "ovt_"
# The choices of lifetime offered; a token never lives longer than a year.
LIFETIME_DAYS = (7, 30, 90, 365)
# ``last_used_at`` is written at most this often, so that reading the API does not write on every request.
LAST_USED_PRECISION = timedelta(minutes=1)
SCOPE_LABELS = {"read": _l("Read only"), "write": _l("Read and write")}


class TokenRuleError(RuleError):
    """A token step the rules refuse."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    user: User, *, name: str, scope: str, days: int, actor: User, now: datetime
) -> tuple[AccessToken, str]:
    """A new token for ``user``; returns the record and the token itself (shown once, never stored)."""
    if scope not in TOKEN_SCOPES:
        raise TokenRuleError(_l("Choose what the token may do."))
    if days not in LIFETIME_DAYS:
        raise TokenRuleError(_l("Choose how long the token stays valid."))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = AccessToken(
        user_id=user.id, name=name.strip(), token_hash=hash_token(secret), prefix=secret[:12], scope=scope,
        created_at=now, expires_at=now + timedelta(days=days),
    )
    db.session.add(record)
    db.session.flush()
    activity.record(
        "access_token.create", actor=actor, target=record, summary=f"{user.email}: {record.name} ({scope})",
        changes={"scope": [None, scope], "expires_at": [None, record.expires_at.isoformat()]},
    )
    return record, secret


def revoke_token(token: AccessToken, *, actor: User, now: datetime) -> None:
    """Stop a token at once; revoking a revoked token is refused."""
    if token.revoked_at is not None:
        raise TokenRuleError(_l("This token was already revoked."))
    token.revoked_at = now
    token.revoked_by_id = actor.id
    activity.record("access_token.revoke", actor=actor, target=token, summary=f"{token.user.email}: {token.name}")


def token_for(secret: str | None, *, now: datetime) -> AccessToken | None:
    """The usable token whose secret is ``secret`` (noting that it was used), or None."""
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    token = db.session.scalar(db.select(AccessToken).where(AccessToken.token_hash == hash_token(secret)))
    if token is None or not token.is_usable_at(now):
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        token.last_used_at = now
    return token


def tokens_of(user: User) -> list[AccessToken]:
    """The user's tokens, newest first (revoked and expired ones too, for the record)."""
    query = db.select(AccessToken).where(AccessToken.user_id == user.id).order_by(AccessToken.id.desc())
    return list(db.session.scalars(query))


def all_tokens() -> Select:
    """Every token with its owner, newest first (the administrators' list)."""
    return db.select(AccessToken).order_by(AccessToken.id.desc())


def token_state(token: AccessToken, now: datetime) -> str:
    """``revoked``, ``expired`` or ``active``: what the lists show for a token."""
    if token.revoked_at is not None:
        return "revoked"
    return "expired" if token.expires_at <= now else "active"

"""Account rules: sign-in with lockout, the password policy, user administration."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, Select, bindparam, func, update
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from oversight.activity import services as activity
from oversight.auth.models import User, UserRole, new_session_token
from oversight.auth.passwords import hash_password, password_hash_method, verify_password
from oversight.core.editing import apply_changes, plain
from oversight.core.timeutil import utcnow
from oversight.extensions import db

# Compared against when the email is unknown, so a failed sign-in takes as long
# whether or not the account exists; one per hash method.
_DUMMY_HASHES: dict[str, str] = {}


def _dummy_hash() -> str:
    method = password_hash_method()
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = hash_password("not-a-real-password-for-timing")
    return _DUMMY_HASHES[method]


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    """The user with this email, compared case-insensitively."""
    return db.session.scalar(db.select(User).where(func.lower(User.email) == normalise_email(email)))


def authenticate(email: str, password: str, *, now: datetime) -> User | None:
    """Check a sign-in attempt; count failures and lock the account after too many.

    Returns the user on success. Every outcome is written to the activity log.
    """
    user = find_by_email(email)
    if user is None:
        verify_password(_dummy_hash(), password)
        activity.record("auth.login_failed", summary=normalise_email(email)[:200])
        return None
    if user.is_locked_at(now):
        verify_password(user.password_hash, password)  # same time as any other refusal
        activity.record("auth.login_locked", actor=user, target=user, summary=user.email)
        return None
    if not verify_password(user.password_hash, password) or not user.is_enabled:
        _count_failure(user, now)
        return None
    record_sign_in(user, now=now)
    return user


def record_sign_in(user: User, *, now: datetime, how: str = "") -> None:
    """A successful sign-in (password or company account): clear failures, note the time, log it."""
    _record_sign_in_state(user, failed_login_count=0, locked_until=None, last_login_at=now)
    activity.record("auth.login", actor=user, target=user, summary=f"{user.email} ({how})" if how else user.email)


def _record_sign_in_state(user: User, **values: object) -> None:
    """Sign-in bookkeeping (failures, lockout, last sign-in), written without raising the row's edit version.

    An administrator's open edit form of this user stays valid when the user signs in (the form edits
    none of these columns); the values also reach the loaded ``user`` without marking it changed.
    """
    db.session.execute(update(User.__table__).where(User.__table__.c.id == user.id).values(**values))
    for name, value in values.items():
        set_committed_value(user, name, value)


def _count_failure(user: User, now: datetime) -> None:
    config = current_app.config
    failures = user.failed_login_count + 1
    activity.record("auth.login_failed", actor=user, target=user, summary=user.email)
    if failures < config["LOCKOUT_THRESHOLD"]:
        _record_sign_in_state(user, failed_login_count=failures)
    else:
        _record_sign_in_state(
            user, failed_login_count=0, locked_until=now + timedelta(minutes=config["LOCKOUT_MINUTES"])
        )
        activity.record(
            "auth.lockout",
            actor=user,
            target=user,
            summary=user.email,
            changes={"locked_until": [None, plain(user.locked_until)]},
        )


def sign_out(user: User) -> None:
    """End every session of ``user``, on every computer, and every remember-me cookie; log the sign-out.

    A signed cookie cannot be recalled from the browsers that hold it (or from whoever copied it),
    so the session token they carry is replaced instead: ``load_user`` refuses the old one. Written
    without raising the row's edit version, like the sign-in bookkeeping.
    """
    _record_sign_in_state(user, session_token=new_session_token())
    activity.record("auth.logout", actor=user, target=user, summary=user.email)


def record_remember_sign_in(user: User) -> None:
    """Log that the remember-me cookie signed ``user`` in again, into a new session."""
    activity.record("auth.remember_login", actor=user, target=user, summary=user.email)


def record_remember_refused(user: User) -> None:
    """Log that a remember-me cookie of ``user`` was refused (their roles may not stay signed in)."""
    activity.record("auth.remember_refused", actor=user, target=user, summary=user.email)


def create_user(
    *, email: str, name: str, password: str, roles: list[str], language: str, actor: User | None
) -> User:
    """Add an account; the caller has validated the password against the policy."""
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        language=language,
        password_hash=hash_password(password),
        is_enabled=True,
        role_links=[UserRole(role=role) for role in sorted(set(roles))],
    )
    db.session.add(user)
    db.session.flush()
    activity.record(
        "user.create",
        actor=actor,
        target=user,
        summary=user.email,
        changes={
            "email": [None, user.email],
            "name": [None, user.name],
            "language": [None, user.language],
            "roles": [None, user.roles],
        },
    )
    return user


def update_user(
    user: User, *, email: str, name: str, language: str, roles: list[str], is_enabled: bool, actor: User
) -> dict[str, list]:
    """Change an account's details, roles and enabled flag; returns the changes logged."""
    old_roles = user.roles
    changes = apply_changes(
        user,
        {"email": normalise_email(email), "name": name.strip(), "language": language, "is_enabled": is_enabled},
    )
    new_roles = sorted(set(roles))
    if new_roles != old_roles:
        user.role_links = [link for link in user.role_links if link.role in new_roles] + [
            UserRole(role=role) for role in new_roles if role not in old_roles
        ]
        changes["roles"] = [old_roles, new_roles]
        # Roles live in their own table; touching the user row raises its version too,
        # so a form opened before this change is refused as stale.
        user.updated_at = utcnow()
    if ("is_enabled" in changes and not is_enabled) or "roles" in changes:
        # Every session and remember-me cookie of the user ends: a disabled user is out at once, and
        # after a role change the user signs in again under the new roles' session policy.
        user.session_token = new_session_token()
    if changes:
        activity.record("user.update", actor=actor, target=user, summary=user.email, changes=changes)
    return changes


def set_password(user: User, password: str, *, actor: User, now: datetime) -> None:
    """Replace the password, clear any lockout and end the user's other sessions."""
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    user.session_token = new_session_token()
    user.failed_login_count = 0
    user.locked_until = None
    action = "user.password_change" if actor is user else "user.password_reset"
    activity.record(action, actor=actor, target=user, summary=user.email)


def set_language(user: User, language: str) -> None:
    """Remember the user's UI language."""
    changes = apply_changes(user, {"language": language})
    if changes:
        activity.record("user.language", actor=user, target=user, summary=user.email, changes=changes)


# What a layer above reads in the statement that loads the signed-in user, so that every request needs no
# statement of its own for it: (the column, what to do with the value read). The business units register
# their tree (``oversight.units.requests``). The value is read afresh on every request: nothing is kept.
_READ_WITH_USER: list[tuple[Callable[[], ColumnElement], Callable[[Any], None]]] = []


def read_with_user(column: Callable[[], ColumnElement], receive: Callable[[Any], None]) -> None:
    """Read ``column()`` (a scalar subquery) with every signed-in user and hand its value to ``receive``."""
    if (column, receive) not in _READ_WITH_USER:
        _READ_WITH_USER.append((column, receive))


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the id must carry the current session token."""
    raw_id, _, token = user_id.partition(":")
    if not raw_id.isdigit():
        return None
    readers = tuple(_READ_WITH_USER)
    row = db.session.execute(_user_statement(readers), {"user_id": int(raw_id)}).unique().first()
    if row is None or row[0].session_token != token:
        return None
    for (_column, receive), value in zip(readers, row[1:], strict=True):
        receive(value)
    return row[0]


@lru_cache(maxsize=8)
def _user_statement(readers: tuple[tuple[Callable[[], ColumnElement], Callable[[Any], None]], ...]) -> Select:
    """The statement loading the signed-in user, the user's id bound as ``user_id``: roles joined (every page
    asks the signed-in user's roles: navigation, permissions) and what the layers above read with the user
    (``readers``: :func:`read_with_user`), in one statement. Built once per process and set of readers: it
    holds no data but the bound id, and building it and computing its cache key cost every request (the
    bare route's largest part) more than running it."""
    return (
        db.select(User, *(column() for column, _receive in readers))
        .where(User.id == bindparam("user_id"))
        .options(joinedload(User.role_links))
    )


def role_holder_ids(session: Session, role: str) -> frozenset[int]:
    """The ids of the enabled users holding ``role`` (reminder recipients, escalations)."""
    query = (
        db.select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == role, User.is_enabled.is_(True))
    )
    return frozenset(session.scalars(query))


def selectable_users(*, role: str | None = None, keep: Iterable[int | None] = ()) -> list[User]:
    """The users a form's choices offer, by name: enabled ones (holding ``role`` when given), plus the
    users in ``keep`` whatever they are now, so that a record being edited keeps showing the person it
    names (a disabled owner, a former auditor). The one query behind every user dropdown."""
    offered = User.is_enabled.is_(True)
    if role is not None:
        offered = offered & db.select(UserRole.user_id).where(
            UserRole.user_id == User.id, UserRole.role == role
        ).exists()
    kept = {user_id for user_id in keep if user_id}
    condition = db.or_(offered, User.id.in_(kept)) if kept else offered
    return list(db.session.scalars(db.select(User).where(condition).order_by(User.name, User.id)))

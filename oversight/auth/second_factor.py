"""The second factor: TOTP (RFC 6238) with single-use recovery codes (docs/sessions.md).

A code is accepted for the current 30-second step or the one before or after it (clock drift), and
only for a step later than the last one accepted: a code seen over someone's shoulder, or sent twice,
is refused. The recovery codes are random (50 bits each), so a SHA-256 of each is enough to store.
The secret itself is kept encrypted (``users.totp_secret`` holds its Fernet token, oversight.core.encryption);
:func:`rotate_secrets` encrypts every stored one again with the first key after a key rotation.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
import segno
from cryptography.fernet import InvalidToken
from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from oversight.activity import services as activity
from oversight.auth.models import RecoveryCode, User, new_session_token
from oversight.core import encryption
from oversight.core.errors import RuleError
from oversight.extensions import db

ISSUER = "Oversight"
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
DRIFT_STEPS = 1


class SecondFactorError(RuleError):
    """A code or recovery code the rules refuse."""


def new_secret() -> str:
    return pyotp.random_base32()


def seal_pending(secret: str) -> str:
    """The secret being set up, as the Fernet token the session keeps: the session cookie is signed, not
    encrypted, so the browser holds only the token, never the secret (the keys of the columns at rest)."""
    return encryption.encrypt(secret)


def open_pending(token: object) -> str | None:
    """The secret in a :func:`seal_pending` token, or None: no token, or one no key opens any more (a key dropped
    since, or a cookie from before the secret was sealed); the user then scans a new secret."""
    if not isinstance(token, str):
        return None
    try:
        return encryption.decrypt(token)
    except (InvalidToken, UnicodeError):
        return None


def provisioning_uri(user: User, secret: str, issuer: str = ISSUER) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """The ``otpauth://`` address as an inline SVG QR code, drawn here (nothing is fetched)."""
    return segno.make(uri, error="m").svg_inline(scale=4, title="QR", dark="#000", light="#fff")


def _write(user: User, **values: object) -> None:
    """Factor bookkeeping, written without raising the row's edit version (like the sign-in state)."""
    db.session.execute(update(User.__table__).where(User.__table__.c.id == user.id).values(**values))
    for name, value in values.items():
        set_committed_value(user, name, value)


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step within the drift window whose code is ``code``, or None."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.strip().lower().replace("-", "").replace(" ", "").encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash_code(raw)))
    return codes


def confirm_enrolment(user: User, secret: str, code: str, *, now: datetime) -> list[str]:
    """Turn the factor on once the user proved their app shows the right code; returns the recovery codes.

    :raises SecondFactorError: the code is not the one for now, or a factor is already on.
    """
    if user.has_second_factor:
        raise SecondFactorError(_l("A second factor is already set up for this account."))
    step = _matching_step(secret, code, now)
    if step is None:
        activity.record("auth.second_factor_failed", actor=user, target=user, summary=user.email)
        raise SecondFactorError(_l("The code is not correct. Enter the 6 digits your app shows now."))
    _write(user, totp_secret=secret, totp_enrolled_at=now, totp_last_step=step)
    codes = _new_recovery_codes(user)
    activity.record("auth.second_factor_enrolled", actor=user, target=user, summary=user.email)
    return codes


def verify(user: User, code: str, *, now: datetime, purpose: str = "sign-in") -> None:
    """Check a code (6 digits) or a recovery code of ``user``; every outcome goes to the activity log.

    :raises SecondFactorError: wrong, replayed or already-used code.
    """
    if not user.has_second_factor:
        raise SecondFactorError(_l("No second factor is set up for this account."))
    compact = "".join(code.split())
    if compact.isdigit():
        step = _matching_step(user.totp_secret or "", compact, now)
        if step is not None and _claim_step(user, step):
            activity.record("auth.second_factor", actor=user, target=user, summary=f"{user.email} ({purpose})")
            return
        replayed = step is not None
    else:
        if _use_recovery_code(user, compact, now):
            activity.record(
                "auth.recovery_code_used", actor=user, target=user,
                summary=f"{user.email} ({purpose}); {remaining_recovery_codes(user)} left",
            )
            return
        replayed = False
    activity.record(
        "auth.second_factor_failed", actor=user, target=user,
        summary=f"{user.email} ({purpose}{', replayed code' if replayed else ''})",
    )
    if replayed:
        raise SecondFactorError(_l("This code was already used. Wait for the next code in your app."))
    raise SecondFactorError(_l("The code is not correct."))


def _claim_step(user: User, step: int) -> bool:
    """Record ``step`` as the last one used, unless it (or a later one) was used already — also by a request
    running at the same moment: the row is updated only while its stored step is earlier."""
    table = User.__table__
    result = db.session.execute(
        update(table)
        .where(table.c.id == user.id, db.or_(table.c.totp_last_step.is_(None), table.c.totp_last_step < step))
        .values(totp_last_step=step)
    )
    if result.rowcount != 1:
        return False
    set_committed_value(user, "totp_last_step", step)
    return True


def _use_recovery_code(user: User, code: str, now: datetime) -> bool:
    row = db.session.scalar(
        db.select(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash_code(code), RecoveryCode.used_at.is_(None)
        )
    )
    if row is None:
        return False
    # Marked used only if nobody marked it first (two browsers sending the same code at once).
    result = db.session.execute(
        update(RecoveryCode).where(RecoveryCode.id == row.id, RecoveryCode.used_at.is_(None)).values(used_at=now)
    )
    return result.rowcount == 1


def remaining_recovery_codes(user: User) -> int:
    return db.session.scalar(
        db.select(db.func.count()).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def reset(user: User, *, actor: User) -> None:
    """An administrator turns a user's factor off (a lost phone): the user enrols again at the next sign-in."""
    if not user.has_second_factor:
        raise SecondFactorError(_l("No second factor is set up for this account."))
    # Every session of the user ends too: whoever holds the lost phone may hold a signed-in browser.
    _write(user, totp_secret=None, totp_enrolled_at=None, totp_last_step=None, session_token=new_session_token())
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    activity.record("auth.second_factor_reset", actor=actor, target=user, summary=user.email)


def rotate_secrets() -> int:
    """Encrypt every secret kept encrypted (the TOTP secrets, the webhook secrets: every ``EncryptedString``
    column) again with the first key (``SECRET_ENCRYPTION_KEYS``), so that the keys after it can be dropped;
    the number of secrets. Logged once, by the system (the caller commits).

    :raises cryptography.fernet.InvalidToken: a secret no key opens (a key was dropped too early).
    """
    counts = encryption.rotate_all(db.session, db.metadata)
    activity.record("auth.secrets_rotated", summary=", ".join(f"{name}: {n}" for name, n in counts.items()))
    return sum(counts.values())

"""Password hashing and the password policy."""

from __future__ import annotations

from functools import lru_cache

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 12


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def password_hash_method() -> str:
    """werkzeug's scrypt, unless the configuration names another method (the tests use a fast one)."""
    return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"


def hash_password(password: str) -> str:
    """A salted hash with :func:`password_hash_method`."""
    return generate_password_hash(password, method=password_hash_method())


def verify_password(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)


def policy_errors(password: str, email: str | None = None) -> list[str]:
    """What is wrong with ``password`` under the policy; an empty list when it passes."""
    errors = []
    if len(password) < MIN_LENGTH:
        errors.append(_l("Use at least %(count)d characters.", count=MIN_LENGTH))
    lowered = password.lower()
    if email and (lowered == email.lower() or lowered == email.split("@")[0].lower()):
        errors.append(_l("Do not use your email address as the password."))
    if lowered in _common_passwords() or _is_repetitive(lowered):
        errors.append(_l("This password is too common or too easy to guess."))
    return [str(error) for error in errors]


def _is_repetitive(password: str) -> bool:
    return len(set(password)) <= 2

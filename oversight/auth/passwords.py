"""Password hashing and the password policy (NIST SP 800-63B: length, a blocklist, a strength estimate)."""

from __future__ import annotations

import re
from functools import lru_cache

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 12
# One limit for setting a password and for signing in with it, so nobody can set one they cannot use
# (NIST asks for at least 64; 72 is also the longest that zxcvbn estimates).
MAX_LENGTH = 72
# zxcvbn's score: 3 = "safely unguessable" (about 10^8 guesses or more); below it a password is built
# from common words, keyboard rows, sequences, repeats or the user's own name and address.
MIN_SCORE = 3


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


def policy_errors(password: str, email: str | None = None, name: str | None = None) -> list[str]:
    """What is wrong with ``password`` under the policy; an empty list when it passes.

    At least ``MIN_LENGTH`` and at most ``MAX_LENGTH`` characters, not the user's address, not a
    common password, and strong enough by zxcvbn's estimate, which also knows keyboard rows
    (``qwertyuiopas``), sequences (``123456789012``), repeats (``abcabcabcabc``), common words
    (``iloveyou1234``, ``passwordpassword``) and the user's own name and address.
    """
    errors = []
    if len(password) < MIN_LENGTH:
        errors.append(_l("Use at least %(count)d characters.", count=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        errors.append(_l("Use at most %(count)d characters.", count=MAX_LENGTH))
        return [str(error) for error in errors]
    lowered = password.lower()
    if email and (lowered == email.lower() or lowered == email.split("@")[0].lower()):
        errors.append(_l("Do not use your email address as the password."))
    elif lowered in _common_passwords() or _is_repetitive(lowered) or _score(password, email, name) < MIN_SCORE:
        errors.append(_l("This password is too common or too easy to guess."))
    return [str(error) for error in errors]


def _score(password: str, email: str | None, name: str | None) -> int:
    local = (email or "").split("@")[0]
    hints = [part for part in (email, local, *re.split(r"[._+\-]", local), name, *(name or "").split()) if part]
    return int(zxcvbn(password, user_inputs=hints)["score"])


def _is_repetitive(password: str) -> bool:
    return len(set(password)) <= 2

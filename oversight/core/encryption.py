"""Secrets kept encrypted at rest: the second factor's TOTP secrets (``users.totp_secret``; docs/sessions.md) and
the webhook endpoints' signing secrets (``webhook_endpoints.secret``; docs/api.md): every column of type
:class:`EncryptedString`.

Fernet (AES-128-CBC with an HMAC-SHA256, from ``cryptography``) under a ``MultiFernet``: the first key encrypts,
every key decrypts. The keys are ``SECRET_ENCRYPTION_KEYS`` (comma-separated Fernet keys, the newest first),
then a key derived from ``SECRET_KEY`` with HKDF-SHA256; without ``SECRET_ENCRYPTION_KEYS`` the derived key
does both. Rotation: put a new key first in ``SECRET_ENCRYPTION_KEYS``, restart, run
``flask users rotate-secrets`` (every stored secret of every such column encrypted again with the first key), then
drop the old key.

:class:`EncryptedString` is the column type: the model's attribute holds the plain value, the column only the
token (a new random one on every write, so the column is never compared with a value in SQL).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import String, bindparam, column, select, table, update
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from oversight.config import encryption_keys

HKDF_INFO = b"oversight: secrets at rest"


def derived_key(secret_key: str) -> bytes:
    """The Fernet key derived from ``SECRET_KEY`` (HKDF-SHA256, 32 bytes)."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(secret_key.encode())
    return base64.urlsafe_b64encode(key)


def box(config: Mapping[str, Any] | None = None) -> MultiFernet:
    """The keys of ``config`` (the app's by default): the listed ones, then the one derived from SECRET_KEY."""
    config = current_app.config if config is None else config
    return _box(tuple(encryption_keys(config.get("SECRET_ENCRYPTION_KEYS"))), config["SECRET_KEY"])


@lru_cache(maxsize=8)
def _box(listed: tuple[str, ...], secret_key: str) -> MultiFernet:
    """Built once per process and set of keys (the user row is read on every request)."""
    keys = [key.encode() for key in listed] + [derived_key(secret_key)]
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(plain: str, config: Mapping[str, Any] | None = None) -> str:
    return box(config).encrypt(plain.encode()).decode("ascii")


def decrypt(token: str, config: Mapping[str, Any] | None = None) -> str:
    """:raises cryptography.fernet.InvalidToken: no key opens ``token`` (a key dropped too early)."""
    return box(config).decrypt(token.encode("ascii")).decode()


def rotate(token: str, config: Mapping[str, Any] | None = None) -> str:
    """``token`` encrypted again with the first key."""
    return box(config).rotate(token.encode("ascii")).decode("ascii")


class EncryptedString(TypeDecorator):
    """A short secret, stored as its Fernet token (a 64-character value takes a 184-character token)."""

    impl = String(255)
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect) -> str | None:
        return None if value is None else encrypt(value)

    def process_result_value(self, value: str | None, dialect) -> str | None:
        return None if value is None else decrypt(value)


def rotate_all(session: Session, metadata) -> dict[str, int]:
    """Every stored value of every :class:`EncryptedString` column in ``metadata`` encrypted again with the first
    key, so that the keys after it can be dropped; the number of values per ``table.column`` (the caller commits).

    :raises cryptography.fernet.InvalidToken: a value no key opens (a key was dropped too early).
    """
    counts: dict[str, int] = {}
    for source in metadata.sorted_tables:
        columns = [col for col in source.columns if isinstance(col.type, EncryptedString)]
        if not columns:
            continue
        (key,) = source.primary_key.columns  # a table with a secret has one id column
        for encrypted in columns:
            stored = table(source.name, column(key.name), column(encrypted.name))  # untyped: the tokens as stored
            id_of, token_of = stored.c[key.name], stored.c[encrypted.name]
            rows = session.execute(select(id_of, token_of).where(token_of.is_not(None))).all()
            rotated = [{"row_id": row[0], "token": rotate(row[1])} for row in rows]
            if rotated:
                session.execute(
                    update(stored).where(id_of == bindparam("row_id")).values({encrypted.name: bindparam("token")}),
                    rotated,
                )
            counts[f"{source.name}.{encrypted.name}"] = len(rotated)
    return counts

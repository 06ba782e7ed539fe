"""Revision 5e2b7c9d4a18 encrypts the second factor's secrets already stored, and decrypts them on downgrade."""

from __future__ import annotations

import flask_migrate
import pyotp
from cryptography.fernet import Fernet
from sqlalchemy import text

from oversight import create_app
from oversight.config import TestConfig as AppConfig
from oversight.core import encryption
from oversight.extensions import db
from tests.migrations.test_data_not_sentences import _insert

BEFORE, REVISION = "c833731c569f", "5e2b7c9d4a18"


def test_upgrade_encrypts_the_stored_secrets_and_downgrade_decrypts_them(tmp_path):
    key = Fernet.generate_key()
    app = create_app(AppConfig(f"sqlite:///{tmp_path / 'secrets.db'}", SECRET_ENCRYPTION_KEYS=key.decode()))
    secret = pyotp.random_base32()
    with app.app_context():
        try:
            flask_migrate.upgrade(revision=BEFORE)
            with db.engine.begin() as conn:
                _insert(conn, "users", id=1, email="a@example.com", totp_secret=secret)
                _insert(conn, "users", id=2, email="b@example.com", totp_secret=None)
            flask_migrate.upgrade(revision=REVISION)

            def stored() -> dict:
                with db.engine.connect() as conn:
                    return dict(conn.execute(text("SELECT id, totp_secret FROM users ORDER BY id")).all())

            encrypted = stored()
            assert encrypted[2] is None and secret not in encrypted[1]
            assert Fernet(key).decrypt(encrypted[1].encode()).decode() == secret  # the first key's
            assert encryption.decrypt(encrypted[1]) == secret
            flask_migrate.downgrade(revision=BEFORE)
            assert stored() == {1: secret, 2: None}
        finally:
            db.session.remove()
            db.engine.dispose()

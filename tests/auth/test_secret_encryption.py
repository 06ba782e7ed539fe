"""The second factor's secrets are encrypted at rest (oversight/core/encryption.py): the column holds a Fernet
token, never the secret; codes still verify after the keys rotate (``flask users rotate-secrets``)."""

from __future__ import annotations

import time

import pyotp
import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import text

from oversight.activity.models import ActivityLog
from oversight.auth import second_factor
from oversight.auth.models import User
from oversight.config import ConfigError
from oversight.config import TestConfig as AppConfig
from oversight.core import encryption
from oversight.core.timeutil import utcnow
from oversight.extensions import db


def _code(secret: str, offset_steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)


def _stored(user_id: int) -> str:
    """The column as the database holds it (no type in between)."""
    return db.session.execute(text("SELECT totp_secret FROM users WHERE id = :id"), {"id": user_id}).scalar_one()


def _enrolled(app, make_user) -> tuple[int, str]:
    manager = make_user("manager")
    secret = pyotp.random_base32()
    with app.app_context():
        second_factor.confirm_enrolment(db.session.get(User, manager.id), secret, _code(secret, -1), now=utcnow())
        db.session.commit()
    return manager.id, secret


def _verify(app, user_id: int, code: str) -> None:
    with app.app_context():
        second_factor.verify(db.session.get(User, user_id), code, now=utcnow())
        db.session.commit()


def test_the_column_never_holds_the_plain_secret(app, make_user):
    user_id, secret = _enrolled(app, make_user)
    with app.app_context():
        stored = _stored(user_id)
        assert secret not in stored and stored != secret
        assert Fernet(encryption.derived_key(app.config["SECRET_KEY"])).decrypt(stored.encode()).decode() == secret
        assert db.session.get(User, user_id).totp_secret == secret  # the model reads it decrypted
    _verify(app, user_id, _code(secret))


def test_codes_verify_after_the_keys_rotate(app, make_user, monkeypatch):
    user_id, secret = _enrolled(app, make_user)  # under the key derived from SECRET_KEY
    new_key, newer_key = Fernet.generate_key(), Fernet.generate_key()

    monkeypatch.setitem(app.config, "SECRET_ENCRYPTION_KEYS", new_key.decode())
    result = app.test_cli_runner().invoke(args=["users", "rotate-secrets"])
    assert result.exit_code == 0 and "Encrypted 1 " in result.output, result.output
    with app.app_context():
        assert Fernet(new_key).decrypt(_stored(user_id).encode()).decode() == secret
        assert db.session.scalar(db.select(ActivityLog.summary).where(ActivityLog.action == "auth.secrets_rotated"))
    # The old SECRET_KEY can go now: the listed key alone opens the secret, and its codes verify.
    monkeypatch.setitem(app.config, "SECRET_KEY", "another-secret-key")
    _verify(app, user_id, _code(secret))

    monkeypatch.setitem(app.config, "SECRET_ENCRYPTION_KEYS", f"{newer_key.decode()}, {new_key.decode()}")
    assert app.test_cli_runner().invoke(args=["users", "rotate-secrets"]).exit_code == 0
    monkeypatch.setitem(app.config, "SECRET_ENCRYPTION_KEYS", newer_key.decode())  # the old key dropped
    with app.app_context():
        assert Fernet(newer_key).decrypt(_stored(user_id).encode()).decode() == secret
        with pytest.raises(InvalidToken):
            Fernet(new_key).decrypt(_stored(user_id).encode())
    _verify(app, user_id, _code(secret, 1))


def test_a_key_that_is_not_a_fernet_key_is_refused_at_start(tmp_path, monkeypatch):
    config = AppConfig(SECRET_ENCRYPTION_KEYS=f"{Fernet.generate_key().decode()},not-a-key")
    with pytest.raises(ConfigError, match="key 2 is not a Fernet key"):
        config.finalise(tmp_path)

"""The password policy, changing one's own password and ``flask users create``."""

import pytest

from oversight.activity.models import ActivityLog
from oversight.auth import services
from oversight.auth.models import User
from oversight.auth.passwords import policy_errors
from oversight.extensions import db

GOOD_PASSWORD = "plum-lantern-harbour-91"


@pytest.mark.parametrize(
    "password, email",
    [
        ("short-1", None),
        ("elevenchars", None),
        ("tanaka.hanako@example.com", "tanaka.hanako@example.com"),
        ("TANAKA.HANAKO@EXAMPLE.COM", "tanaka.hanako@example.com"),
        ("tanaka.hanako", "tanaka.hanako@example.com"),
        ("password1234", None),
        ("aaaaaaaaaaaaaaaa", None),
        # issue #17 item 3: accepted before
        ("abcabcabcabc", None),
        ("123456789012", None),
        ("passwordpassword", None),
        ("qwertyuiopas", None),
        ("iloveyou1234", None),
        ("x" * 70 + "-Kp9#vQ2w", None),  # longer than the sign-in form accepts
    ],
)
def test_policy_refuses_weak_passwords(app_ctx, password, email):
    assert policy_errors(password, email)


def test_policy_accepts_a_long_uncommon_password(app_ctx):
    assert policy_errors(GOOD_PASSWORD, "tanaka@example.com") == []
    assert policy_errors("kp9-vq2w-lantern", None) == []


def test_the_longest_password_allowed_can_sign_in(client, make_user, app):
    """One limit for setting and for signing in: no password can be set that the sign-in form refuses."""
    from oversight.auth.passwords import MAX_LENGTH

    longest = ("plum-lantern-harbour-91-" * 4)[:MAX_LENGTH]
    assert policy_errors(longest, None) == []
    assert policy_errors(longest + "x", None)
    user = make_user("viewer")
    with app.app_context():
        row = db.session.get(User, user.id)
        services.set_password(row, longest, actor=row, now=row.created_at)
        db.session.commit()
    assert client.post("/auth/login", data={"email": user.email, "password": longest}).status_code == 302


def test_change_password(client, login_as, app):
    user = login_as("viewer")
    response = client.post(
        "/auth/password",
        data={"current_password": user.password, "new_password": GOOD_PASSWORD, "confirm_password": GOOD_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 200, "the session that changed the password stays signed in"
    client.post("/auth/logout")
    assert client.post("/auth/login", data={"email": user.email, "password": user.password}).status_code == 200
    assert client.post("/auth/login", data={"email": user.email, "password": GOOD_PASSWORD}).status_code == 302
    with app.app_context():
        actions = list(db.session.scalars(db.select(ActivityLog.action)))
        assert "user.password_change" in actions
        assert db.session.get(User, user.id).password_changed_at is not None


def test_change_password_ends_other_sessions(app, login_as):
    user = login_as("viewer")
    other = app.test_client()
    response = other.post("/auth/login", data={"email": user.email, "password": user.password})
    assert response.status_code == 302
    with app.app_context():
        row = db.session.get(User, user.id)
        services.set_password(row, GOOD_PASSWORD, actor=row, now=row.created_at)
        db.session.commit()
    assert other.get("/dashboard").status_code == 302


@pytest.mark.parametrize(
    "current, new, confirm, message",
    [
        ("wrong-current-password", GOOD_PASSWORD, GOOD_PASSWORD, "現在のパスワードが正しくありません"),
        (None, "short", "short", "12"),
        (None, "password1234", "password1234", "推測"),
        (None, GOOD_PASSWORD, GOOD_PASSWORD + "x", "一致しません"),
    ],
)
def test_change_password_refusals(client, login_as, app, current, new, confirm, message):
    user = login_as("viewer")
    response = client.post(
        "/auth/password",
        data={"current_password": current or user.password, "new_password": new, "confirm_password": confirm},
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user.id).password_changed_at is None


def test_change_password_refuses_own_email(client, make_user, login):
    user = make_user("viewer", email="kimura.sachiko@example.com")
    login(user)
    response = client.post(
        "/auth/password",
        data={"current_password": user.password, "new_password": user.email, "confirm_password": user.email},
    )
    assert response.status_code == 200
    assert "メールアドレス" in response.get_data(as_text=True)


def _create(app, *args, password=GOOD_PASSWORD):
    runner = app.test_cli_runner()
    return runner.invoke(args=["users", "create", *args], input=password + "\n")


def test_cli_creates_an_admin(app):
    result = _create(app, "--email", "First.Admin@example.com", "--name", "最初の管理者", "--role", "admin")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = services.find_by_email("first.admin@example.com")
        assert user is not None
        assert user.roles == ["admin"]
        assert user.email == "first.admin@example.com"
        assert services.authenticate(user.email, GOOD_PASSWORD, now=user.created_at) is user
        log = db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "user.create"))
        assert log.actor_id is None
        assert log.changes["email"] == [None, "first.admin@example.com"]


def test_cli_takes_several_roles(app):
    result = _create(app, "--email", "m@example.com", "--name", "M", "--role", "manager", "--role", "auditor")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert services.find_by_email("m@example.com").roles == ["auditor", "manager"]


@pytest.mark.parametrize("password", ["short", "password1234", "weak.admin@example.com", ""])
def test_cli_refuses_a_weak_password(app, password):
    result = _create(app, "--email", "weak.admin@example.com", "--name", "W", "--role", "admin", password=password)
    assert result.exit_code != 0
    assert "Password refused" in result.output
    with app.app_context():
        assert services.find_by_email("weak.admin@example.com") is None


def test_cli_refuses_a_duplicate_email(app, make_user):
    existing = make_user("viewer")
    result = _create(app, "--email", existing.email.upper(), "--name", "Dup", "--role", "admin")
    assert result.exit_code != 0
    assert "already exists" in result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == 1


@pytest.mark.parametrize(
    "args",
    [
        ["--email", "not-an-email", "--name", "X", "--role", "admin"],
        ["--email", "x@example.com", "--name", "X", "--role", "superuser"],
        ["--email", "x@example.com", "--name", "X"],
    ],
)
def test_cli_refuses_bad_arguments(app, args):
    result = _create(app, *args)
    assert result.exit_code != 0
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_hash_method_follows_the_configuration(app_ctx):
    from flask import current_app

    from oversight.auth.passwords import hash_password, verify_password

    assert hash_password(GOOD_PASSWORD).startswith("pbkdf2:sha256:1$")
    current_app.config["PASSWORD_HASH_METHOD"] = "scrypt"
    try:
        hashed = hash_password(GOOD_PASSWORD)
    finally:
        current_app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1"
    assert hashed.startswith("scrypt:")
    assert verify_password(hashed, GOOD_PASSWORD)
    assert not verify_password(hashed, GOOD_PASSWORD + "x")

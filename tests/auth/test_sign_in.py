"""Sign-in, sign-out, lockout and idle timeout."""

from datetime import UTC, datetime, timedelta

import pytest

from oversight.activity.models import ActivityLog
from oversight.auth import services
from oversight.auth.models import User
from oversight.extensions import db

NOW = datetime(2026, 11, 26, 0, 0, tzinfo=UTC)
GENERIC_FAILURE = "ログインできませんでした"


def _actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(db.select(ActivityLog.action).order_by(ActivityLog.id)))


def _post_login(client, email, password):
    return client.post("/auth/login", data={"email": email, "password": password})


def _failure_message(response) -> str:
    """The danger alert of a sign-in page, which is what a user reads after a refusal."""
    html = response.get_data(as_text=True)
    start = html.index('alert alert-danger')
    return html[start : html.index("</div>", start)]


def test_sign_in_with_right_password_opens_dashboard(client, make_user, app):
    user = make_user("viewer")
    response = _post_login(client, user.email, user.password)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dashboard")
    assert client.get("/dashboard").status_code == 200
    assert _actions(app)[-1] == "auth.login"


def test_sign_in_ignores_email_case(client, make_user):
    user = make_user("viewer")
    assert _post_login(client, user.email.upper(), user.password).status_code == 302


def test_sign_in_follows_local_next_but_not_foreign(client, make_user):
    user = make_user("viewer")
    data = {"email": user.email, "password": user.password, "next": "/auth/password"}
    response = client.post("/auth/login", data=data)
    assert response.headers["Location"].endswith("/auth/password")
    client.post("/auth/logout")
    response = client.post(
        "/auth/login", data={"email": user.email, "password": user.password, "next": "https://evil.example/"}
    )
    assert response.headers["Location"].endswith("/dashboard")


def test_sign_out_ends_session_and_is_logged(client, login_as, app):
    login_as("viewer")
    response = client.post("/auth/logout")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/auth/login")
    assert client.get("/dashboard").status_code == 302
    assert _actions(app)[-1] == "auth.logout"


def test_wrong_password_is_refused_and_logged(client, make_user, app):
    user = make_user("viewer")
    response = _post_login(client, user.email, "wrong-password-123")
    assert response.status_code == 200
    assert GENERIC_FAILURE in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302
    assert _actions(app)[-1] == "auth.login_failed"


def test_failure_message_is_identical_for_unknown_wrong_and_locked(client, make_user, app):
    user = make_user("viewer")
    unknown = _failure_message(_post_login(client, "nobody@example.com", "whatever-password"))
    wrong = _failure_message(_post_login(client, user.email, "wrong-password-123"))
    with app.app_context():
        row = db.session.get(User, user.id)
        row.locked_until = datetime.now(UTC) + timedelta(minutes=10)
        db.session.commit()
    locked = _failure_message(_post_login(client, user.email, user.password))
    assert GENERIC_FAILURE in unknown
    assert unknown == wrong == locked


def test_five_failures_lock_the_account_for_fifteen_minutes(app_ctx, make_user):
    info = make_user("viewer")
    for minute in range(5):
        assert services.authenticate(info.email, "wrong-password-123", now=NOW + timedelta(minutes=minute)) is None
    user = db.session.get(User, info.id)
    assert user.locked_until == NOW + timedelta(minutes=4 + 15)
    assert services.authenticate(info.email, info.password, now=NOW + timedelta(minutes=18)) is None
    assert services.authenticate(info.email, info.password, now=NOW + timedelta(minutes=19, seconds=1)) is not None
    actions = list(db.session.scalars(db.select(ActivityLog.action).order_by(ActivityLog.id)))
    assert actions.count("auth.login_failed") == 5
    assert actions.count("auth.lockout") == 1
    assert actions.count("auth.login_locked") == 1
    assert actions[-1] == "auth.login"


def test_four_failures_do_not_lock(app_ctx, make_user):
    info = make_user("viewer")
    for _ in range(4):
        services.authenticate(info.email, "wrong-password-123", now=NOW)
    assert services.authenticate(info.email, info.password, now=NOW) is not None


def test_success_resets_the_failure_count(app_ctx, make_user):
    info = make_user("viewer")
    for _ in range(4):
        services.authenticate(info.email, "wrong-password-123", now=NOW)
    services.authenticate(info.email, info.password, now=NOW)
    for _ in range(4):
        services.authenticate(info.email, "wrong-password-123", now=NOW)
    assert db.session.get(User, info.id).locked_until is None


def test_locked_account_refuses_right_password_through_the_form(client, make_user, app):
    user = make_user("viewer")
    for _ in range(5):
        _post_login(client, user.email, "wrong-password-123")
    response = _post_login(client, user.email, user.password)
    assert response.status_code == 200
    assert GENERIC_FAILURE in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_lockout_expires(client, make_user, app):
    user = make_user("viewer")
    for _ in range(5):
        _post_login(client, user.email, "wrong-password-123")
    with app.app_context():
        row = db.session.get(User, user.id)
        assert row.locked_until is not None
        row.locked_until = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()
    assert _post_login(client, user.email, user.password).status_code == 302


def test_disabled_account_cannot_sign_in(client, make_user, app):
    user = make_user("viewer")
    with app.app_context():
        db.session.get(User, user.id).is_enabled = False
        db.session.commit()
    response = _post_login(client, user.email, user.password)
    assert response.status_code == 200
    assert GENERIC_FAILURE in response.get_data(as_text=True)


def test_disabling_a_user_ends_their_session(client, login_as, app):
    user = login_as("viewer")
    with app.app_context():
        row = db.session.get(User, user.id)
        services.update_user(
            row, email=row.email, name=row.name, language=row.language, roles=row.roles, is_enabled=False, actor=row
        )
        db.session.commit()
    assert client.get("/dashboard").status_code == 302


def test_idle_session_is_signed_out(client, login_as, app):
    login_as("viewer")
    assert client.get("/dashboard").status_code == 200
    with client.session_transaction() as session:
        session["last_seen"] = (datetime.now(UTC) - timedelta(minutes=31)).timestamp()
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
    assert client.get("/dashboard").status_code == 302
    assert "auth.idle_timeout" in _actions(app)


def test_active_session_stays_signed_in(client, login_as):
    login_as("viewer")
    with client.session_transaction() as session:
        session["last_seen"] = (datetime.now(UTC) - timedelta(minutes=29)).timestamp()
    assert client.get("/dashboard").status_code == 200


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"email": "", "password": ""},
        {"email": "x" * 5000, "password": "y" * 5000},
        {"email": "'; DROP TABLE users; --", "password": "' OR 1=1 --"},
        {"email": "ユーザー@例え.jp", "password": "パスワード"},
        {"email": "a\x00b@example.com", "password": "pass\x00word"},
        {"email": ["a@example.com", "b@example.com"], "password": "x"},
        {"remember": "maybe", "next": "javascript:alert(1)"},
    ],
)
def test_garbage_in_sign_in_form_never_fails(client, data):
    response = client.post("/auth/login", data=data)
    assert response.status_code in (200, 400)
    assert client.get("/dashboard").status_code == 302


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example/", "/\t/evil.example/", "javascript:alert(1)"],
)
def test_sign_in_never_redirects_off_site(client, make_user, target):
    user = make_user("viewer")
    response = client.post("/auth/login", data={"email": user.email, "password": user.password, "next": target})
    assert response.headers["Location"] == "/dashboard"


def test_sign_out_forgets_keep_me_signed_in(app, make_user):
    user = make_user("viewer")
    client = app.test_client()
    response = client.post("/auth/login", data={"email": user.email, "password": user.password, "remember": "y"})
    assert any(cookie.startswith("remember_token=") for cookie in response.headers.getlist("Set-Cookie"))
    client.post("/auth/logout")
    client.get("/auth/login")  # the cookie is deleted by the response after sign-out at the latest
    assert client.get_cookie("remember_token") is None
    assert client.get("/dashboard").status_code == 302


def test_keep_me_signed_in_survives_a_closed_browser(app, make_user):
    user = make_user("viewer")
    client = app.test_client()
    client.post("/auth/login", data={"email": user.email, "password": user.password, "remember": "y"})
    client.delete_cookie("session")
    assert client.get("/dashboard").status_code == 200

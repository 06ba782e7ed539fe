"""Sessions end on the server: sign-out, password change, and the "keep me signed in" policy (docs/sessions.md).

Every test works with the real cookies of the Flask test client: a cookie copied to a second client
is what a stolen or forgotten browser would present.
"""

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest

from oversight.activity.models import ActivityLog
from oversight.auth import services
from oversight.auth.models import User, UserRole
from oversight.extensions import db
from tests.auth.browsers import copy_cookies, is_sent_to_sign_in, signed_in

NEW_PASSWORD = "plum-lantern-harbour-91"


def _actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(db.select(ActivityLog.action).order_by(ActivityLog.id)))


def _drop_session_cookie(client) -> None:
    """What the browser does with the session cookie once IDLE_TIMEOUT_MINUTES have passed (its expiry)."""
    client.delete_cookie("session")


def _make_idle(client, minutes=31) -> None:
    with client.session_transaction() as session:
        session["last_seen"] = (datetime.now(UTC) - timedelta(minutes=minutes)).timestamp()
        session["left_by_the_old_session"] = "x"


# --- item 1: sign-out and a password change end every session on the server ---------------------------


def test_a_copied_session_cookie_is_refused_after_sign_out(app, make_user):
    user = make_user("viewer")
    browser = signed_in(app, user)
    copy = copy_cookies(app, browser, "session")
    assert copy.get("/dashboard").status_code == 200  # the copy works while the session lasts
    browser.post("/auth/logout")
    assert is_sent_to_sign_in(copy)
    assert is_sent_to_sign_in(browser)


def test_a_copied_remember_cookie_alone_is_refused_after_sign_out(app, make_user):
    user = make_user("viewer")
    browser = signed_in(app, user, remember=True)
    assert copy_cookies(app, browser, "remember_token").get("/dashboard").status_code == 200
    copy = copy_cookies(app, browser, "remember_token")
    browser.post("/auth/logout")
    assert is_sent_to_sign_in(copy)
    assert _actions(app)[-1] == "auth.logout"  # the refused copy signed nobody in


def test_sign_out_ends_the_sessions_on_other_computers(app, make_user):
    user = make_user("viewer")
    office = signed_in(app, user, remember=True)
    home = signed_in(app, user, remember=True)
    home.post("/auth/logout")
    assert is_sent_to_sign_in(office)
    _drop_session_cookie(office)
    assert is_sent_to_sign_in(office)  # its remember-me cookie ended too
    assert signed_in(app, user).get("/dashboard").status_code == 200  # signing in again works


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(app, make_user):
    user = make_user("viewer")
    browser = signed_in(app, user)
    other = signed_in(app, user, remember=True)
    stolen_cookie = copy_cookies(app, other, "remember_token")
    data = {"current_password": user.password, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    assert browser.post("/auth/password", data=data).status_code == 302
    assert browser.get("/dashboard").status_code == 200
    assert is_sent_to_sign_in(other)
    assert is_sent_to_sign_in(stolen_cookie)


def test_sign_out_does_not_make_an_administrators_open_form_stale(app_ctx, make_user):
    info = make_user("viewer")
    user = db.session.get(User, info.id)
    version, token = user.version, user.session_token
    services.sign_out(user)
    db.session.commit()
    db.session.expire_all()
    user = db.session.get(User, info.id)
    assert (user.version, user.session_token != token) == (version, True)


# --- item 2: "keep me signed in" and the idle timeout ----------------------------------------------------


def test_the_remember_cookie_signs_in_again_into_a_new_logged_session_after_idle_timeout(app, make_user):
    user = make_user("viewer")
    browser = signed_in(app, user, remember=True)
    _drop_session_cookie(browser)
    assert browser.get("/dashboard").status_code == 200
    assert _actions(app)[-1] == "auth.remember_login"
    with browser.session_transaction() as session:
        assert session["_fresh"] is False
        assert "last_seen" in session
    assert browser.get("/dashboard").status_code == 200
    assert _actions(app).count("auth.remember_login") == 1  # once per new session, not per request


def test_an_idle_session_with_the_remember_cookie_is_replaced_by_a_new_one(app, make_user):
    user = make_user("viewer")
    browser = signed_in(app, user, remember=True)
    _make_idle(browser)
    assert browser.get("/dashboard").status_code == 200
    assert _actions(app)[-2:] == ["auth.idle_timeout", "auth.remember_login"]
    with browser.session_transaction() as session:
        assert "left_by_the_old_session" not in session
        assert session["_fresh"] is False


def test_an_idle_session_without_the_remember_cookie_still_ends(app, make_user):
    user = make_user("viewer")
    browser = signed_in(app, user)
    _make_idle(browser)
    assert is_sent_to_sign_in(browser)
    assert "auth.remember_login" not in _actions(app)


@pytest.mark.parametrize("roles", [("admin",), ("manager",), ("procurement", "manager")])
def test_administrators_and_managers_are_not_keptsigned_in(app, make_user, roles):
    user = make_user(*roles)
    browser = app.test_client()
    response = browser.post(
        "/auth/login", data={"email": user.email, "password": user.password, "remember": "y"}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "ログイン状態を保持しません" in response.get_data(as_text=True)
    assert browser.get_cookie("remember_token") is None
    _drop_session_cookie(browser)
    assert is_sent_to_sign_in(browser)


def test_a_remember_cookie_from_before_the_manager_role_is_refused(app, make_user):
    """A cookie issued earlier (before this policy, or by a role given without a role change)."""
    user = make_user("viewer")
    browser = signed_in(app, user, remember=True)
    with app.app_context():
        db.session.add(UserRole(user_id=user.id, role="manager"))  # not through update_user: the token stays
        db.session.commit()
    _drop_session_cookie(browser)
    response = browser.get("/dashboard")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert _actions(app)[-1] == "auth.remember_refused"
    assert browser.get_cookie("remember_token") is None  # deleted, not only refused
    assert "ログイン状態を保持しません" in browser.get(response.headers["Location"]).get_data(as_text=True)


def test_an_idle_managers_old_remember_cookie_is_refused(app, make_user):
    user = make_user("viewer")
    browser = signed_in(app, user, remember=True)
    with app.app_context():
        db.session.add(UserRole(user_id=user.id, role="manager"))
        db.session.commit()
    _make_idle(browser)
    assert is_sent_to_sign_in(browser)
    assert _actions(app)[-2:] == ["auth.idle_timeout", "auth.remember_refused"]
    assert browser.get_cookie("remember_token") is None


def test_the_remember_cookie_lasts_fourteen_days_not_a_year(app, make_user):
    user = make_user("viewer")
    response = app.test_client().post(
        "/auth/login", data={"email": user.email, "password": user.password, "remember": "y"}
    )
    cookie = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("remember_token="))
    expires = next(part.split("=", 1)[1] for part in cookie.split("; ") if part.lower().startswith("expires="))
    lifetime = parsedate_to_datetime(expires) - datetime.now(UTC)
    assert timedelta(days=13) < lifetime <= timedelta(days=14)

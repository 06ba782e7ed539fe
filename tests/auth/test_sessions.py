"""Sessions end on the server: sign-out and a password change end every session of the user.

Every test works with the real cookies of the Flask test client: a cookie copied to a second client
is what a stolen or forgotten browser would present.
"""

from oversight.activity.models import ActivityLog
from oversight.auth import services
from oversight.auth.models import User
from oversight.extensions import db

NEW_PASSWORD = "plum-lantern-harbour-91"


def _actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(db.select(ActivityLog.action).order_by(ActivityLog.id)))


def _signed_in(app, user, *, remember=False):
    """A browser signed in as ``user`` through the sign-in form."""
    client = app.test_client()
    data = {"email": user.email, "password": user.password}
    if remember:
        data["remember"] = "y"
    assert client.post("/auth/login", data=data).status_code == 302
    assert client.get("/dashboard").status_code == 200
    return client


def _copy(app, client, *names):
    """A second browser holding copies of ``client``'s cookies ``names``."""
    other = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        assert cookie is not None, f"no {name} cookie to copy"
        other.set_cookie(name, cookie.value)
    return other


def _is_sent_to_sign_in(client, path="/dashboard") -> bool:
    response = client.get(path)
    return response.status_code == 302 and "/auth/login" in response.headers["Location"]


def _drop_session_cookie(client) -> None:
    """What the browser does with the session cookie once IDLE_TIMEOUT_MINUTES have passed (its expiry)."""
    client.delete_cookie("session")


# --- item 1: sign-out and a password change end every session on the server ---------------------------


def test_a_copied_session_cookie_is_refused_after_sign_out(app, make_user):
    user = make_user("viewer")
    browser = _signed_in(app, user)
    copy = _copy(app, browser, "session")
    assert copy.get("/dashboard").status_code == 200  # the copy works while the session lasts
    browser.post("/auth/logout")
    assert _is_sent_to_sign_in(copy)
    assert _is_sent_to_sign_in(browser)


def test_a_copied_remember_cookie_alone_is_refused_after_sign_out(app, make_user):
    user = make_user("viewer")
    browser = _signed_in(app, user, remember=True)
    assert _copy(app, browser, "remember_token").get("/dashboard").status_code == 200
    copy = _copy(app, browser, "remember_token")
    browser.post("/auth/logout")
    assert _is_sent_to_sign_in(copy)
    assert _actions(app)[-1] == "auth.logout"  # the refused copy signed nobody in


def test_sign_out_ends_the_sessions_on_other_computers(app, make_user):
    user = make_user("viewer")
    office = _signed_in(app, user, remember=True)
    home = _signed_in(app, user, remember=True)
    home.post("/auth/logout")
    assert _is_sent_to_sign_in(office)
    _drop_session_cookie(office)
    assert _is_sent_to_sign_in(office)  # its remember-me cookie ended too
    assert _signed_in(app, user).get("/dashboard").status_code == 200  # signing in again works


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(app, make_user):
    user = make_user("viewer")
    browser = _signed_in(app, user)
    other = _signed_in(app, user, remember=True)
    stolen_cookie = _copy(app, other, "remember_token")
    data = {"current_password": user.password, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    assert browser.post("/auth/password", data=data).status_code == 302
    assert browser.get("/dashboard").status_code == 200
    assert _is_sent_to_sign_in(other)
    assert _is_sent_to_sign_in(stolen_cookie)


def test_sign_out_does_not_make_an_administrators_open_form_stale(app_ctx, make_user):
    info = make_user("viewer")
    user = db.session.get(User, info.id)
    version, token = user.version, user.session_token
    services.sign_out(user)
    db.session.commit()
    db.session.expire_all()
    user = db.session.get(User, info.id)
    assert (user.version, user.session_token != token) == (version, True)

"""An administrator's change to an account ends that user's sessions and remember-me cookies."""

from oversight.auth.models import User
from oversight.extensions import db

NEW_PASSWORD = "plum-lantern-harbour-91"


def _browser(app, user, *, remember=False):
    """A browser signed in as ``user`` through the sign-in form."""
    client = app.test_client()
    data = {"email": user.email, "password": user.password}
    if remember:
        data["remember"] = "y"
    assert client.post("/auth/login", data=data).status_code == 302
    assert client.get("/dashboard").status_code == 200
    return client


def _remember_cookie_alone(app, browser):
    other = app.test_client()
    other.set_cookie("remember_token", browser.get_cookie("remember_token").value)
    return other


def _is_sent_to_sign_in(client) -> bool:
    response = client.get("/dashboard")
    return response.status_code == 302 and "/auth/login" in response.headers["Location"]


def _edit(admin_browser, app, user_id, **values):
    with app.app_context():
        user = db.session.get(User, user_id)
        data = {"email": user.email, "name": user.name, "language": user.language, "roles": user.roles,
                "is_enabled": "y", "version": str(user.version)}
    data.update(values)
    if data["is_enabled"] is None:
        del data["is_enabled"]
    return admin_browser.post(f"/admin/users/{user_id}/edit", data=data)


def test_disabling_a_user_on_the_admin_page_ends_their_sessions(app, make_user):
    admin = _browser(app, make_user("admin"))
    target = make_user("viewer")
    browser = _browser(app, target, remember=True)
    cookie_only = _remember_cookie_alone(app, browser)
    assert _edit(admin, app, target.id, is_enabled=None).status_code == 302
    assert _is_sent_to_sign_in(browser)
    assert _is_sent_to_sign_in(cookie_only)


def test_a_role_change_ends_the_users_sessions(app, make_user):
    admin = _browser(app, make_user("admin"))
    target = make_user("viewer")
    browser = _browser(app, target, remember=True)
    cookie_only = _remember_cookie_alone(app, browser)
    assert _edit(admin, app, target.id, roles=["viewer", "manager"]).status_code == 302
    assert _is_sent_to_sign_in(browser)
    assert _is_sent_to_sign_in(cookie_only)


def test_a_name_change_leaves_the_users_sessions_alone(app, make_user):
    admin = _browser(app, make_user("admin"))
    target = make_user("viewer")
    browser = _browser(app, target)
    assert _edit(admin, app, target.id, name="新しい名前").status_code == 302
    assert browser.get("/dashboard").status_code == 200


def test_a_password_reset_ends_the_users_sessions(app, make_user):
    admin = _browser(app, make_user("admin"))
    target = make_user("viewer")
    browser = _browser(app, target, remember=True)
    cookie_only = _remember_cookie_alone(app, browser)
    data = {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    assert admin.post(f"/admin/users/{target.id}/password", data=data).status_code == 302
    assert _is_sent_to_sign_in(browser)
    assert _is_sent_to_sign_in(cookie_only)


def test_an_administrator_changing_their_own_account_stays_signed_in_here_only(app, make_user):
    info = make_user("admin")
    admin = _browser(app, info)
    elsewhere = _browser(app, info)
    assert _edit(admin, app, info.id, roles=["admin", "auditor"]).status_code == 302
    assert admin.get("/admin/users").status_code == 200
    assert _is_sent_to_sign_in(elsewhere)
    elsewhere = _browser(app, info)
    data = {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    assert admin.post(f"/admin/users/{info.id}/password", data=data).status_code == 302
    assert admin.get("/admin/users").status_code == 200
    assert _is_sent_to_sign_in(elsewhere)

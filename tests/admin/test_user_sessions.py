"""An administrator's change to an account ends that user's sessions and remember-me cookies."""

from oversight.auth.models import User
from oversight.extensions import db
from tests.auth.browsers import copy_cookies, is_sent_to_sign_in, signed_in

NEW_PASSWORD = "plum-lantern-harbour-91"


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
    admin = signed_in(app, make_user("admin"))
    target = make_user("viewer")
    browser = signed_in(app, target, remember=True)
    cookie_only = copy_cookies(app, browser, "remember_token")
    assert _edit(admin, app, target.id, is_enabled=None).status_code == 302
    assert is_sent_to_sign_in(browser)
    assert is_sent_to_sign_in(cookie_only)


def test_a_role_change_ends_the_users_sessions(app, make_user):
    admin = signed_in(app, make_user("admin"))
    target = make_user("viewer")
    browser = signed_in(app, target, remember=True)
    cookie_only = copy_cookies(app, browser, "remember_token")
    assert _edit(admin, app, target.id, roles=["viewer", "manager"]).status_code == 302
    assert is_sent_to_sign_in(browser)
    assert is_sent_to_sign_in(cookie_only)


def test_a_name_change_leaves_the_users_sessions_alone(app, make_user):
    admin = signed_in(app, make_user("admin"))
    target = make_user("viewer")
    browser = signed_in(app, target)
    assert _edit(admin, app, target.id, name="新しい名前").status_code == 302
    assert browser.get("/dashboard").status_code == 200


def test_a_password_reset_ends_the_users_sessions(app, make_user):
    admin = signed_in(app, make_user("admin"))
    target = make_user("viewer")
    browser = signed_in(app, target, remember=True)
    cookie_only = copy_cookies(app, browser, "remember_token")
    data = {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    assert admin.post(f"/admin/users/{target.id}/password", data=data).status_code == 302
    assert is_sent_to_sign_in(browser)
    assert is_sent_to_sign_in(cookie_only)


def test_an_administrator_changing_their_own_account_stays_signed_in_here_only(app, make_user):
    info = make_user("admin")
    admin = signed_in(app, info)
    elsewhere = signed_in(app, info)
    assert _edit(admin, app, info.id, roles=["admin", "auditor"]).status_code == 302
    assert admin.get("/admin/users").status_code == 200
    assert is_sent_to_sign_in(elsewhere)
    elsewhere = signed_in(app, info)
    data = {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    assert admin.post(f"/admin/users/{info.id}/password", data=data).status_code == 302
    assert admin.get("/admin/users").status_code == 200
    assert is_sent_to_sign_in(elsewhere)

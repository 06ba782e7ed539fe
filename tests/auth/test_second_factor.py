"""The second factor (TOTP): set-up, sign-in, replay, recovery codes, the role requirement on every
route, the step-up before sensitive actions and the administrator's reset (docs/sessions.md)."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from cryptography.fernet import Fernet

from oversight.activity.models import ActivityLog
from oversight.admin.settings import SETTINGS, edit_state, save_settings, stored_settings
from oversight.admin.sign_in_settings import SECOND_FACTOR_ROLES, STEP_UP_MINUTES
from oversight.auth import second_factor
from oversight.auth.models import RecoveryCode, User
from oversight.auth.views import PENDING_SECRET
from oversight.config import Config
from oversight.core.timeutil import utcnow
from oversight.extensions import db
from oversight.web.second_factor import CHECKED_AT
from tests.web.test_access import ROUTES, _request

ENROL_URL = "/auth/second-factor/setup"
VERIFY_URL = "/auth/second-factor"


@pytest.fixture
def enforced(app, monkeypatch):
    """The requirement as in production (the suite's TestConfig turns it off for the other tests)."""
    monkeypatch.setitem(app.config, "SECOND_FACTOR_ENFORCED", True)


def _actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(db.select(ActivityLog.action).order_by(ActivityLog.id)))


def _code(secret: str, offset_steps: int = 0) -> str:
    """The code an authenticator app shows ``offset_steps`` 30-second steps from now."""
    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)


def _enrol(app, user_info) -> tuple[str, list[str]]:
    """Set a factor up through the service, with the code of the previous step (so that the current
    and the next step are still unused for the test)."""
    secret = pyotp.random_base32()
    with app.app_context():
        user = db.session.get(User, user_info.id)
        codes = second_factor.confirm_enrolment(user, secret, _code(secret, -1), now=utcnow())
        db.session.commit()
    return secret, codes


def _sign_in(client, user_info):
    response = client.post("/auth/login", data={"email": user_info.email, "password": user_info.password})
    assert response.status_code == 302
    return response


def test_production_enforces_the_requirement_for_admins_and_managers():
    assert Config().SECOND_FACTOR_ENFORCED is True
    assert SETTINGS[SECOND_FACTOR_ROLES].default == "admin,manager"
    assert SETTINGS[STEP_UP_MINUTES].default == 15


def test_manager_sets_up_the_app_and_gets_ten_recovery_codes(client, make_user, app, enforced):
    manager = make_user("manager")
    _sign_in(client, manager)
    response = client.get("/dashboard")
    assert response.status_code == 302 and ENROL_URL in response.headers["Location"]

    page = client.get(ENROL_URL).get_data(as_text=True)
    assert "<svg" in page and "http" not in page.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org/2000/svg", ""
    )  # the QR code is drawn inline, nothing is fetched
    secret = _shown_secret(page)

    wrong = client.post(ENROL_URL, data={"code": "000000" if _code(secret) != "000000" else "111111"})
    assert wrong.status_code == 400
    assert "aria-invalid" in wrong.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302  # still nothing else

    done = client.post(ENROL_URL, data={"code": _code(secret)})
    assert done.status_code == 200
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", done.get_data(as_text=True))
    assert len(set(codes)) == 10
    assert client.get("/dashboard").status_code == 200
    with app.app_context():
        stored = list(db.session.scalars(db.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == manager.id)))
        assert len(stored) == 10 and not set(codes) & set(stored)  # hashes only
        assert db.session.get(User, manager.id).totp_secret == secret
    actions = _actions(app)
    assert "auth.second_factor_failed" in actions and actions[-1] == "auth.second_factor_enrolled"
    # Shown once: the set-up page now sends the user away and shows no codes.
    again = client.get(ENROL_URL)
    assert again.status_code == 302 and codes[0] not in again.get_data(as_text=True)


def _cookie_session(app, client) -> dict:
    """The session as anyone holding the cookie reads it (signed, not encrypted)."""
    return app.session_interface.get_signing_serializer(app).loads(client.get_cookie("session").value)


def _shown_secret(page: str) -> str:
    return re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page).group(1)


def test_the_session_cookie_never_holds_the_secret_being_set_up(client, make_user, app, enforced, monkeypatch):
    manager = make_user("manager")
    _sign_in(client, manager)
    secret = _shown_secret(client.get(ENROL_URL).get_data(as_text=True))
    held = _cookie_session(app, client)
    assert secret not in repr(held)  # only its Fernet token
    assert _shown_secret(client.get(ENROL_URL).get_data(as_text=True)) == secret  # the same one on every visit

    # A new first key between the visits (rotation): the older keys still open the token, the set-up goes on.
    monkeypatch.setitem(app.config, "SECRET_ENCRYPTION_KEYS", Fernet.generate_key().decode())
    assert client.post(ENROL_URL, data={"code": _code(secret)}).status_code == 200
    with app.app_context():
        assert db.session.get(User, manager.id).totp_secret == secret


def test_a_pending_secret_no_key_opens_gives_a_new_one(client, make_user, app, enforced):
    manager = make_user("manager")
    _sign_in(client, manager)
    with client.session_transaction() as session:
        session[PENDING_SECRET] = Fernet(Fernet.generate_key()).encrypt(b"JBSWY3DPEHPK3PXP").decode()
    page = client.get(ENROL_URL).get_data(as_text=True)
    assert _shown_secret(page) != "JBSWY3DPEHPK3PXP"
    with client.session_transaction() as session:
        session[PENDING_SECRET] = "JBSWY3DPEHPK3PXP"  # a cookie from before the secret was sealed
    secret = _shown_secret(client.get(ENROL_URL).get_data(as_text=True))
    assert secret != "JBSWY3DPEHPK3PXP" and secret not in repr(_cookie_session(app, client))


def test_sign_in_asks_for_the_code_and_refuses_a_wrong_or_replayed_one(client, make_user, app, enforced):
    manager = make_user("manager")
    secret, _codes = _enrol(app, manager)
    response = _sign_in(client, manager)
    assert client.get(response.headers["Location"]).headers["Location"].startswith(VERIFY_URL)

    wrong = client.post(VERIFY_URL, data={"code": "123456" if _code(secret) != "123456" else "654321"})
    assert wrong.status_code == 400
    assert client.get("/dashboard").status_code == 302

    code = _code(secret)
    assert client.post(VERIFY_URL, data={"code": code}).status_code == 302
    assert client.get("/dashboard").status_code == 200
    client.post("/auth/logout")

    # The same code again, within its step, in a new sign-in: refused.
    _sign_in(client, manager)
    replay = client.post(VERIFY_URL, data={"code": code})
    assert replay.status_code == 400
    assert client.get("/dashboard").status_code == 302
    with app.app_context():
        summaries = list(db.session.scalars(
            db.select(ActivityLog.summary).where(ActivityLog.action == "auth.second_factor_failed")
        ))
    assert any("replayed" in summary for summary in summaries)
    assert _actions(app).count("auth.second_factor") == 1


def test_a_recovery_code_signs_in_once(client, make_user, app, enforced):
    manager = make_user("manager")
    _secret, codes = _enrol(app, manager)
    _sign_in(client, manager)
    assert client.post(VERIFY_URL, data={"code": codes[3].upper()}).status_code == 302
    assert client.get("/dashboard").status_code == 200
    client.post("/auth/logout")
    _sign_in(client, manager)
    assert client.post(VERIFY_URL, data={"code": codes[3]}).status_code == 400
    assert client.get("/dashboard").status_code == 302
    with app.app_context():
        assert second_factor.remaining_recovery_codes(db.session.get(User, manager.id)) == 9
    assert _actions(app).count("auth.recovery_code_used") == 1


def test_a_role_without_the_requirement_is_not_asked(client, make_user, enforced):
    _sign_in(client, make_user("viewer", "auditor"))
    assert client.get("/dashboard").status_code == 200


def test_the_roles_setting_decides_who_must_set_up(client, make_user, app, enforced):
    with app.app_context():
        save_settings({SECOND_FACTOR_ROLES: "auditor"}, actor=None, state=edit_state(stored_settings()))
        db.session.commit()
    _sign_in(client, make_user("manager"))
    assert client.get("/dashboard").status_code == 200
    client.post("/auth/logout")
    _sign_in(client, make_user("auditor"))
    assert ENROL_URL in client.get("/dashboard").headers["Location"]


ALWAYS_OPEN = {"auth.logout", "auth.language"}


@pytest.mark.parametrize("state", ["not set up", "not checked"])
def test_every_route_waits_for_the_second_factor(client, make_user, app, enforced, state):
    """The url_map matrix: a manager who must set up (or check) the factor reaches no page but that one."""
    manager = make_user("manager", "admin", "procurement", "legal", "auditor")
    if state == "not checked":
        _enrol(app, manager)
    page = ENROL_URL if state == "not set up" else VERIFY_URL
    own = "auth.enrol_second_factor" if state == "not set up" else "auth.verify_second_factor"
    failures = []
    for route in ROUTES:
        if route.endpoint in ALWAYS_OPEN:
            continue
        _sign_in(client, manager)
        response, url = _request(client, app, route)
        if route.endpoint == own:
            ok = response.status_code == 200
        else:
            ok = response.status_code == 302 and response.headers["Location"].split("?")[0].endswith(page)
        if not ok:
            failures.append(f"{route} {url} -> {response.status_code} {response.headers.get('Location')}")
    assert not failures, "\n".join(failures)


def test_step_up_before_settings_and_user_changes(client, make_user, app, enforced):
    admin = make_user("admin")
    secret, _codes = _enrol(app, admin)
    _sign_in(client, admin)
    client.post(VERIFY_URL, data={"code": _code(secret)})
    assert client.get("/admin/settings").status_code == 200  # checked a moment ago

    with client.session_transaction() as session:
        session[CHECKED_AT] = time.time() - 16 * 60
    assert client.get("/dashboard").status_code == 200  # ordinary pages don't ask
    for url in ("/admin/settings", "/admin/users/new", f"/admin/users/{admin.id}/edit", "/auth/tokens"):
        response = client.get(url)
        assert response.status_code == 302, url
        location = urlsplit(response.headers["Location"])
        assert location.path == VERIFY_URL and parse_qs(location.query) == {"next": [url], "step_up": ["1"]}, url
    posted = client.post(f"/admin/users/{admin.id}/password", data={"password": "x", "confirm_password": "x"},
                         headers={"Referer": f"http://localhost/admin/users/{admin.id}/edit"})
    assert posted.headers["Location"].startswith(VERIFY_URL)

    response = client.post(f"{VERIFY_URL}?step_up=1", data={"code": _code(secret, 1), "next": "/admin/settings"})
    assert response.headers["Location"].endswith("/admin/settings")
    assert client.get("/admin/settings").status_code == 200
    with app.app_context():
        summaries = list(db.session.scalars(
            db.select(ActivityLog.summary).where(ActivityLog.action == "auth.second_factor").order_by(ActivityLog.id)
        ))
    assert summaries[-1].endswith("(step-up)")


# The manager's decisions that commit the company: each asks for a fresh code like the contract approval.
DECISIONS = (
    "/contracts/999999/approve",
    "/subcontracts/consents/999999/decide",
    "/subcontracts/consents/999999/revoke",
    "/disposals/999999/confirm",
    "/evaluations/999999/approve",
)


def test_step_up_before_the_decisions_that_commit_the_company(client, make_user, app, enforced):
    manager = make_user("manager")
    secret, _codes = _enrol(app, manager)
    _sign_in(client, manager)
    client.post(VERIFY_URL, data={"code": _code(secret)})
    for url in DECISIONS:  # checked a moment ago: the view itself answers (no such record)
        assert client.post(url, data={}).status_code == 404, url

    with client.session_transaction() as session:
        session[CHECKED_AT] = time.time() - 16 * 60
    for url in DECISIONS:
        response = client.post(url, data={}, headers={"Referer": "http://localhost/dashboard"})
        assert response.status_code == 302, url
        location = urlsplit(response.headers["Location"])
        assert location.path == VERIFY_URL and parse_qs(location.query) == {"next": ["/dashboard"], "step_up": ["1"]}


def test_admin_resets_a_factor_which_ends_the_users_sessions(client, make_user, app, enforced):
    admin, manager = make_user("admin"), make_user("manager")
    admin_secret, _ = _enrol(app, admin)
    _enrol(app, manager)
    manager_client = app.test_client()
    _sign_in(manager_client, manager)

    _sign_in(client, admin)
    client.post(VERIFY_URL, data={"code": _code(admin_secret)})
    edit = client.get(f"/admin/users/{manager.id}/edit").get_data(as_text=True)
    assert f'action="/admin/users/{manager.id}/second-factor/reset"' in edit and "二要素認証をリセット" in edit
    response = client.post(f"/admin/users/{manager.id}/second-factor/reset")
    assert response.status_code == 302
    with app.app_context():
        user = db.session.get(User, manager.id)
        assert not user.has_second_factor and user.totp_secret is None
        assert db.session.scalar(db.select(db.func.count()).select_from(RecoveryCode).where(
            RecoveryCode.user_id == manager.id)) == 0
        row = db.session.scalars(db.select(ActivityLog).order_by(ActivityLog.id.desc())).first()
        assert (row.action, row.actor_id, row.object_id) == ("auth.second_factor_reset", admin.id, manager.id)
    assert "/auth/login" in manager_client.get("/dashboard").headers["Location"]
    _sign_in(manager_client, manager)
    assert ENROL_URL in manager_client.get("/dashboard").headers["Location"]


def test_a_viewer_cannot_reset_a_factor(client, make_user, login_as, app):
    manager = make_user("manager")
    _enrol(app, manager)
    login_as("viewer")
    assert client.post(f"/admin/users/{manager.id}/second-factor/reset").status_code == 403
    with app.app_context():
        assert db.session.get(User, manager.id).has_second_factor


def test_a_code_older_than_the_last_accepted_one_is_refused(app, make_user):
    manager = make_user("manager")
    secret, _codes = _enrol(app, manager)  # accepted the previous step's code
    codes = [_code(secret, -1), _code(secret), _code(secret, 1)]
    with app.app_context():
        user = db.session.get(User, manager.id)
        second_factor.verify(user, codes[2], now=utcnow())  # the next step's (clock drift)
        for older in codes:
            with pytest.raises(second_factor.SecondFactorError):
                second_factor.verify(user, older, now=utcnow())
        db.session.commit()
        assert pyotp.TOTP(secret).generate_otp(db.session.get(User, manager.id).totp_last_step) == codes[2]

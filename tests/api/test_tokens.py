"""Personal access tokens: shown once and stored as SHA-256, scoped, expiring, revocable; the API takes
nothing else (no session cookie), and CSRF does not apply to token requests."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest

from oversight import create_app
from oversight.activity.models import ActivityLog
from oversight.auth.models import AccessToken, User
from oversight.config import TestConfig as AppConfig
from oversight.core.timeutil import utcnow
from oversight.extensions import db
from oversight.vendors.models import Vendor
from tests.web.test_csrf import _sign_in


def _token(app, token_id: int) -> AccessToken:
    with app.app_context():
        token = db.session.get(AccessToken, token_id)
        db.session.expunge(token)
        return token


def _unauthorised(response) -> None:
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_token_reads_as_its_owner_and_notes_when_it_was_used(app, client, make_token, a_vendor):
    holder = make_token("viewer", scope="read")
    response = client.get(f"/api/v1/vendors/{a_vendor}", headers=holder.headers)
    assert response.status_code == 200 and response.get_json()["id"] == a_vendor
    assert _token(app, holder.token_id).last_used_at is not None


def test_only_the_sha256_of_a_token_is_stored(app, make_token):
    holder = make_token("viewer")
    token = _token(app, holder.token_id)
    assert token.token_hash == hashlib.sha256(holder.secret.encode()).hexdigest()
    assert holder.secret not in (token.token_hash, token.prefix) and holder.secret.startswith(token.prefix)


def test_a_read_token_cannot_write(client, make_token):
    holder = make_token("procurement", scope="read")
    response = client.post("/api/v1/vendors", headers=holder.headers, json={"name": "株式会社読取"})
    assert response.status_code == 403
    assert "読み取り専用" in response.get_json()["detail"]
    assert client.get("/api/v1/vendors", headers=holder.headers).status_code == 200


def test_an_expired_token_is_refused(app, client, make_token):
    holder = make_token("viewer", days=7)
    with app.app_context():
        db.session.get(AccessToken, holder.token_id).expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    _unauthorised(client.get("/api/v1/vendors", headers=holder.headers))


def test_a_revoked_token_is_refused(app, client, make_token):
    holder = make_token("viewer")
    assert client.get("/api/v1/vendors", headers=holder.headers).status_code == 200
    with app.app_context():
        from oversight.auth import tokens

        token = db.session.get(AccessToken, holder.token_id)
        tokens.revoke_token(token, actor=token.user, now=utcnow())
        db.session.commit()
    _unauthorised(client.get("/api/v1/vendors", headers=holder.headers))


def test_the_token_of_a_disabled_account_is_refused(app, client, make_token):
    holder = make_token("viewer")
    with app.app_context():
        db.session.get(User, holder.user.id).is_enabled = False
        db.session.commit()
    _unauthorised(client.get("/api/v1/vendors", headers=holder.headers))


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer ovt_wrong", "Basic dXNlcjpwYXNz", "Token ovt_x"])
def test_a_request_without_a_valid_token_is_refused(client, header):
    _unauthorised(client.get("/api/v1/vendors", headers={"Authorization": header} if header else {}))


def test_a_signed_in_browser_session_does_not_authenticate_the_api(client, login_as):
    login_as("procurement", "admin")
    assert client.get("/vendors/").status_code == 200
    _unauthorised(client.get("/api/v1/vendors"))
    _unauthorised(client.post("/api/v1/vendors", json={"name": "株式会社クッキー"}))


@pytest.fixture(scope="module")
def csrf_app(database_url, app):
    """A second app on the same database, with CSRF protection on (as in production)."""
    application = create_app(AppConfig(database_url, WTF_CSRF_ENABLED=True))
    yield application
    with application.app_context():
        db.session.remove()


def test_with_csrf_on_a_token_writes_and_a_cookie_does_not(csrf_app, make_user, make_token):
    browser = csrf_app.test_client()
    _sign_in(browser, make_user("procurement"))
    _unauthorised(browser.post("/api/v1/vendors", json={"name": "株式会社クッキー"}))
    holder = make_token("procurement")
    response = csrf_app.test_client().post("/api/v1/vendors", headers=holder.headers, json={"name": "株式会社トークン"})
    assert response.status_code == 201
    with csrf_app.app_context():
        assert db.session.scalar(db.select(Vendor.name).where(Vendor.name.like("株式会社%"))) == "株式会社トークン"


# --- the account page and the administrators' list ------------------------------------------------------


def _create_on_page(client, **values) -> str:
    response = client.post("/auth/tokens", data={"name": "購買システム", "scope": "write", "days": "30", **values})
    assert response.status_code == 200
    match = re.search(r'value="(ovt_[^"]+)"', response.get_data(as_text=True))
    return match.group(1) if match else ""


def test_a_user_creates_a_token_on_their_page_and_sees_it_once(app, client, login_as):
    user = login_as("procurement")
    secret = _create_on_page(client)
    assert secret
    page = client.get("/auth/tokens").get_data(as_text=True)
    assert secret not in page and secret[:12] in page and "購買システム" in page
    assert client.get("/api/v1/vendors", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    with app.app_context():
        token = db.session.scalar(db.select(AccessToken))
        assert (token.user_id, token.scope) == (user.id, "write")
        assert timedelta(days=29) < token.expires_at - token.created_at <= timedelta(days=30)
        logged = db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "access_token.create"))
        assert logged.actor_id == user.id and logged.object_id == token.id


def test_the_token_form_refuses_a_missing_name_and_an_unknown_lifetime(client, login_as):
    login_as("viewer")
    response = client.post("/auth/tokens", data={"name": "", "scope": "read", "days": "9999"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "ovt_" not in page
    assert page.count('aria-invalid="true"') == 2


def test_a_user_revokes_their_own_token_but_not_another_users(app, client, login_as, make_token):
    user = login_as("viewer")
    own = make_token(user=user)
    other = make_token("viewer")
    assert client.post(f"/auth/tokens/{own.token_id}/revoke").status_code == 302
    assert client.post(f"/auth/tokens/{other.token_id}/revoke").status_code == 404
    assert _token(app, own.token_id).revoked_at is not None
    assert _token(app, other.token_id).revoked_at is None
    with app.app_context():
        logged = db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "access_token.revoke"))
        assert logged.actor_id == user.id and logged.object_id == own.token_id


def test_an_administrator_lists_and_revokes_any_token(app, client, login_as, make_token):
    holder = make_token("procurement")
    admin = login_as("admin")
    page = client.get("/admin/tokens").get_data(as_text=True)
    assert holder.user.email in page and holder.secret[:12] in page and holder.secret not in page
    assert client.post(f"/admin/tokens/{holder.token_id}/revoke").status_code == 302
    token = _token(app, holder.token_id)
    assert token.revoked_at is not None and token.revoked_by_id == admin.id
    _unauthorised(client.get("/api/v1/vendors", headers=holder.headers))

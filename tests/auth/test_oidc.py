"""Company sign-in against a real OpenID provider (the certified `oidc-provider` package) on loopback.

The test client plays the browser on our side; ``requests`` plays it on the provider's side, through
the provider's own pages, until the provider sends it back to our callback with a code.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from oversight.activity.models import ActivityLog
from oversight.admin.settings import edit_state, save_settings, stored_settings
from oversight.admin.sign_in_settings import (
    BREAK_GLASS_EMAIL,
    OIDC_CREATE_USERS,
    OIDC_ROLE_MAPPING,
    OIDC_TRUST_EMAIL,
    PASSWORD_SIGN_IN,
)
from oversight.auth.models import User
from oversight.extensions import db
from tests.oidc.provider import OpenIDProvider

CALLBACK = "http://localhost/auth/oidc/callback"
ACCOUNTS = {
    "sub-alice": {"email": "alice@example.com", "email_verified": True, "name": "Alice", "groups": ["ov-managers"]},
    "sub-bob": {"email": "bob@example.com", "email_verified": False, "name": "Bob", "groups": []},
    "sub-carol": {"email": "carol@example.com", "email_verified": True, "name": "Carol",
                  "groups": ["ov-legal", "ov-audit", "other"]},
}


def _provider(request, **options) -> OpenIDProvider:
    provider = OpenIDProvider(redirect_uris=[CALLBACK], accounts=ACCOUNTS, **options).start()
    request.addfinalizer(provider.stop)
    return provider


@pytest.fixture(scope="module")
def provider(request):
    return _provider(request)


@pytest.fixture
def use_provider(app, monkeypatch):
    def use(which: OpenIDProvider) -> OpenIDProvider:
        for key, value in which.app_config().items():
            monkeypatch.setitem(app.config, key, value)
        monkeypatch.setitem(app.config, "OIDC_CLOCK_SKEW_SECONDS", 0)
        return which

    return use


def _settings(app, **values) -> None:
    with app.app_context():
        save_settings(values, actor=None, state=edit_state(stored_settings()))
        db.session.commit()


def _actions(app) -> list[tuple[str, str]]:
    with app.app_context():
        return list(db.session.execute(db.select(ActivityLog.action, ActivityLog.summary).order_by(ActivityLog.id)))


def _through_provider(authorize_url: str, account: str) -> str:
    """Walk the provider's pages as ``account``; the URL it finally sends the browser to (our callback)."""
    browser = requests.Session()
    url, method, data = authorize_url, "GET", None
    for _ in range(12):
        response = browser.request(method, url, data=data, allow_redirects=False, timeout=10)
        if response.status_code in (302, 303):
            url = requests.compat.urljoin(url, response.headers["Location"])
            method, data = "GET", None
            if url.startswith(CALLBACK):
                return url
            continue
        assert response.status_code == 200, response.text[:500]
        assert 'name="login"' in response.text  # the provider's sign-in page
        url = requests.compat.urljoin(url, urlsplit(url).path)
        method, data = "POST", {"login": account}
    raise AssertionError("the provider never sent the browser back")


def _start(client) -> str:
    response = client.get("/auth/oidc/start")
    assert response.status_code == 302
    location = response.headers["Location"]
    query = parse_qs(urlsplit(location).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and query["nonce"][0] and query["response_type"] == ["code"]
    return location


def _callback(client, callback_url: str):
    parts = urlsplit(callback_url)
    return client.get(f"{parts.path}?{parts.query}")


def _sign_in(client, account: str):
    return _callback(client, _through_provider(_start(client), account))


def _signed_in_as(client) -> int | None:
    with client.session_transaction() as session:
        user_id = session.get("_user_id")
    return int(user_id.split(":")[0]) if user_id else None


def test_the_sign_in_page_offers_company_sign_in_only_when_configured(client, provider, use_provider):
    assert b'data-testid="oidc-sign-in"' not in client.get("/auth/login").data
    assert client.get("/auth/oidc/start").headers["Location"].endswith("/auth/login")
    use_provider(provider)
    assert b'data-testid="oidc-sign-in"' in client.get("/auth/login").data


def test_a_linked_user_signs_in_and_a_verified_email_links_once(client, app, make_user, provider, use_provider):
    use_provider(provider)
    manager = make_user("manager", email="alice@example.com")
    response = _sign_in(client, "sub-alice")
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")
    assert _signed_in_as(client) == manager.id
    assert client.get("/dashboard").status_code == 200
    with app.app_context():
        user = db.session.get(User, manager.id)
        assert (user.oidc_issuer, user.oidc_subject) == (provider.issuer, "sub-alice")
        assert user.roles == ["manager"]  # no mapping: the roles stay Oversight's
    actions = [action for action, _ in _actions(app)]
    assert actions[-2:] == ["auth.oidc_linked", "auth.login"]

    # From now on the subject decides: another account with that e-mail is not the same person.
    client.post("/auth/logout")
    with app.app_context():
        db.session.get(User, manager.id).email = "renamed@example.com"
        db.session.commit()
    assert _sign_in(client, "sub-alice").headers["Location"].endswith("/dashboard")
    assert _signed_in_as(client) == manager.id


def test_an_unverified_email_is_not_linked(client, app, make_user, provider, use_provider):
    use_provider(provider)
    make_user("admin", email="bob@example.com")
    response = _sign_in(client, "sub-bob")
    assert response.headers["Location"].endswith("/auth/login")
    assert _signed_in_as(client) is None
    action, summary = _actions(app)[-1]
    assert action == "auth.login_failed" and "unknown subject sub-bob" in summary


def test_a_trusted_providers_email_links_without_email_verified(client, app, make_user, provider, use_provider):
    use_provider(provider)
    bob = make_user("viewer", email="bob@example.com")
    _settings(app, **{OIDC_TRUST_EMAIL: True})
    assert _sign_in(client, "sub-bob").headers["Location"].endswith("/dashboard")
    assert _signed_in_as(client) == bob.id


def test_unknown_subject_with_jit_off_then_on(client, app, provider, use_provider):
    use_provider(provider)
    assert _sign_in(client, "sub-carol").headers["Location"].endswith("/auth/login")
    with app.app_context():
        assert db.session.scalar(db.select(User).where(User.email == "carol@example.com")) is None
    assert _actions(app)[-1][0] == "auth.login_failed"

    _settings(app, **{OIDC_CREATE_USERS: True})
    assert _sign_in(client, "sub-carol").headers["Location"].endswith("/dashboard")
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "carol@example.com"))
        assert user.roles == ["viewer"] and user.oidc_subject == "sub-carol" and user.name == "Carol"
    assert [action for action, _ in _actions(app)][-2:] == ["user.create", "auth.login"]


def test_jit_never_creates_an_account_from_an_unverified_email(client, app, provider, use_provider):
    use_provider(provider)
    _settings(app, **{OIDC_CREATE_USERS: True})
    assert _sign_in(client, "sub-bob").headers["Location"].endswith("/auth/login")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def test_groups_claim_sets_the_roles_when_a_mapping_is_set(client, app, make_user, provider, use_provider):
    use_provider(provider)
    carol = make_user("viewer", "admin", email="carol@example.com")
    _settings(app, **{OIDC_ROLE_MAPPING: "ov-legal=legal; ov-audit=auditor,viewer; ov-managers=manager"})
    assert _sign_in(client, "sub-carol").headers["Location"].endswith("/dashboard")
    with app.app_context():
        assert db.session.get(User, carol.id).roles == ["auditor", "legal", "viewer"]
    action, summary = _actions(app)[-2]
    assert action == "user.update" and "groups" in summary


def test_wrong_state_is_refused(client, app, provider, use_provider):
    use_provider(provider)
    callback = _through_provider(_start(client), "sub-alice")
    query = parse_qs(urlsplit(callback).query)
    response = client.get(f"/auth/oidc/callback?code={query['code'][0]}&state=not-the-state")
    assert response.headers["Location"].endswith("/auth/login") and _signed_in_as(client) is None
    action, summary = _actions(app)[-1]
    assert action == "auth.login_failed" and "MismatchingStateError" in summary


def test_wrong_nonce_is_refused(client, app, make_user, provider, use_provider):
    use_provider(provider)
    make_user("viewer", email="alice@example.com")
    callback = _through_provider(_start(client), "sub-alice")
    # The session expected another nonce than the one the provider put into the ID token (an ID token
    # obtained for another sign-in): refused.
    with client.session_transaction() as session:
        for key, value in session.items():
            if key.startswith("_state_oidc_"):
                value["data"]["nonce"] = "another-nonce"
                session[key] = value
    response = _callback(client, callback)
    assert response.headers["Location"].endswith("/auth/login") and _signed_in_as(client) is None
    action, summary = _actions(app)[-1]
    assert action == "auth.login_failed" and "nonce" in summary


def test_an_expired_id_token_is_refused(request, client, app, make_user, use_provider):
    # A provider whose clock is an hour behind issues ID tokens that expired (ttl 600 s) long ago.
    use_provider(_provider(request, clock_offset_seconds=-3600))
    make_user("viewer", email="alice@example.com")
    response = _sign_in(client, "sub-alice")
    assert response.headers["Location"].endswith("/auth/login") and _signed_in_as(client) is None
    action, summary = _actions(app)[-1]
    assert action == "auth.login_failed" and "exp" in summary


def test_a_wrongly_signed_id_token_is_refused(request, client, app, make_user, use_provider):
    # The provider publishes another key under its key id: its ID tokens' signatures do not verify.
    use_provider(_provider(request, foreign_jwks=True))
    make_user("viewer", email="alice@example.com")
    response = _sign_in(client, "sub-alice")
    assert response.headers["Location"].endswith("/auth/login") and _signed_in_as(client) is None
    action, summary = _actions(app)[-1]
    assert action == "auth.login_failed" and "BadSignatureError" in summary


def test_passwords_off_except_for_the_break_glass_admin(client, app, make_user, provider, use_provider):
    use_provider(provider)
    admin, other_admin, viewer = make_user("admin"), make_user("admin"), make_user("viewer")
    _settings(app, **{PASSWORD_SIGN_IN: False, BREAK_GLASS_EMAIL: admin.email.upper()})
    for refused in (other_admin, viewer):
        response = client.post("/auth/login", data={"email": refused.email, "password": refused.password})
        assert response.status_code == 200 and _signed_in_as(client) is None
        action, summary = _actions(app)[-1]
        assert action == "auth.login_failed" and "password sign-in is off" in summary
    response = client.post("/auth/login", data={"email": admin.email, "password": admin.password})
    assert response.status_code == 302 and _signed_in_as(client) == admin.id

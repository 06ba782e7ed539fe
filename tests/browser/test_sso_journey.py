"""A manager signs in with the company account (a real OpenID provider on loopback), sets up the
authenticator app, and approves a contract after entering a fresh code (the step-up)."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from oversight.activity.models import ActivityLog
from oversight.admin.settings import edit_state, save_settings, stored_settings
from oversight.admin.sign_in_settings import STEP_UP_MINUTES
from oversight.contracts.models import APPROVED, Contract
from oversight.extensions import db
from tests.contracts.helpers import approve_selection, cleared, user
from tests.oidc.provider import OpenIDProvider

pytestmark = pytest.mark.browser

SCREENSHOTS = "test-artifacts"


@pytest.fixture
def provider(live_server, app, monkeypatch):
    provider = OpenIDProvider(
        redirect_uris=[f"{live_server.url}/auth/oidc/callback"],
        accounts={"sub-mori": {"email": "mori@example.com", "email_verified": True, "name": "森"}},
    ).start()
    for key, value in provider.app_config().items():
        monkeypatch.setitem(app.config, key, value)
    monkeypatch.setitem(app.config, "OIDC_PROVIDER_NAME", "Test IdP")
    monkeypatch.setitem(app.config, "SECOND_FACTOR_ENFORCED", True)
    yield provider
    provider.stop()


def _next_step_code(secret: str) -> str:
    """Wait, like a person would, for the app to show a new code; return it."""
    totp = pyotp.TOTP(secret)
    step = totp.timecode(time.time())
    while totp.timecode(time.time()) == step:
        time.sleep(0.2)
    return totp.now()


def test_manager_signs_in_with_the_company_account_enrols_and_approves(page, app, provider):
    with app.app_context():
        procurement, legal = user("procurement", email="p@example.com"), user("legal", email="l@example.com")
        manager = user("manager", email="mori@example.com")
        contract = cleared(procurement, legal)
        approve_selection(contract.vendor)
        save_settings({STEP_UP_MINUTES: 1}, actor=None, state=edit_state(stored_settings()))
        db.session.commit()
        contract_id, manager_id = contract.id, manager.id

    page.goto(f"/contracts/{contract_id}")
    page.wait_for_url(re.compile(r".*/auth/login.*"))
    page.get_by_test_id("oidc-sign-in").click()
    page.wait_for_url(re.compile(r"http://127\.0\.0\.1:\d+/interaction/.*"))
    page.fill("input[name=login]", "sub-mori")
    page.get_by_role("button", name="Sign in").click()

    # Back in Oversight: the manager must set up the second factor before anything else.
    page.wait_for_url(re.compile(r".*/auth/second-factor/setup.*"))
    expect(page.get_by_test_id("totp-qr").locator("svg")).to_be_visible()
    page.screenshot(path=f"{SCREENSHOTS}/sso-enrol.png", full_page=True)
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    page.get_by_role("button", name="確認").click()
    expect(page.get_by_test_id("recovery-codes").locator("code")).to_have_count(10)
    page.screenshot(path=f"{SCREENSHOTS}/sso-recovery-codes.png", full_page=True)
    page.get_by_role("link", name="コードを保管しました").click()
    page.wait_for_url(re.compile(rf".*/contracts/{contract_id}$"))

    # A minute later (the step-up setting), approving asks for a fresh code first.
    time.sleep(61)
    page.get_by_test_id("approve-contract").click()
    page.wait_for_url(re.compile(r".*/auth/second-factor\?.*step_up=1.*"))
    page.screenshot(path=f"{SCREENSHOTS}/sso-step-up.png", full_page=True)
    page.fill("input[name=code]", _next_step_code(secret))
    page.get_by_role("button", name="続ける").click()
    page.wait_for_url(re.compile(rf".*/contracts/{contract_id}$"))
    page.get_by_test_id("approve-contract").click()
    expect(page.locator(".alert-success")).to_be_visible()

    with app.app_context():
        assert db.session.get(Contract, contract_id).status == APPROVED
        actions = list(db.session.scalars(
            db.select(ActivityLog.action).where(ActivityLog.actor_id == manager_id).order_by(ActivityLog.id)
        ))
    assert actions[:3] == ["auth.oidc_linked", "auth.login", "auth.second_factor_enrolled"]
    assert "auth.second_factor" in actions and "contract.approve" in actions

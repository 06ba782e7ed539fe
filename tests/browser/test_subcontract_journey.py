"""Procurement asks consent for a level-2 subcontractor, legal reviews, a manager grants it (green on the
chain), then revokes it (red)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from oversight.core.timeutil import local_today
from oversight.extensions import db
from tests.browser.helpers import sign_out
from tests.contracts.helpers import approve_selection
from tests.subcontracts.helpers import Team
from tests.vendors.factories import create_vendor

pytestmark = pytest.mark.browser


def _chain(app):
    """A contract in force whose level-1 subcontractor is consented, and a vendor ready to be its subcontractor."""
    with app.app_context():
        today = local_today()
        team = Team(start_on=today - timedelta(days=30), end_on=today + timedelta(days=300))
        top = team.node()
        team.consented(top, expires_on=today + timedelta(days=200))
        vendor = create_vendor(name="株式会社はやて封入センター")
        db.session.flush()
        approve_selection(vendor, valid_until=today + timedelta(days=300))
        db.session.commit()
        return team.contract.id, top.id, vendor.id


def _switch(page, sign_in, user) -> None:
    """Sign out through the user menu, then sign in as ``user``."""
    sign_out(page)
    sign_in(user)


def test_level_two_consent_from_request_to_revocation(app, page, make_user, sign_in):
    procurement = make_user("procurement", name="調達 花子")
    legal = make_user("legal", name="法務 一郎")
    manager = make_user("manager", name="責任 三郎")
    contract_id, top_id, vendor_id = _chain(app)

    sign_in(procurement)
    page.goto(f"/subcontracts/contracts/{contract_id}")
    page.locator(f"[data-testid=chain-node][data-node-id='{top_id}'] a", has_text="配下").click()
    expect(page.locator("select[name=parent]")).to_have_value(str(top_id))
    page.locator("select[name=vendor]").select_option(str(vendor_id))
    page.locator("textarea[name=scope_of_work]").fill("給与明細の封入・発送")
    page.locator("textarea[name=data_scope]").fill("従業員の氏名、住所")
    page.locator("textarea[name=handling_method]").fill("専用室で作業、施錠保管")
    page.locator("input[name=stage][value=planned]").check()
    page.get_by_test_id("save-node").click()
    page.wait_for_url(re.compile(r".*/subcontracts/\d+$"))
    node_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator("h1")).to_contain_text("第2階層（再々委託）")
    expect(page.get_by_test_id("violation")).to_contain_text("許諾のない再委託")

    page.get_by_test_id("request-consent").click()
    expect(page.locator("textarea[name=scope_of_work]")).to_have_value("給与明細の封入・発送")
    page.locator("textarea[name=supervision_plan]").fill("再委託先が月次で作業記録を確認し報告する")
    page.locator("input[name=has_c04]").check()
    page.locator("input[name=has_c14]").check()
    page.get_by_test_id("send-request").click()
    page.wait_for_url(re.compile(rf".*/subcontracts/{node_id}$"))
    expect(page.get_by_test_id("consent-status").first).to_contain_text("法務審査待ち")
    expect(page.get_by_test_id("node-stage")).to_have_attribute("data-entrusted", "no")

    _switch(page, sign_in, legal)
    page.goto(f"/subcontracts/{node_id}")
    page.locator("select[name=recommendation]").select_option("approve")
    page.locator("textarea[name=note]").fill("フローダウン条項あり、選定評価承認済み")
    page.get_by_test_id("submit-review").click()
    expect(page.get_by_test_id("consent-status").first).to_contain_text("管理責任者の判断待ち")

    _switch(page, sign_in, manager)
    page.goto(f"/subcontracts/{node_id}")
    page.locator("input[name=decision][value=approve]").check()
    page.locator("textarea[name=conditions]").fill("年1回の取扱状況報告")
    page.get_by_test_id("submit-decision").click()
    expect(page.get_by_test_id("decided-by")).to_contain_text("責任 三郎")
    page.goto(f"/subcontracts/contracts/{contract_id}")
    node = page.locator(f"[data-testid=chain-node][data-node-id='{node_id}']")
    expect(node).to_have_attribute("data-state", "green")
    expect(page.get_by_test_id("light-subcontract").first).to_have_attribute("data-state", "green")

    page.goto(f"/subcontracts/{node_id}")
    page.locator("textarea[name=reason]").fill("監査で安全管理措置の不備が判明")
    page.get_by_test_id("submit-revoke").click()
    expect(page.get_by_test_id("violation")).to_contain_text("許諾取消し")
    page.goto(f"/subcontracts/contracts/{contract_id}")
    expect(node).to_have_attribute("data-state", "red")
    expect(node.get_by_test_id("chain-reason")).to_contain_text("許諾取消し")

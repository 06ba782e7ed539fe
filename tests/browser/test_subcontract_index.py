"""Issue #18 item 7 in a browser: the subcontract index lists every relation and leads procurement to
record a subcontractor; the subcontractor-only vendor's 契約 light reads 「再委託先（許諾に基づく）」.

With ``SHOTS_DIR`` set, screenshots of the index and of the vendor page at desktop and phone width are
written there.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from oversight.core.timeutil import local_today
from oversight.disposals import services as disposal_services
from oversight.extensions import db
from tests.browser.helpers import shoot
from tests.contracts.helpers import approve_selection, signed
from tests.subcontracts.helpers import Team
from tests.vendors.factories import create_vendor

pytestmark = pytest.mark.browser



def _chains(app) -> dict:
    """A contract in force with a consented and an unconsented subcontractor, an ended contract with a
    consented one, and a vendor ready to be recorded."""
    with app.app_context():
        today = local_today()
        team = Team(start_on=today - timedelta(days=30), end_on=today + timedelta(days=300))
        consented = team.node(vendor=create_vendor(name="株式会社あおば印刷"))
        team.consented(consented, expires_on=today + timedelta(days=200))
        team.node(vendor=create_vendor(name="株式会社みなと封入"), is_entrusted=True)
        ended = Team.of(
            signed(
                team.procurement,
                team.legal,
                team.manager,
                vendor=create_vendor(name="株式会社旧委託先"),
                start_on=today - timedelta(days=400),
                end_on=today + timedelta(days=30),
            )
        )
        gone = ended.node(vendor=create_vendor(name="株式会社ゆうひ保管"))
        ended.consented(gone, expires_on=today + timedelta(days=30))
        disposal_services.terminate_contract(
            ended.contract, ended_on=today, reason="業務の終了", actor=team.manager, today=today
        )
        vendor = create_vendor(name="株式会社はやて封入センター")
        db.session.flush()
        approve_selection(vendor, valid_until=today + timedelta(days=300))
        db.session.commit()
        return {
            "contract": team.contract.id,
            "number": team.contract.number,
            "consented_vendor": consented.vendor_id,
            "vendor": vendor.id,
        }


def _shoot(page, name: str) -> None:
    shoot(page, os.environ.get("SHOTS_DIR"), name, fits_width=True)


def test_the_index_lists_all_and_leads_to_recording_a_subcontractor(app, page, make_user, sign_in):
    procurement = make_user("procurement", name="調達 花子")
    ids = _chains(app)
    sign_in(procurement)

    page.goto("/subcontracts/")
    rows = page.get_by_test_id("all-row")
    expect(rows).to_have_count(3)
    expect(page.get_by_test_id("all")).to_contain_text("許諾済み（契約終了）")
    _shoot(page, "subcontracts-index")
    page.get_by_test_id("section-violations").click()
    expect(page.get_by_test_id("violations-row")).to_have_count(1)

    page.get_by_test_id("add-subcontractor").click()
    page.wait_for_url("**/subcontracts/new")
    expect(page.get_by_test_id("contract-choice")).to_have_count(1)  # the ended contract is not offered
    _shoot(page, "subcontracts-new")
    page.get_by_test_id("choose-contract").click()
    page.wait_for_url(f"**/subcontracts/contracts/{ids['contract']}/new")
    _shoot(page, "subcontracts-node-form")
    page.locator("select[name=vendor]").select_option(str(ids["vendor"]))
    page.locator("textarea[name=scope_of_work]").fill("給与明細の封入・発送")
    page.locator("textarea[name=data_scope]").fill("従業員の氏名、住所")
    page.locator("textarea[name=handling_method]").fill("専用室で作業、施錠保管")
    page.locator("input[name=stage][value=planned]").check()
    page.get_by_test_id("save-node").click()
    page.wait_for_url(re.compile(r".*/subcontracts/\d+$"))

    page.goto("/subcontracts/?q=はやて")
    expect(page.get_by_test_id("all-row")).to_have_count(1)

    page.goto(f"/vendors/{ids['consented_vendor']}")
    expect(page.locator("body")).to_contain_text("再委託先（許諾に基づく）")
    _shoot(page, "vendor-subcontractor-only")

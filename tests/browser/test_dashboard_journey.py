"""A manager sees an overdue deletion on the dashboard, confirms its certificate, and the item leaves the dashboard."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from oversight.core.timeutil import local_today
from oversight.disposals import services as disposal_services
from oversight.extensions import db
from tests.contracts.helpers import NOW, pdf, people, signed
from tests.dashboard.helpers import CERTIFICATE
from tests.vendors.factories import create_vendor

pytestmark = pytest.mark.browser


def _overdue_certified_deletion(today):
    """A contract that ended 40 days ago; procurement recorded the certificate but nobody confirmed it."""
    procurement, legal, manager = people()
    vendor = create_vendor(name="株式会社ダッシュボード給与")
    db.session.flush()
    contract = signed(
        procurement,
        legal,
        manager,
        vendor=vendor,
        start_on=today - timedelta(days=400),
        end_on=today - timedelta(days=40),
    )
    disposal_services.close_ended_contracts(today)
    item = disposal_services.items_of_contract(contract)[0]
    certificate = {**CERTIFICATE, "completed_on": today - timedelta(days=2)}
    disposal_services.record_certificate(
        item, certificate, file_storage=pdf("cert.pdf"), actor=procurement, now=NOW, today=today
    )
    db.session.commit()
    return SimpleNamespace(email=manager.email, password="x" * 16), item.id


def test_manager_confirms_an_overdue_deletion_from_the_dashboard(app, page, sign_in):
    today = local_today()
    with app.app_context():
        manager, item_id = _overdue_certified_deletion(today)

    sign_in(manager)
    overdue = page.get_by_test_id("overdue")
    row = overdue.locator("tr[data-kind='disposal']")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("株式会社ダッシュボード給与")
    expect(row).to_contain_text("10 日超過")
    work = page.get_by_test_id("my-work").locator("tr[data-kind='deletion_confirmation']")
    expect(work).to_have_count(1)

    row.get_by_role("link").click()
    page.wait_for_url(f"**/disposals/{item_id}")
    page.get_by_test_id("confirm-disposal").click()
    expect(page.get_by_test_id("disposal-state")).to_have_text("確認済")

    page.goto("/dashboard")
    expect(page.get_by_text("期限超過はありません。")).to_be_visible()
    expect(page.locator("tr[data-kind='disposal']")).to_have_count(0)
    expect(page.get_by_text("あなたの対応待ちはありません。")).to_be_visible()

"""An auditor records an on-site audit with a finding and a photo; a manager signs it off; the auditor
records the vendor's corrective plan and verifies it. The vendor's 把握 light goes red → amber → green."""

import re
import struct
import zlib
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from oversight.core.timeutil import local_today
from oversight.extensions import db
from tests.browser.helpers import sign_out
from tests.vendors.factories import create_vendor

pytestmark = pytest.mark.browser


def _png(width: int = 8, height: int = 8) -> bytes:
    """A small solid-colour PNG made here, so the test needs no fixture file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\x20\x80\xc0" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _sign_out(page):
    sign_out(page)


def _grasp_light(page):
    return page.get_by_test_id("light-monitoring").first


def _record_audit(page, today) -> str:
    """From the vendor page: plan, record the checklist with a finding and a photo, submit; returns the audit URL."""
    page.get_by_test_id("plan-audit").click()
    form = page.get_by_test_id("audit-form")
    form.locator("select[name=kind]").select_option("on_site")
    form.locator("input[name=conducted_on]").fill(today.isoformat())
    form.locator("textarea[name=scope_note]").fill("管理区域と給与計算システムの実地確認")
    page.get_by_test_id("save-audit").click()
    expect(page.get_by_test_id("audit-status")).to_have_text("予定")

    page.get_by_test_id("start-recording").click()
    page.wait_for_url(re.compile(r".*/audits/\d+/checklist"))
    audit_url = page.url.removesuffix("/checklist")
    selects = page.locator("#results-form select[name^=result_]")
    expect(selects).to_have_count(20)
    for index in range(selects.count()):
        selects.nth(index).select_option("conforming")
    page.get_by_test_id("item-A10").locator("select").select_option("finding")
    page.get_by_test_id("item-A10").locator("textarea").fill("入退室記録に押印漏れ")
    page.get_by_test_id("save-results").click()
    expect(page.get_by_test_id("progress")).to_contain_text("20項目中20項目")

    evidence = page.get_by_test_id("evidence-form")
    a10 = evidence.locator("select[name=item_id] option", has_text="A10").get_attribute("value")
    evidence.locator("select[name=item_id]").select_option(a10)
    evidence.locator("input[type=file]").set_input_files(
        files=[{"name": "entrance-log.png", "mimeType": "image/png", "buffer": _png()}]
    )
    evidence.locator("textarea[name=description]").fill("入退室管理簿の写真")
    evidence.locator("button[type=submit]").click()
    expect(page.get_by_test_id("item-A10")).to_contain_text("entrance-log.png")

    page.get_by_test_id("add-finding-A10").click()
    finding_form = page.get_by_test_id("finding-form")
    finding_form.locator("select[name=severity]").select_option("serious")
    finding_form.locator("textarea[name=description]").fill("入退室記録に押印漏れが3件あった")
    finding_form.locator("textarea[name=requested_action]").fill("記録様式を見直し、担当者へ周知すること")
    finding_form.locator("input[name=due_on]").fill((today + timedelta(days=30)).isoformat())
    finding_form.locator("button[type=submit]").click()
    expect(page.locator("#findings")).to_contain_text("入退室記録に押印漏れが3件あった")

    page.get_by_test_id("submit-audit").click()
    page.select_option("select[name=overall_rating]", "acceptable")
    page.select_option("select[name=decision]", "continue")
    page.fill("textarea[name=summary]", "重大な指摘1件。是正計画を求めた。")
    page.get_by_test_id("submit-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("audit-status")).to_have_text("承認待ち")
    expect(page.get_by_test_id("signoff-form")).to_have_count(0)

    return audit_url


def _sign_off(page, audit_url: str) -> None:
    page.goto(audit_url)
    page.get_by_test_id("signoff-form").locator("textarea[name=note]").fill("是正を確認すること")
    page.get_by_test_id("signoff-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("audit-status")).to_have_text("承認済み")
    expect(page.get_by_test_id("signed-off-by")).to_contain_text("責任 三郎")
    expect(_grasp_light(page)).to_have_attribute("data-state", "amber")  # the serious finding is still open


def _record_plan_and_verify(page, vendor_id: int) -> None:
    page.goto(f"/vendors/{vendor_id}")
    page.get_by_test_id("vendor-findings").get_by_role("link").first.click()
    plan = page.get_by_test_id("plan-form")
    plan.locator("textarea[name=plan_text]").fill("押印欄チェックを様式に追加し、朝礼で周知した")
    plan.locator("button[type=submit]").click()
    expect(page.get_by_test_id("finding-status")).to_have_text("是正計画受領")
    verify = page.get_by_test_id("verify-form")
    verify.locator("select[name=outcome]").select_option("effective")
    verify.locator("textarea[name=note]").fill("改訂様式と周知記録を確認")
    verify.locator("button[type=submit]").click()
    expect(page.get_by_test_id("finding-status")).to_have_text("是正確認済み")


def test_audit_finding_sign_off_and_correction_turn_the_light_green(app, page, make_user, sign_in):
    auditor = make_user("auditor", name="監査 次郎")
    manager = make_user("manager", name="責任 三郎")
    with app.app_context():
        vendor = create_vendor(name="株式会社さくら給与計算センター", risk_tier="high")
        vendor.status = "active"
        db.session.commit()
        vendor_id = vendor.id
    today = local_today()

    sign_in(auditor)
    page.goto(f"/vendors/{vendor_id}")
    expect(_grasp_light(page)).to_have_attribute("data-state", "red")
    audit_url = _record_audit(page, today)
    _sign_out(page)

    sign_in(manager)
    _sign_off(page, audit_url)
    _sign_out(page)

    sign_in(auditor)
    _record_plan_and_verify(page, vendor_id)

    page.goto(f"/vendors/{vendor_id}")
    light = _grasp_light(page)
    expect(light).to_have_attribute("data-state", "green")
    expect(light).to_contain_text("監査済み")
    page.goto("/vendors/?grasp=green")
    expect(page.get_by_test_id("vendor-table")).to_contain_text("株式会社さくら給与計算センター")

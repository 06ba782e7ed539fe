"""A manager records a vendor incident, sees the clocks, records the 速報, downloads the PPC report
and is reminded of the 確報 by e-mail."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import expect

from oversight.extensions import db
from oversight.reminders import services as reminder_services
from tests.vendors.factories import create_vendor

pytestmark = pytest.mark.browser


def test_manager_records_incident_reports_and_gets_final_report_reminder(app, page, make_user, sign_in, smtp_server):
    manager = make_user("manager", name="責任 花子")
    with app.app_context():
        vendor = create_vendor(name="株式会社さくら給与計算センター")
        db.session.commit()
        vendor_id = vendor.id

    sign_in(manager)
    page.goto(f"/vendors/{vendor_id}")
    page.goto("/incidents/new")
    form = page.get_by_test_id("incident-form")
    form.locator("input[name=title]").fill("源泉徴収票の誤送付")
    form.locator("select[name=vendor_id]").select_option(str(vendor_id))
    form.locator("textarea[name=description]").fill("封入ミスにより別人宛てに送付")
    form.locator("input[name=occurred_on]").fill("2026-11-02")
    form.locator("input[name=vendor_knew_on]").fill("2026-11-02")
    form.locator("input[name=vendor_notified_on]").fill("2026-11-03")
    form.locator("input[name=categories][value='R4-i']").check()
    form.locator("input[name=people_min]").fill("120")
    form.locator("input[name=people_max]").fill("180")
    form.locator("textarea[name=cause]").fill("封入機の設定誤り")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/incidents/\d+$"))
    incident_id = int(page.url.rsplit("/", 1)[1])

    expect(page.locator(".alert-success")).to_contain_text("登録しました")
    expect(page.get_by_test_id("reportability")).to_contain_text("報告対象")
    expect(page.get_by_test_id("clock-final")).to_contain_text("2026-12-02")
    expect(page.get_by_test_id("clock-preliminary")).to_contain_text("2026-11-07")
    expect(page.get_by_test_id("clock-vendor_notice")).to_have_attribute("data-state", "done")

    page.get_by_test_id("step-preliminary_report").get_by_role("link").click()
    step_form = page.get_by_test_id("step-form")
    step_form.locator("input[name=done_on]").fill("2026-11-05")
    step_form.locator("input[name=reference]").fill("PPC-2026-0815")
    step_form.locator("textarea[name=note]").fill("委員会ウェブフォームで速報")
    step_form.locator("button[value=done]").click()
    page.wait_for_url(re.compile(rf".*/incidents/{incident_id}#steps$"))
    expect(page.get_by_test_id("step-preliminary_report")).to_have_attribute("data-status", "done")
    expect(page.get_by_test_id("clock-preliminary")).to_have_attribute("data-state", "done")

    with page.expect_download() as download_info:
        page.get_by_test_id("report-final").click()
    path = download_info.value.path()
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "確報" in text and "PPC-2026-0815" in text and "源泉徴収票の誤送付" in text

    with app.app_context():
        result = reminder_services.send_due_reminders(date(2026, 11, 26), datetime(2026, 11, 25, 23, 30, tzinfo=UTC))
    assert not result.rule_errors
    mails = [message for message in smtp_server.messages if manager.email in message["To"]]
    assert mails, "the manager got no reminder"
    body = mails[0].get_body(("plain",)).get_content()
    assert "確報期限" in body and "2026-12-02" in body and f"/incidents/{incident_id}" in body

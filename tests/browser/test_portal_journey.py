"""The vendor portal end to end: an auditor sends a periodic-report request, the e-mail reaches a real SMTP
server, its link opens the portal, the vendor's contact answers, uploads evidence and submits; the auditor
returns one item with a comment, the contact asks for a new link, fixes the answer and resubmits; the auditor
accepts and a periodic-report audit holds the answers. The auditor raises the finding on the partly conforming
item and submits the audit, another user (a manager) signs it off, and the vendor's 把握 light turns from red
(never audited) to green on the vendor page and in the vendor list.

With ``PORTAL_SHOTS=<folder>`` the portal pages are also saved as screenshots at 1280 and 390 px.
"""

import os
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from oversight.audits.models import FINDING, MINOR, PERIODIC_REPORT, SIGNED_OFF, Audit
from oversight.core.timeutil import local_today
from oversight.extensions import db
from oversight.portal.models import PortalRequest
from oversight.vendors.models import Vendor, VendorContact
from tests.browser import test_accessibility as a11y
from tests.browser.helpers import sign_out
from tests.portal.helpers import fresh_token, link_path, links_in, send_request
from tests.uploads import pdf_bytes
from tests.vendors.factories import create_vendor

VENDOR_NAME = "株式会社さくら給与"

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("PORTAL_SHOTS")


def _shot(page, name: str) -> None:
    if not SHOTS:
        return
    os.makedirs(SHOTS, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=os.path.join(SHOTS, f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _open_link_from(page, message) -> None:
    [url] = links_in(message)
    # Let the page shown before (often the sign-in page after a staff sign-out) finish every request first: a
    # late response of it carries that page's session cookie and would replace the portal session the link
    # starts (seen on a loaded machine: the link signed in, the next page found no portal session).
    page.wait_for_load_state("networkidle")
    page.goto(link_path(url))
    # The link answers with a redirect to the portal's home: check where the page is (polling), rather than
    # wait for a navigation that may already have happened.
    expect(page).to_have_url(re.compile(r".*/portal/$"))


def _answer_everything_and_upload(page) -> None:
    """The contact answers every item, saves a draft and uploads a PDF."""
    report = page.get_by_test_id("portal-report-form")
    selects = report.locator("select[name^=answer_]")
    count = selects.count()
    assert count >= 20
    for index in range(count):
        selects.nth(index).select_option("conforming")
    report.locator("textarea[name=comment_A02]").fill("規程あり")
    report.locator("textarea[name=incidents]").fill("なし")
    page.get_by_test_id("portal-save").click()
    expect(page.get_by_test_id("portal-status")).to_have_text("回答中")

    upload = page.get_by_test_id("portal-upload-form")
    upload.locator("input[type=file]").set_input_files(
        {"name": "handling-rules.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes("Handling rules")}
    )
    upload.locator("button[type=submit]").click()
    expect(page.get_by_test_id("portal-files")).to_contain_text("handling-rules.pdf")
    _shot(page, "portal-report")


def _grasp_light(page):
    """The 把握 (monitoring) light of the vendor page."""
    return page.get_by_test_id("light-monitoring").first


def _grasp_light_in_vendor_list(page, state: str):
    """The 把握 light in the vendor's row of the vendor list filtered by that light's stored state."""
    page.goto(f"/vendors/?grasp={state}")
    row = page.get_by_test_id("vendor-table").locator("tbody tr", has_text=VENDOR_NAME)
    expect(row).to_have_count(1)
    return row.get_by_test_id("light-monitoring")


def _send_request(page, vendor_id: int) -> None:
    """From the vendor page, the auditor sends a periodic-report request to the contact."""
    page.goto(f"/vendors/{vendor_id}")
    expect(_grasp_light(page)).to_have_attribute("data-state", "red")  # an active vendor never audited
    page.get_by_test_id("new-request").click()
    form = page.get_by_test_id("request-form")
    form.locator("select[name=kind]").select_option("periodic_report")
    form.locator("input[name=contact_ids]").check()
    form.locator("input[name=due_on]").fill((local_today() + timedelta(days=30)).isoformat())
    form.locator("textarea[name=message]").fill("今期の定期報告をお願いします。")
    _shot(page, "staff-request-form")
    page.get_by_test_id("send-request").click()
    expect(page.get_by_test_id("request-status")).to_have_text("送付済")


def _ask_for_a_new_link(page, used_link: str) -> None:
    """The used link shows the refusal page; the contact asks for a new link."""
    page.goto(link_path(used_link))
    expect(page.get_by_test_id("link-problem")).to_be_visible()
    _shot(page, "portal-link-used")
    page.goto("/portal/new-link")
    page.get_by_test_id("new-link-form").locator("input[name=email]").fill("hanako@sakura.example")
    page.get_by_test_id("new-link-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("link-sent")).to_be_visible()


def _vendor_with_contact(app) -> int:
    with app.app_context():
        vendor = create_vendor(name=VENDOR_NAME)
        vendor.status = "active"
        contact = VendorContact(vendor=vendor, name="山田 花子", email="hanako@sakura.example", department="総務部")
        db.session.add(contact)
        db.session.commit()
        return vendor.id


def test_periodic_report_through_the_vendor_portal(app, page, make_user, sign_in, smtp_server):
    auditor = make_user("auditor", name="監査 一郎")
    manager = make_user("manager", name="責任 三郎")
    vendor_id = _vendor_with_contact(app)

    sign_in(auditor)
    _send_request(page, vendor_id)
    request_url = page.url
    sign_out(page)

    [message] = smtp_server.messages
    assert message["To"].addresses[0].addr_spec == "hanako@sakura.example"
    [first_link] = links_in(message)
    _open_link_from(page, message)
    expect(page.get_by_test_id("portal-who")).to_contain_text("山田 花子")
    _shot(page, "portal-home")
    page.get_by_test_id("portal-requests").get_by_role("link").first.click()

    _answer_everything_and_upload(page)
    page.get_by_test_id("portal-submit").click()
    expect(page.get_by_test_id("portal-status")).to_have_text("提出済")
    page.get_by_test_id("portal-sign-out").click()

    # The auditor returns A02 with a comment.
    sign_in(auditor)
    page.goto(request_url)
    page.locator("textarea[name=review_A02]").fill("規程の名称と条番号を記載してください")
    page.get_by_test_id("review-return").click()
    expect(page.get_by_test_id("request-status")).to_have_text("差戻し")
    sign_out(page)

    # The first link is used up: the contact asks for a new one.
    _ask_for_a_new_link(page, first_link)
    _open_link_from(page, smtp_server.messages[-1])
    page.get_by_test_id("portal-requests").get_by_role("link").first.click()
    expect(page.get_by_test_id("review-comment-A02")).to_contain_text("条番号")
    _shot(page, "portal-returned")
    report = page.get_by_test_id("portal-report-form")
    report.locator("select[name=answer_A02]").select_option("partial")
    report.locator("textarea[name=comment_A02]").fill("個人情報取扱規程 第5条")
    page.get_by_test_id("portal-submit").click()
    expect(page.get_by_test_id("portal-status")).to_have_text("提出済")
    page.get_by_test_id("portal-sign-out").click()

    sign_in(auditor)
    audit_url = _accept_and_open_the_audit(page, request_url, vendor_id)
    _check_the_audit(app, vendor_id)

    # The accepted report is an audit being recorded: not yet counted, the light is still red.
    expect(page.get_by_test_id("audit-status")).to_have_text("実施中")
    expect(_grasp_light(page)).to_have_attribute("data-state", "red")
    _complete_and_submit(page, audit_url)
    sign_out(page)

    # A manager who took no part signs the periodic-report review off.
    sign_in(manager)
    _sign_off(page, audit_url)

    # The vendor's 把握 light is green on the vendor page and in the vendor list.
    _check_the_light_is_green(page, vendor_id)
    _check_the_signed_off_audit(app, audit_url)


def _accept_and_open_the_audit(page, request_url: str, vendor_id: int) -> str:
    """The auditor accepts the resubmitted report and opens the audit it became; returns the audit's URL."""
    page.goto(request_url)
    expect(page.get_by_test_id("submission-answers")).to_contain_text("個人情報取扱規程 第5条")
    _shot(page, "staff-review")
    page.get_by_test_id("review-accept").click()
    expect(page.get_by_test_id("request-status")).to_have_text("受理")
    page.goto(f"/requests/vendor/{vendor_id}")
    expect(page.get_by_test_id("vendor-request-list")).to_contain_text("受理")
    _shot(page, "staff-vendor-requests")
    page.goto(request_url)
    page.get_by_test_id("request-audit").click()
    page.wait_for_url(re.compile(r".*/audits/\d+$"))
    return page.url


def _sign_off(page, audit_url: str) -> None:
    page.goto(audit_url)
    signoff = page.get_by_test_id("signoff-form")
    signoff.locator("textarea[name=note]").fill("定期報告の内容を確認した")
    signoff.locator("button[type=submit]").click()
    expect(page.get_by_test_id("audit-status")).to_have_text("承認済み")
    expect(page.get_by_test_id("signed-off-by")).to_contain_text("責任 三郎")


def _check_the_light_is_green(page, vendor_id: int) -> None:
    page.goto(f"/vendors/{vendor_id}")
    light = _grasp_light(page)
    expect(light).to_have_attribute("data-state", "green")
    expect(light).to_contain_text("監査済み")
    expect(page.get_by_test_id("vendor-findings")).to_contain_text("軽微")  # a minor finding leaves it green
    _shot(page, "staff-vendor-after-signoff")
    expect(_grasp_light_in_vendor_list(page, "green")).to_have_attribute("data-state", "green")
    _shot(page, "staff-vendor-list-after-signoff")


def _complete_and_submit(page, audit_url: str) -> None:
    """The auditor records the finding on A02 (the vendor's partly conforming answer) with its severity and
    due date, then submits the periodic-report review for sign-off."""
    page.get_by_test_id("record-checklist").click()
    page.wait_for_url(re.compile(r".*/audits/\d+/checklist"))
    expect(page.get_by_test_id("progress")).to_contain_text("20項目中20項目")
    expect(page.get_by_test_id("item-A02").locator("select")).to_have_value("finding")
    page.get_by_test_id("add-finding-A02").click()
    finding = page.get_by_test_id("finding-form")
    expect(finding.locator("select[name=item_id] option:checked")).to_contain_text("A02")
    finding.locator("select[name=severity]").select_option("minor")
    finding.locator("textarea[name=description]").fill("取扱規程の条番号が報告に記載されていなかった")
    finding.locator("textarea[name=requested_action]").fill("次回の定期報告で規程の該当条文の写しを添付すること")
    finding.locator("input[name=due_on]").fill((local_today() + timedelta(days=60)).isoformat())
    finding.locator("button[type=submit]").click()
    expect(page.locator("#findings")).to_contain_text("取扱規程の条番号が報告に記載されていなかった")

    page.goto(audit_url)
    page.get_by_test_id("submit-audit").click()
    form = page.get_by_test_id("submit-form")
    form.locator("select[name=overall_rating]").select_option("acceptable")
    form.locator("select[name=decision]").select_option("continue")
    form.locator("textarea[name=summary]").fill("定期報告を確認した。軽微な指摘1件。")
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("audit-status")).to_have_text("承認待ち")
    expect(page.get_by_test_id("signoff-form")).to_have_count(0)  # the auditor cannot sign it off


def _check_the_signed_off_audit(app, audit_url: str) -> None:
    with app.app_context():
        audit = db.session.get(Audit, int(audit_url.rsplit("/", 1)[1]))
        assert audit.status == SIGNED_OFF and audit.completed_on == local_today()
        assert audit.signed_off_by_id not in {audit.submitted_by_id, audit.recorded_by_id}
        [finding] = audit.findings
        assert finding.item.code == "A02" and finding.severity == MINOR


def _check_the_audit(app, vendor_id: int) -> None:
    with app.app_context():
        request = db.session.scalar(db.select(PortalRequest))
        audit = db.session.get(Audit, request.audit_id)
        assert audit.kind == PERIODIC_REPORT and audit.vendor_id == vendor_id
        results = {row.item.code: row for row in audit.results}
        assert all(row.result for row in results.values())
        assert results["A02"].result == FINDING and results["A02"].note == "個人情報取扱規程 第5条"
        assert [submission.number for submission in request.submissions] == [1, 2]


@pytest.fixture
def run_axe(page):
    """axe-core's serious and critical WCAG 2.1 A/AA violations of the page shown (as test_accessibility)."""
    page.route(f"**{a11y.AXE_URL}", lambda route: route.fulfill(path=a11y.AXE, content_type="text/javascript"))

    def run() -> list[dict]:
        page.add_script_tag(url=a11y.AXE_URL)
        return page.evaluate(a11y.RUN_AXE, a11y.WCAG_21_AA)

    return run


def test_portal_pages_have_no_serious_accessibility_violations(app, page, run_axe):
    axe = run_axe
    vendor_id = _vendor_with_contact(app)
    with app.app_context():
        contact = db.session.scalar(db.select(VendorContact).where(VendorContact.vendor_id == vendor_id))
        request = send_request(db.session.get(Vendor, vendor_id), contact)
        token = fresh_token(contact)
        db.session.commit()
        request_id = request.id
    found = {}
    page.goto("/portal/new-link")
    found["new link"] = axe()
    page.goto("/portal/link/not-a-token")
    found["link problem"] = axe()
    page.goto(f"/portal/link/{token}")
    page.wait_for_url(re.compile(r".*/portal/$"))
    found["home"] = axe()
    page.goto(f"/portal/requests/{request_id}")
    found["report"] = axe()
    page.set_viewport_size({"width": 390, "height": 900})
    found["report at 390 px"] = axe()
    assert {name: violations for name, violations in found.items() if violations} == {}

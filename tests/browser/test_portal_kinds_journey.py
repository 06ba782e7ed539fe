"""The other request kinds end to end through the vendor portal, with the e-mail at a real SMTP server:

- selection questionnaire: procurement sends it → the contact answers, uploads evidence for an item, submits →
  procurement accepts → the vendor's evaluation draft holds the vendor's answers and the file;
- return/deletion certificate: procurement sends it for an ended contract's item → the contact fills in the
  certificate, uploads the file, submits → procurement accepts → a manager confirms on the return/deletion page.

With ``PORTAL_SHOTS=<folder>`` the pages are also saved as screenshots at 1280 and 390 px.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from oversight.core.timeutil import local_today
from oversight.disposals import services as disposal_services
from oversight.disposals.models import CONFIRMED, DisposalItem
from oversight.evaluations.models import Evaluation
from oversight.evidence.models import EvidenceFile
from oversight.extensions import db
from oversight.portal.models import PortalRequest
from oversight.vendors.models import VendorContact
from tests.browser.helpers import sign_out
from tests.browser.test_portal_journey import _open_link_from, _shot, _vendor_with_contact
from tests.contracts.helpers import people, signed
from tests.uploads import pdf_bytes

pytestmark = pytest.mark.browser


def _send(page, vendor_id: int, kind: str, message: str, subject_id: int | None = None) -> str:
    page.goto(f"/vendors/{vendor_id}")
    page.get_by_test_id("new-request").click()
    form = page.get_by_test_id("request-form")
    form.locator("select[name=kind]").select_option(kind)
    if subject_id is not None:
        form.locator("select[name=subject]").select_option(f"{kind}:{subject_id}")
    form.locator("input[name=contact_ids]").first.check()
    form.locator("input[name=due_on]").fill((local_today() + timedelta(days=14)).isoformat())
    form.locator("textarea[name=message]").fill(message)
    page.get_by_test_id("send-request").click()
    expect(page.get_by_test_id("request-status")).to_have_text("送付済")
    return page.url


def _upload(page, name: str, item: str | None = None) -> None:
    upload = page.get_by_test_id("portal-upload-form")
    if item is not None:
        upload.locator("select[name=item]").select_option(item)
    upload.locator("input[type=file]").set_input_files(
        {"name": name, "mimeType": "application/pdf", "buffer": pdf_bytes("Evidence")}
    )
    upload.locator("button[type=submit]").click()
    expect(page.get_by_test_id("portal-files")).to_contain_text(name)


def test_selection_questionnaire_prefills_the_evaluation(app, page, make_user, sign_in, smtp_server):
    procurement = make_user("procurement", name="調達 一郎")
    vendor_id = _vendor_with_contact(app)
    sign_in(procurement)
    request_url = _send(page, vendor_id, "questionnaire", "自己評価をお願いします。")
    sign_out(page)

    _open_link_from(page, smtp_server.messages[-1])
    page.get_by_test_id("portal-requests").get_by_role("link").first.click()
    form = page.get_by_test_id("portal-report-form")
    selects = form.locator("select[name^=answer_]")
    for index in range(selects.count()):
        selects.nth(index).select_option("conforming")
    form.locator("select[name=answer_S12]").select_option("partial")
    form.locator("textarea[name=comment_S12]").fill("新任者研修は来月実施")
    page.get_by_test_id("portal-save").click()
    expect(page.get_by_test_id("portal-status")).to_have_text("回答中")
    _upload(page, "handling-rules.pdf", item="S02")
    expect(page.get_by_test_id("item-file-S02")).to_contain_text("handling-rules.pdf")
    _shot(page, "portal-questionnaire")
    page.get_by_test_id("portal-submit").click()
    expect(page.get_by_test_id("portal-status")).to_have_text("提出済")
    page.get_by_test_id("portal-sign-out").click()

    sign_in(procurement)
    page.goto(request_url)
    expect(page.get_by_test_id("item-file-S02")).to_contain_text("handling-rules.pdf")
    _shot(page, "staff-questionnaire-review")
    page.get_by_test_id("review-accept").click()
    expect(page.get_by_test_id("request-status")).to_have_text("受理")
    page.get_by_test_id("request-evaluation").click()
    page.wait_for_url(re.compile(r".*/evaluations/\d+$"))
    expect(page.get_by_test_id("vendor-answer-S12")).to_contain_text("一部適合")
    _shot(page, "staff-evaluation-prefilled")

    with app.app_context():
        request = db.session.scalar(db.select(PortalRequest))
        evaluation = db.session.get(Evaluation, request.evaluation_id)
        answers = {answer.item.code: answer for answer in evaluation.answers}
        assert evaluation.status == "draft" and answers["S12"].vendor_answer == answers["S12"].answer == "partial"
        assert db.session.scalar(
            db.select(EvidenceFile.original_filename).where(
                EvidenceFile.owner_type == "evaluation_answer", EvidenceFile.owner_id == answers["S02"].id
            )
        ) == "handling-rules.pdf"


def _ended_contract_with_contact(app) -> tuple[int, int]:
    with app.app_context():
        procurement, legal, manager = people()
        contract = signed(procurement, legal, manager, end_on=local_today() + timedelta(days=200))
        disposal_services.terminate_contract(
            contract, ended_on=local_today() - timedelta(days=3), reason="契約解除", actor=procurement,
            today=local_today(),
        )
        [item] = disposal_services.items_of_contract(contract)
        db.session.add(VendorContact(vendor=contract.vendor, name="鈴木 次郎", email="jiro@vendor.example"))
        db.session.commit()
        return contract.vendor_id, item.id


def test_deletion_certificate_is_recorded_and_confirmed(app, page, make_user, sign_in, smtp_server):
    vendor_id, item_id = _ended_contract_with_contact(app)
    procurement = make_user("procurement", name="調達 二郎")
    manager = make_user("manager", name="管理 三郎")
    sign_in(procurement)
    request_url = _send(page, vendor_id, "deletion_certificate", "削除証明書をご提出ください。", subject_id=item_id)
    sign_out(page)

    _open_link_from(page, smtp_server.messages[-1])
    page.get_by_test_id("portal-requests").get_by_role("link").first.click()
    form = page.get_by_test_id("portal-certificate-form")
    form.locator("select[name=method]").select_option("erasure")
    form.locator("input[name=completed_on]").fill((local_today() - timedelta(days=1)).isoformat())
    form.locator("textarea[name=data_items]").fill("給与計算データ一式")
    form.locator("textarea[name=media]").fill("サーバーHDD")
    form.locator("input[name=responsible_person]").fill("情報システム部長")
    form.locator("input[name=irrecoverable]").check()
    page.get_by_test_id("portal-save").click()
    expect(page.get_by_test_id("portal-status")).to_have_text("回答中")
    _upload(page, "certificate.pdf")
    _shot(page, "portal-certificate")
    page.get_by_test_id("portal-submit").click()
    expect(page.get_by_test_id("portal-status")).to_have_text("提出済")
    page.get_by_test_id("portal-sign-out").click()

    sign_in(procurement)
    page.goto(request_url)
    expect(page.get_by_test_id("certificate-answers")).to_contain_text("給与計算データ一式")
    _shot(page, "staff-certificate-review")
    page.get_by_test_id("review-accept").click()
    expect(page.get_by_test_id("request-status")).to_have_text("受理")
    page.get_by_test_id("request-disposal").click()
    expect(page.get_by_test_id("disposal-state")).to_have_text("確認待ち")
    sign_out(page)

    sign_in(manager)
    page.goto(f"/disposals/{item_id}")
    page.get_by_test_id("confirm-disposal").click()
    expect(page.get_by_test_id("confirmed-by")).to_contain_text("管理 三郎")
    with app.app_context():
        assert db.session.get(DisposalItem, item_id).state == CONFIRMED


def test_certification_renewal_updates_the_register(app, page, make_user, sign_in, smtp_server):
    from oversight.vendors.models import VendorCertification

    vendor_id = _vendor_with_contact(app)
    with app.app_context():
        certification = VendorCertification(
            vendor_id=vendor_id, kind="isms", number="IS 500001", issuer="BSI",
            expires_on=local_today() + timedelta(days=30),
        )
        db.session.add(certification)
        db.session.commit()
        certification_id = certification.id
    procurement = make_user("procurement", name="調達 四郎")
    sign_in(procurement)
    request_url = _send(page, vendor_id, "certification_renewal", "登録証の写しをご提出ください。", certification_id)
    sign_out(page)

    _open_link_from(page, smtp_server.messages[-1])
    page.get_by_test_id("portal-requests").get_by_role("link").first.click()
    new_expiry = local_today() + timedelta(days=1095)
    form = page.get_by_test_id("portal-renewal-form")
    form.locator("input[name=expires_on]").fill(new_expiry.isoformat())
    form.locator("input[name=number]").fill("IS 500001-2")
    page.get_by_test_id("portal-save").click()
    expect(page.get_by_test_id("portal-status")).to_have_text("回答中")
    _upload(page, "isms-certificate.pdf")
    _shot(page, "portal-renewal")
    page.get_by_test_id("portal-submit").click()
    expect(page.get_by_test_id("portal-status")).to_have_text("提出済")
    page.get_by_test_id("portal-sign-out").click()

    sign_in(procurement)
    page.goto(request_url)
    expect(page.get_by_test_id("renewal-answers")).to_contain_text("IS 500001-2")
    _shot(page, "staff-renewal-review")
    page.get_by_test_id("review-accept").click()
    expect(page.get_by_test_id("request-status")).to_have_text("受理")
    with app.app_context():
        certification = db.session.get(VendorCertification, certification_id)
        assert certification.expires_on == new_expiry and certification.number == "IS 500001-2"


def test_corrective_plan_is_recorded_on_the_finding(app, page, make_user, sign_in, smtp_server):
    from oversight.audits.models import PLAN_RECEIVED, Finding
    from tests.audits.helpers import finding, recording, user

    vendor_id = _vendor_with_contact(app)
    with app.app_context():
        from oversight.vendors.models import Vendor

        raiser = user("auditor", email="raiser@example.com")
        raised = finding(recording(db.session.get(Vendor, vendor_id), raiser), raiser,
                         due_on=local_today() + timedelta(days=60), requested_on=local_today())
        db.session.commit()
        finding_id = raised.id
    auditor = make_user("auditor", name="監査 五郎")
    sign_in(auditor)
    request_url = _send(page, vendor_id, "corrective_plan", "是正計画をご提出ください。", finding_id)
    sign_out(page)

    _open_link_from(page, smtp_server.messages[-1])
    page.get_by_test_id("portal-requests").get_by_role("link").first.click()
    page.get_by_test_id("portal-plan-form").locator("textarea[name=plan]").fill("来月末までに研修を実施します。")
    _shot(page, "portal-plan")
    page.get_by_test_id("portal-submit").click()
    expect(page.get_by_test_id("portal-status")).to_have_text("提出済")
    page.get_by_test_id("portal-sign-out").click()

    sign_in(auditor)
    page.goto(request_url)
    expect(page.get_by_test_id("plan-answers")).to_contain_text("研修")
    _shot(page, "staff-plan-review")
    page.get_by_test_id("review-accept").click()
    expect(page.get_by_test_id("request-status")).to_have_text("受理")
    with app.app_context():
        assert db.session.get(Finding, finding_id).status == PLAN_RECEIVED

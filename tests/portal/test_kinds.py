"""Request kinds beyond the periodic report: the kinds list, the selection questionnaire (answers prefill the
evaluation, both answers kept) and the return/deletion certificate (recorded on the item; a manager confirms)."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest

from oversight.activity.models import ActivityLog
from oversight.auth.roles import AUDITOR, PROCUREMENT
from oversight.checklists import services as checklist_services
from oversight.checklists.models import SELECTION, ChecklistItem
from oversight.core.timeutil import local_today, utcnow
from oversight.disposals import services as disposal_services
from oversight.disposals.models import CERTIFIED, CONFIRMED, DisposalItem
from oversight.evaluations.models import Evaluation
from oversight.evidence.models import EvidenceFile
from oversight.extensions import db
from oversight.portal import services
from oversight.portal.kinds import KINDS, reviewed_by
from oversight.portal.models import (
    ACCEPTED,
    CERTIFICATION_RENEWAL,
    DELETION_CERTIFICATE,
    KIND_LABELS,
    QUESTIONNAIRE,
    PortalRequest,
)
from oversight.vendors.models import VendorContact
from tests.contracts.helpers import people, signed
from tests.portal.helpers import fresh_token, full_answers, vendor_with_contact
from tests.portal.test_portal import MY_NUMBER, PDF


def _sign_in(client, app, contact_id: int) -> None:
    with app.app_context():
        token = fresh_token(db.session.get(VendorContact, contact_id))
        db.session.commit()
    assert client.get(f"/portal/link/{token}").status_code == 302


def _version(app, request_id: int) -> str:
    with app.app_context():
        return str(db.session.get(PortalRequest, request_id).version)


def test_every_kind_is_listed_once_with_its_label_and_reviewers():
    assert [kind.name for kind in KINDS] == list(KIND_LABELS)
    assert all(kind.reviewers for kind in KINDS)
    assert reviewed_by(AUDITOR) == ("periodic_report", "corrective_plan")
    assert set(reviewed_by(PROCUREMENT)) == {QUESTIONNAIRE, DELETION_CERTIFICATE, CERTIFICATION_RENEWAL}


def test_the_selection_checklist_marks_what_a_vendor_answers(app_ctx):
    template = checklist_services.current_template(SELECTION)
    answerable = {item.code for item in template.items if item.vendor_answerable}
    assert {"S02", "S17", "S26"} <= answerable
    assert not answerable & {"S23", "S24", "S30"}


# --- the selection questionnaire -------------------------------------------------------------------


@pytest.fixture
def questionnaire(app, smtp_server):
    with app.app_context():
        vendor, contact = vendor_with_contact("株式会社Q", email="q@vendor-q.example")
        request = services.create_request(
            vendor, kind=QUESTIONNAIRE, contact_ids=[contact.id], due_on=local_today() + timedelta(days=10),
            message="自己評価をお願いします。", actor=None, now=utcnow(),
        )
        db.session.commit()
        return {"vendor_id": vendor.id, "contact_id": contact.id, "request_id": request.id}


def test_questionnaire_answers_and_files_prefill_the_evaluation(client, app, questionnaire, login_as):  # noqa: PLR0915
    request_id = questionnaire["request_id"]
    with app.app_context():
        items = services.report_items(db.session.get(PortalRequest, request_id))
    codes = [item.code for item in items]
    assert "S02" in codes and "S30" not in codes and "S24" not in codes
    _sign_in(client, app, questionnaire["contact_id"])
    page = client.get(f"/portal/requests/{request_id}").get_data(as_text=True)
    assert "S02" in page and 'name="incidents"' not in page and 'name="item"' in page

    upload = {"file": (io.BytesIO(PDF), "rules.pdf"), "description": "取扱規程", "item": "S02"}
    assert client.post(f"/portal/requests/{request_id}/evidence", data=upload).status_code == 302
    wrong = {"file": (io.BytesIO(PDF), "other.pdf"), "item": "S30"}
    assert client.post(f"/portal/requests/{request_id}/evidence", data=wrong).status_code == 400
    answers = full_answers(items, S05="partial")
    data = {"version": _version(app, request_id), "action": "submit", **answers}
    assert client.post(f"/portal/requests/{request_id}", data=data).status_code == 302
    with app.app_context():
        request = db.session.get(PortalRequest, request_id)
        assert request.status == "submitted"
        [submission] = request.submissions
        assert list(submission.answers["evidence"]) == ["S02"]
        assert "incidents" not in submission.answers
    client.post("/portal/sign-out")

    login_as("auditor")
    refused = client.post(f"/requests/{request_id}/review", data={"action": "accept", "version": "1"})
    assert refused.status_code == 403  # a questionnaire is procurement's to review
    client.post("/auth/logout")
    login_as("procurement")
    detail = client.get(f"/requests/{request_id}").get_data(as_text=True)
    assert 'data-testid="review-form"' in detail and "rules.pdf" in detail
    accepted = client.post(
        f"/requests/{request_id}/review", data={"action": "accept", "version": _version(app, request_id)}
    )
    assert accepted.status_code == 302
    with app.app_context():
        request = db.session.get(PortalRequest, request_id)
        assert request.status == ACCEPTED and request.evaluation_id
        evaluation = db.session.get(Evaluation, request.evaluation_id)
        assert evaluation.status == "draft" and evaluation.vendor_id == questionnaire["vendor_id"]
        by_code = {answer.item.code: answer for answer in evaluation.answers}
        assert by_code["S05"].vendor_answer == "partial" and by_code["S05"].answer == "partial"
        assert by_code["S02"].vendor_comment == "S02 の回答"
        assert by_code["S30"].vendor_answer is None and by_code["S30"].answer is None
        files = db.session.scalars(
            db.select(EvidenceFile).where(
                EvidenceFile.owner_type == "evaluation_answer", EvidenceFile.owner_id == by_code["S02"].id
            )
        ).all()
        assert [file.original_filename for file in files] == ["rules.pdf"]
        evaluation_id, s05 = evaluation.id, by_code["S05"]
        item_id = s05.item_id

    # Procurement overrides the vendor's answer: both are kept and shown.
    edit = client.get(f"/evaluations/{evaluation_id}/edit")
    assert edit.status_code == 200 and 'data-testid="vendor-answer-S05"' in edit.get_data(as_text=True)
    with app.app_context():
        from oversight.auth.models import User
        from oversight.evaluations import services as evaluation_services

        actor = db.session.scalar(db.select(User).where(User.email.like("procurement%")))
        evaluation = db.session.get(Evaluation, evaluation_id)
        evaluation_services.save_answers(evaluation, {item_id: {"answer": "conforming"}}, actor=actor, now=utcnow())
        db.session.commit()
    page = client.get(f"/evaluations/{evaluation_id}").get_data(as_text=True)
    assert 'data-testid="overridden-S05"' in page
    with app.app_context():
        answer = next(a for a in db.session.get(Evaluation, evaluation_id).answers if a.item.code == "S05")
        assert answer.vendor_answer == "partial" and answer.answer == "conforming"
        actions = set(db.session.scalars(db.select(ActivityLog.action)))
        assert {"portal.evidence_item", "portal.submit", "portal.accept", "evaluation.vendor_answers"} <= actions


# --- the return/deletion certificate ----------------------------------------------------------------

CERTIFICATE_FORM = {
    "method": "erasure",
    "method_detail": "消去ソフト",
    "data_items": "給与計算データ一式",
    "media": "サーバーHDD",
    "media_quantity": "2",
    "responsible_person": "情報システム部長 山田",
    "irrecoverable": "y",
    "irrecoverable_statement": "復元できない状態にしたことを証明します。",
}


@pytest.fixture
def disposal(app):
    with app.app_context():
        procurement, legal, manager = people()
        contract = signed(procurement, legal, manager, end_on=local_today() + timedelta(days=200))
        disposal_services.terminate_contract(
            contract, ended_on=local_today() - timedelta(days=3), reason="契約解除", actor=procurement,
            today=local_today(),
        )
        [item] = disposal_services.items_of_contract(contract)
        contact = VendorContact(vendor=contract.vendor, name="鈴木 次郎", email="jiro@vendor.example")
        db.session.add(contact)
        db.session.commit()
        return {"vendor_id": contract.vendor_id, "contact_id": contact.id, "item_id": item.id}


def test_a_certificate_request_needs_an_open_item_of_the_vendor(app, disposal):
    with app.app_context():
        vendor = db.session.get(DisposalItem, disposal["item_id"]).vendor
        kwargs = {"kind": DELETION_CERTIFICATE, "contact_ids": [disposal["contact_id"]],
                  "due_on": local_today() + timedelta(days=5), "message": "", "actor": None, "now": utcnow(),
                  "notify": False}
        with pytest.raises(services.PortalRuleError):
            services.create_request(vendor, **kwargs)
        with pytest.raises(services.PortalRuleError):
            services.create_request(vendor, subject_id=disposal["item_id"] + 999, **kwargs)
        assert services.create_request(vendor, subject_id=disposal["item_id"], **kwargs).subject_id


def test_certificate_submitted_accepted_and_confirmed_by_a_manager(client, app, disposal, login_as):
    with app.app_context():
        item = db.session.get(DisposalItem, disposal["item_id"])
        request = services.create_request(
            item.vendor, kind=DELETION_CERTIFICATE, contact_ids=[disposal["contact_id"]],
            due_on=local_today() + timedelta(days=5), message="", actor=None, now=utcnow(),
            subject_id=item.id, notify=False,
        )
        db.session.commit()
        request_id = request.id
    _sign_in(client, app, disposal["contact_id"])
    page = client.get(f"/portal/requests/{request_id}").get_data(as_text=True)
    assert 'data-testid="portal-certificate-form"' in page and 'data-testid="portal-subject"' in page
    done = (local_today() - timedelta(days=1)).isoformat()
    form = {**CERTIFICATE_FORM, "completed_on": done, "version": _version(app, request_id), "action": "submit"}
    refused = client.post(f"/portal/requests/{request_id}", data=form)
    assert refused.status_code == 400  # no certificate file yet
    guarded = client.post(f"/portal/requests/{request_id}", data={**form, "data_items": f"番号 {MY_NUMBER}"})
    assert guarded.status_code == 400 and 'data-testid="my-number-warning"' in guarded.get_data(as_text=True)
    upload = {"file": (io.BytesIO(PDF), "certificate.pdf")}
    assert client.post(f"/portal/requests/{request_id}/evidence", data=upload).status_code == 302
    assert client.post(f"/portal/requests/{request_id}", data=form).status_code == 302
    client.post("/portal/sign-out")

    login_as("procurement")
    assert "certificate-answers" in client.get(f"/requests/{request_id}").get_data(as_text=True)
    accepted = client.post(
        f"/requests/{request_id}/review", data={"action": "accept", "version": _version(app, request_id)}
    )
    assert accepted.status_code == 302
    with app.app_context():
        item = db.session.get(DisposalItem, disposal["item_id"])
        assert item.state == CERTIFIED and item.method == "erasure" and item.media_quantity == 2
        assert item.completed_on == date.fromisoformat(done) and item.irrecoverable
        files = db.session.scalars(
            db.select(EvidenceFile).where(EvidenceFile.owner_type == "disposal", EvidenceFile.owner_id == item.id)
        ).all()
        assert [file.original_filename for file in files] == ["certificate.pdf"]
    client.post("/auth/logout")
    login_as("manager")
    with app.app_context():
        item = db.session.get(DisposalItem, disposal["item_id"])
        version = item.version
    confirm = client.post(f"/disposals/{disposal['item_id']}/confirm", data={"note": "", "version": str(version)})
    assert confirm.status_code == 302
    with app.app_context():
        assert db.session.get(DisposalItem, disposal["item_id"]).state == CONFIRMED


def test_a_submitted_questionnaire_waits_on_procurements_work_list(client, app, questionnaire, make_user, login):
    request_id = questionnaire["request_id"]
    with app.app_context():
        request = db.session.get(PortalRequest, request_id)
        contact = db.session.get(VendorContact, questionnaire["contact_id"])
        answers = {"items": {item.code: {"answer": "conforming"} for item in services.report_items(request)}}
        services.submit(request, answers, actor=services.actor_for(contact, request.vendor), now=utcnow())
        db.session.commit()
    login(make_user("auditor"))
    assert f"/requests/{request_id}" not in client.get("/dashboard/work").get_data(as_text=True)
    client.post("/auth/logout")
    login(make_user("procurement"))
    work = client.get("/dashboard/work").get_data(as_text=True)
    assert f'href="/requests/{request_id}"' in work and "選定の自己評価" in work


# --- the certification renewal ----------------------------------------------------------------------


def test_certification_renewal_updates_the_record(client, app, login_as):
    from oversight.vendors.models import VendorCertification

    with app.app_context():
        vendor, contact = vendor_with_contact("株式会社R", email="r@vendor-r.example")
        certification = VendorCertification(
            vendor_id=vendor.id, kind="pmark", number="10820001(03)", issuer="JIPDEC",
            expires_on=local_today() + timedelta(days=20),
        )
        db.session.add(certification)
        db.session.flush()
        kwargs = {"kind": CERTIFICATION_RENEWAL, "contact_ids": [contact.id], "message": "",
                  "due_on": local_today() + timedelta(days=10), "actor": None, "now": utcnow(), "notify": False}
        with pytest.raises(services.PortalRuleError):
            services.create_request(vendor, **kwargs)  # which certification?
        request = services.create_request(vendor, subject_id=certification.id, **kwargs)
        db.session.commit()
        request_id, contact_id, certification_id = request.id, contact.id, certification.id
    _sign_in(client, app, contact_id)
    page = client.get(f"/portal/requests/{request_id}").get_data(as_text=True)
    assert 'data-testid="portal-renewal-form"' in page and "10820001(03)" in page
    new_expiry = (local_today() + timedelta(days=730)).isoformat()
    form = {"version": _version(app, request_id), "action": "submit", "number": "10820001(04)",
            "issuer": "JIPDEC", "expires_on": new_expiry}
    assert client.post(f"/portal/requests/{request_id}", data=form).status_code == 400  # no file yet
    stale = {**form, "expires_on": local_today().isoformat()}
    upload = {"file": (io.BytesIO(PDF), "pmark.pdf")}
    assert client.post(f"/portal/requests/{request_id}/evidence", data=upload).status_code == 302
    assert client.post(f"/portal/requests/{request_id}", data=stale).status_code == 400  # not a renewal
    guarded = client.post(f"/portal/requests/{request_id}", data={**form, "issuer": f"番号 {MY_NUMBER}"})
    assert guarded.status_code == 400 and 'data-testid="my-number-warning"' in guarded.get_data(as_text=True)
    assert client.post(f"/portal/requests/{request_id}", data=form).status_code == 302
    client.post("/portal/sign-out")

    login_as("procurement")
    assert "renewal-answers" in client.get(f"/requests/{request_id}").get_data(as_text=True)
    accepted = client.post(
        f"/requests/{request_id}/review", data={"action": "accept", "version": _version(app, request_id)}
    )
    assert accepted.status_code == 302
    with app.app_context():
        certification = db.session.get(VendorCertification, certification_id)
        assert certification.expires_on.isoformat() == new_expiry and certification.number == "10820001(04)"
        assert db.session.scalar(
            db.select(ActivityLog.id).where(ActivityLog.action == "vendor.certification_update")
        )


def test_the_send_form_offers_each_kinds_records_by_kind(client, app, disposal, login_as):
    login_as("procurement")
    page = client.get(f"/requests/vendor/{disposal['vendor_id']}/new").get_data(as_text=True)
    assert f'value="deletion_certificate:{disposal["item_id"]}"' in page
    data = {"kind": "certification_renewal", "contact_ids": str(disposal["contact_id"]),
            "due_on": (local_today() + timedelta(days=5)).isoformat(),
            "subject": f"deletion_certificate:{disposal['item_id']}"}
    refused = client.post(f"/requests/vendor/{disposal['vendor_id']}/new", data=data)
    assert refused.status_code == 400  # an item is not a certification
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(PortalRequest.id))) == 0


# --- the corrective plan and its completion ----------------------------------------------------------


def test_corrective_plan_then_completion_then_the_auditor_verifies(client, app, login_as):  # noqa: PLR0915
    from oversight.audits import findings as finding_services
    from oversight.audits.models import PLAN_RECEIVED, VERIFIED, Finding
    from oversight.portal.models import CORRECTIVE_PLAN
    from tests.audits.helpers import finding, recording, user

    with app.app_context():
        vendor, contact = vendor_with_contact("株式会社C", email="c@vendor-c.example")
        vendor.status = "active"
        auditor = user("auditor", email="auditor-c@example.com")
        raised = finding(recording(vendor, auditor), auditor, due_on=local_today() + timedelta(days=60),
                         requested_on=local_today())
        db.session.commit()
        finding_id, contact_id, vendor_id = raised.id, contact.id, vendor.id

    def send() -> int:
        with app.app_context():
            request = services.create_request(
                db.session.get(type(vendor), vendor_id), kind=CORRECTIVE_PLAN, contact_ids=[contact_id],
                due_on=local_today() + timedelta(days=14), message="", actor=None, now=utcnow(),
                subject_id=finding_id, notify=False,
            )
            db.session.commit()
            return request.id

    def accept(request_id: int) -> None:
        response = client.post(
            f"/requests/{request_id}/review", data={"action": "accept", "version": _version(app, request_id)}
        )
        assert response.status_code == 302

    first = send()
    _sign_in(client, app, contact_id)
    assert 'name="plan"' in client.get(f"/portal/requests/{first}").get_data(as_text=True)
    empty = {"version": _version(app, first), "action": "submit", "plan": ""}
    assert client.post(f"/portal/requests/{first}", data=empty).status_code == 400
    guarded = client.post(f"/portal/requests/{first}", data={**empty, "plan": f"番号 {MY_NUMBER}"})
    assert 'data-testid="my-number-warning"' in guarded.get_data(as_text=True)
    plan = {**empty, "plan": "12月末までに教育記録を整備します。"}
    assert client.post(f"/portal/requests/{first}", data=plan).status_code == 302
    client.post("/portal/sign-out")
    login_as("auditor")
    accept(first)
    with app.app_context():
        assert db.session.get(Finding, finding_id).status == PLAN_RECEIVED
        assert db.session.get(Finding, finding_id).plan_text == "12月末までに教育記録を整備します。"
    client.post("/auth/logout")

    second = send()
    _sign_in(client, app, contact_id)
    page = client.get(f"/portal/requests/{second}").get_data(as_text=True)
    assert 'name="completion"' in page and 'data-testid="recorded-plan"' in page
    done = {"version": _version(app, second), "action": "submit", "completion": "教育記録を整備しました。"}
    assert client.post(f"/portal/requests/{second}", data=done).status_code == 400  # no proof yet
    upload = {"file": (io.BytesIO(PDF), "training-records.pdf")}
    assert client.post(f"/portal/requests/{second}/evidence", data=upload).status_code == 302
    assert client.post(f"/portal/requests/{second}", data=done).status_code == 302
    client.post("/portal/sign-out")
    login_as("auditor")
    accept(second)
    with app.app_context():
        found = db.session.get(Finding, finding_id)
        assert found.status == PLAN_RECEIVED  # the auditor verifies as before
        files = db.session.scalars(
            db.select(EvidenceFile.original_filename).where(
                EvidenceFile.owner_type == "finding", EvidenceFile.owner_id == finding_id
            )
        ).all()
        assert files == ["training-records.pdf"]
        verifier = user("auditor", email="auditor-v@example.com")
        finding_services.verify(found, is_effective=True, note="記録を確認", verified_on=local_today(), actor=verifier)
        assert found.status == VERIFIED


def test_a_questionnaire_needs_items_the_vendor_answers(app_ctx):
    template = checklist_services.current_template(SELECTION)
    db.session.execute(
        db.update(ChecklistItem).where(ChecklistItem.template_id == template.id).values(vendor_answerable=False)
    )
    vendor, contact = vendor_with_contact("株式会社N", email="n@vendor-n.example")
    with pytest.raises(services.PortalRuleError):
        services.create_request(
            vendor, kind=QUESTIONNAIRE, contact_ids=[contact.id], due_on=local_today() + timedelta(days=5),
            message="", actor=None, now=utcnow(), notify=False,
        )

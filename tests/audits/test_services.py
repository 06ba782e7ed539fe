"""Audit workflow rules: recording, submission, sign-off (separation of duties), findings."""

from contextlib import contextmanager
from datetime import date

import pytest
from flask_babel import lazy_gettext as _l

from oversight.audits import findings as finding_services
from oversight.audits import permissions as audit_permissions
from oversight.audits import services as audit_services
from oversight.audits.models import CLOSED, FINDING, IN_PROGRESS, OPEN, PLAN_RECEIVED, RETURNED, SIGNED_OFF, VERIFIED
from oversight.extensions import db
from tests.audits.helpers import (
    NOW,
    TODAY,
    active_vendor,
    answer_all,
    finding,
    planned,
    recording,
    submitted,
    user,
)

AuditRuleError = audit_services.AuditRuleError


@contextmanager
def refused(msgid: str):
    """Expect an AuditRuleError with this message (in whatever language is active)."""
    with pytest.raises(AuditRuleError) as excinfo:
        yield
    assert str(excinfo.value) == str(_l(msgid))


@pytest.fixture
def people(app_ctx):
    return {
        "auditor": user("auditor", email="auditor@example.com"),
        "manager": user("manager", email="manager@example.com"),
        "auditing_manager": user("manager", "auditor", email="both@example.com"),
    }


def test_start_recording_keeps_the_checklist_version(people):
    audit = recording(active_vendor(), people["auditor"])
    assert audit.status == IN_PROGRESS
    assert audit.template.kind == "audit"
    assert [row.item.code for row in audit_services.sorted_results(audit)][:2] == ["A01", "A02"]
    assert len(audit.results) == 20


def test_results_can_be_saved_in_several_sittings(people):
    audit = recording(active_vendor(), people["auditor"])
    first = audit.results[0]
    audit_services.save_results(
        audit, {first.item_id: {"result": FINDING, "note": "要改善"}}, actor=people["auditor"], now=NOW
    )
    assert audit_services.progress(audit).answered == 1
    answer_all(audit, people["auditor"])
    assert audit_services.progress(audit).is_complete


def test_unknown_result_is_refused(people):
    audit = recording(active_vendor(), people["auditor"])
    with pytest.raises(AuditRuleError):
        audit_services.save_results(audit, {audit.results[0].item_id: {"result": "maybe"}}, actor=None, now=NOW)


def test_incomplete_checklist_cannot_be_submitted(people):
    audit = recording(active_vendor(), people["auditor"])
    with refused("Give every checklist item a result before submitting."):
        audit_services.submit(
            audit, rating="good", decision="continue", conditions="", summary="", actor=people["auditor"], now=NOW
        )


def test_conditional_continuation_needs_conditions(people):
    audit = recording(active_vendor(), people["auditor"])
    answer_all(audit, people["auditor"])
    with pytest.raises(AuditRuleError):
        audit_services.submit(
            audit,
            rating="acceptable",
            decision="conditional",
            conditions=" ",
            summary="",
            actor=people["auditor"],
            now=NOW,
        )


def test_manager_who_took_part_cannot_sign_off(people):
    audit = submitted(active_vendor(), people["auditing_manager"])
    with refused("You took part in this audit; another manager must sign it off."):
        audit_services.sign_off(audit, actor=people["auditing_manager"], note="", today=TODAY, now=NOW)
    audit_services.sign_off(audit, actor=people["manager"], note="確認", today=TODAY, now=NOW)
    assert audit.status == SIGNED_OFF and audit.signed_off_by_id == people["manager"].id


def test_listed_auditor_who_is_a_manager_cannot_sign_off(people):
    vendor = active_vendor()
    audit = submitted(vendor, people["auditor"], auditor_ids=[people["auditor"].id, people["auditing_manager"].id])
    assert audit_permissions.signoff_refusal(people["auditing_manager"], audit) is not None
    assert audit_permissions.signoff_refusal(people["manager"], audit) is None


def test_only_managers_sign_off(people):
    audit = submitted(active_vendor(), people["auditor"])
    other_auditor = user("auditor", email="other@example.com")
    with refused("Only a manager can sign off an audit."):
        audit_services.sign_off(audit, actor=other_auditor, note="", today=TODAY, now=NOW)


def test_sign_off_refuses_an_incomplete_checklist(people):
    audit = submitted(active_vendor(), people["auditor"])
    audit.results[0].result = None  # bypassing the service, as a corrupted record would
    with refused("Every checklist item needs a result before sign-off."):
        audit_services.sign_off(audit, actor=people["manager"], note="", today=TODAY, now=NOW)


def test_sign_off_only_for_submitted_audits(people):
    audit = recording(active_vendor(), people["auditor"])
    with pytest.raises(AuditRuleError):
        audit_services.sign_off(audit, actor=people["manager"], note="", today=TODAY, now=NOW)


def test_returned_audit_can_be_continued_and_resubmitted(people):
    audit = submitted(active_vendor(), people["auditor"])
    with pytest.raises(AuditRuleError):
        audit_services.return_audit(audit, actor=people["manager"], note="")
    audit_services.return_audit(audit, actor=people["manager"], note="A10の根拠資料を添付してください")
    assert audit.status == RETURNED
    answer_all(audit, people["auditor"])
    audit_services.submit(
        audit, rating="good", decision="continue", conditions="", summary="", actor=people["auditor"], now=NOW
    )
    audit_services.sign_off(audit, actor=people["manager"], note="", today=TODAY, now=NOW)
    assert audit.status == SIGNED_OFF


def test_submitted_audit_is_frozen(people):
    audit = submitted(active_vendor(), people["auditor"])
    with pytest.raises(AuditRuleError):
        answer_all(audit, people["auditor"])
    with pytest.raises(AuditRuleError):
        audit_services.update_audit(audit, {"kind": "remote"}, actor=people["auditor"])


def test_indirect_audit_records_who_performed_it(people):
    contractor = active_vendor(name="株式会社元請")
    subcontractor = active_vendor(name="株式会社再委託")
    audit = planned(
        subcontractor,
        people["auditor"],
        kind="questionnaire",
        is_indirect=True,
        performed_by_vendor_id=contractor.id,
        performed_by_name="元請 監査室",
    )
    assert audit.is_indirect and audit.performed_by_vendor_id == contractor.id
    with pytest.raises(AuditRuleError):
        planned(contractor, people["auditor"], is_indirect=True, performed_by_vendor_id=contractor.id)


def test_finding_lifecycle(people):
    auditor = people["auditor"]
    audit = recording(active_vendor(), auditor)
    item = finding(audit, auditor, severity="serious", due_on=date(2026, 12, 31))
    assert item.status == OPEN and item.vendor_id == audit.vendor_id
    with pytest.raises(AuditRuleError):
        finding_services.verify(item, is_effective=True, note="確認", verified_on=TODAY, actor=auditor)
    finding_services.record_plan(item, plan_text="入退室管理簿を電子化する", received_on=TODAY, actor=auditor)
    assert item.status == PLAN_RECEIVED
    finding_services.verify(item, is_effective=False, note="未実施", verified_on=TODAY, actor=auditor)
    assert item.status == OPEN
    finding_services.record_plan(item, plan_text="電子化完了", received_on=TODAY, actor=auditor)
    finding_services.verify(item, is_effective=True, note="現地で確認", verified_on=TODAY, actor=auditor)
    assert item.status == VERIFIED and item.verified_by_id == auditor.id
    finding_services.close(item, actor=auditor, today=TODAY)
    assert item.status == CLOSED and item.closed_on == TODAY


def test_finding_overdue_detection(people):
    audit = recording(active_vendor(), people["auditor"])
    item = finding(audit, people["auditor"], due_on=date(2026, 11, 25))
    assert item.is_overdue_on(TODAY)
    assert not item.is_overdue_on(date(2026, 11, 25))
    finding_services.record_plan(item, plan_text="計画", received_on=TODAY, actor=people["auditor"])
    assert item.is_overdue_on(TODAY)  # a plan alone does not settle it
    finding_services.verify(item, is_effective=True, note="ok", verified_on=TODAY, actor=people["auditor"])
    assert not item.is_overdue_on(TODAY)
    db.session.flush()
    overdue = db.session.scalars(finding_services.findings_query(overdue_on=TODAY)).all()
    assert overdue == []


def test_findings_only_while_recording(people):
    audit = submitted(active_vendor(), people["auditor"])
    with pytest.raises(AuditRuleError):
        finding(audit, people["auditor"])


def test_due_date_before_request_is_refused(people):
    audit = recording(active_vendor(), people["auditor"])
    with pytest.raises(AuditRuleError):
        finding(audit, people["auditor"], requested_on=date(2026, 11, 20), due_on=date(2026, 11, 1))


def test_cancelled_audit_leaves_its_trigger_for_the_next_audit(people):
    vendor = active_vendor()
    trigger = audit_services.trigger_extra_audit(vendor, "renewal", "契約更新", people["auditor"], TODAY)
    planned_audit = trigger.audit
    with pytest.raises(AuditRuleError):
        audit_services.cancel_audit(planned_audit, actor=people["auditor"], reason=" ")
    audit_services.cancel_audit(planned_audit, actor=people["auditor"], reason="次回定期監査で確認する")
    db.session.flush()
    assert planned_audit.status == "cancelled" and trigger.audit_id is None and trigger.resolved_on is None
    again = audit_services.trigger_extra_audit(vendor, "location", "移転", people["auditor"], TODAY)
    assert again.audit_id != planned_audit.id
    with pytest.raises(AuditRuleError):
        audit_services.cancel_audit(recording(active_vendor(), people["auditor"]), actor=people["auditor"], reason="x")

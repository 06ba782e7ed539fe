"""The periodic handling-status report (定期報告): every item of the audit checklist, the incidents since the
last report and the subcontractors in use; accepted, it becomes a periodic-report audit being recorded."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from oversight.audits import services as audit_services
from oversight.audits.models import CONFORMING as AUDIT_CONFORMING
from oversight.audits.models import FINDING as AUDIT_FINDING
from oversight.audits.models import NOT_APPLICABLE as AUDIT_NOT_APPLICABLE
from oversight.audits.models import PERIODIC_REPORT as AUDIT_PERIODIC_REPORT
from oversight.auth.roles import AUDITOR
from oversight.checklists.models import AUDIT
from oversight.evaluations.models import CONFORMING, NONCONFORMING, NOT_APPLICABLE, PARTIAL
from oversight.extensions import db
from oversight.portal.kinds.checklist import ChecklistKind
from oversight.portal.models import PERIODIC_REPORT, PortalRequest, PortalSubmission
from oversight.subcontracts.models import Subcontract
from oversight.vendors.models import Vendor

# On acceptance the answers become the audit's results: a partly or not conforming answer is a finding (指摘).
AUDIT_RESULT_OF = {
    CONFORMING: AUDIT_CONFORMING,
    PARTIAL: AUDIT_FINDING,
    NONCONFORMING: AUDIT_FINDING,
    NOT_APPLICABLE: AUDIT_NOT_APPLICABLE,
}


def subcontractors_in_use(vendor_id: int) -> list[str]:
    """The names of the subcontractors this vendor has entrusted work to (read-only in the report)."""
    query = (
        db.select(Vendor.name)
        .join(Subcontract, Subcontract.vendor_id == Vendor.id)
        .where(Subcontract.parent_vendor_id == vendor_id, Subcontract.is_entrusted.is_(True))
        .distinct()
        .order_by(Vendor.name)
    )
    return list(db.session.scalars(query))


class PeriodicReport(ChecklistKind):
    """Every item of the audit checklist version of the request (no item is marked vendor-only for audits)."""

    name = PERIODIC_REPORT
    checklist = AUDIT
    asks_incidents = True
    reviewers = (AUDITOR,)
    accepted_message = _l("The report was accepted and recorded as a periodic report review.")

    def complete(self, request: PortalRequest, answers: dict[str, Any], *, today: date) -> dict[str, Any]:
        answers = super().complete(request, answers, today=today)
        answers["subcontractors"] = subcontractors_in_use(request.vendor_id)
        return answers

    def accept(
        self, request: PortalRequest, submission: PortalSubmission, *, actor: Any, today: date, now: datetime
    ) -> Any:
        """A periodic-report audit with the answers as results, left being recorded (実施中): the auditor gives
        the overall rating and submits it, and a manager signs it off, as any periodic-report review."""
        audit = audit_services.plan_audit(
            request.vendor,
            {
                "kind": AUDIT_PERIODIC_REPORT,
                "conducted_on": today,
                "is_indirect": False,
                "scope_note": _l(
                    "Periodic report submitted through the vendor portal "
                    "(request %(id)d, version %(number)d, %(date)s).",
                    id=request.id,
                    number=submission.number,
                    date=submission.submitted_at.date().isoformat(),
                ),
            },
            actor=actor,
            today=today,
        )
        audit.scope_note = str(audit.scope_note)
        audit_services.start_recording(audit, actor=actor, today=today)
        items = submission.answers.get("items", {})
        values = {}
        for row in audit.results:
            answer = items.get(row.item.code)
            if answer:
                values[row.item_id] = {
                    "result": AUDIT_RESULT_OF.get(answer.get("answer")),
                    "note": answer.get("comment", ""),
                }
        audit_services.save_results(audit, values, actor=actor, now=now)
        request.audit_id = audit.id
        return audit


KIND = PeriodicReport()

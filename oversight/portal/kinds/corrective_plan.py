"""Corrective action for a finding (是正計画と完了報告): about one unresolved finding of the vendor. While the
finding is open the vendor writes the plan; once a plan is received, the vendor reports completion with proof.
Accepted by an auditor, the plan is recorded on the finding (or the proof attached to it), and the auditor
verifies the correction on the finding's page as before."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from oversight.audits import findings as finding_services
from oversight.audits import permissions as audit_permissions
from oversight.audits.models import OPEN, UNRESOLVED, Finding
from oversight.extensions import db
from oversight.portal.errors import PortalRuleError
from oversight.portal.kinds.base import PLAN, RequestKind, Row, as_upload, request_files
from oversight.portal.models import CORRECTIVE_PLAN, PortalRequest, PortalSubmission


def finding_label(finding: Finding) -> str:
    text = finding.description if len(finding.description) <= 50 else finding.description[:49] + "…"
    return f"#{finding.id} {finding.status_label}: {text} ({finding.due_on.isoformat()})"


class CorrectivePlan(RequestKind):
    name = CORRECTIVE_PLAN
    shape = PLAN
    reviewers = audit_permissions.RECORDERS
    subject_label = _l("The finding")
    accepted_message = _l("Accepted and recorded on the finding; verify the correction on the finding's page.")

    def subjects(self, vendor) -> list[tuple[int, str]]:
        query = (
            db.select(Finding)
            .where(Finding.vendor_id == vendor.id, Finding.status.in_(UNRESOLVED))
            .order_by(Finding.due_on, Finding.id)
        )
        return [(finding.id, finding_label(finding)) for finding in db.session.scalars(query)]

    def subject(self, request: PortalRequest) -> Finding | None:
        return db.session.get(Finding, request.subject_id) if request.subject_id else None

    def asks_plan(self, request: PortalRequest) -> bool:
        """The plan while the finding is open; afterwards the report of completion with proof."""
        finding = self.subject(request)
        return finding is None or finding.status == OPEN

    def prepare(self, request: PortalRequest, *, subject_id: int | None, today: date) -> None:
        if subject_id not in {found for found, _label in self.subjects(request.vendor)}:
            raise PortalRuleError(_l("Choose the finding the corrective action is for."))
        request.subject_id = subject_id

    def items(self, request: PortalRequest) -> list[Row]:
        return [Row("plan", str(_l("Corrective plan"))), Row("completion", str(_l("Completion and proof")))]

    def blank(self) -> dict[str, Any]:
        return {"plan": "", "completion": ""}

    def clean(self, request: PortalRequest, values: dict[str, Any]) -> dict[str, Any]:
        return {"plan": (values.get("plan") or "").strip(), "completion": (values.get("completion") or "").strip()}

    def complete(self, request: PortalRequest, answers: dict[str, Any], *, today: date) -> dict[str, Any]:
        if self.asks_plan(request):
            if not answers["plan"]:
                raise PortalRuleError(_l("Write the corrective plan before submitting."))
            answers["stage"] = "plan"
        else:
            if not answers["completion"] or not request_files(request):
                raise PortalRuleError(_l("Describe the completed correction and upload the proof before submitting."))
            answers["stage"] = "completion"
        return answers

    def accept(
        self, request: PortalRequest, submission: PortalSubmission, *, actor: Any, today: date, now: datetime
    ) -> Any:
        finding = self.subject(request)
        if finding is None or finding.status not in UNRESOLVED:
            raise PortalRuleError(_l("The finding is verified or closed already."))
        answers = submission.answers
        if answers.get("stage") == "plan":
            finding_services.record_plan(
                finding, plan_text=answers["plan"], received_on=submission.submitted_at.date(), actor=actor
            )
        files = [evidence for evidence in request_files(request) if evidence.id in set(submission.evidence_ids)]
        for evidence in files:
            with as_upload(evidence) as upload:
                finding_services.attach_evidence(
                    finding, upload, actor=actor, document_date=submission.submitted_at.date(),
                    description=evidence.description,
                )
        return finding


KIND = CorrectivePlan()

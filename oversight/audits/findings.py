"""Findings (指摘事項): raise, record the vendor's corrective plan, verify, close.

Life: open → plan_received (the auditor enters the vendor's written plan and response on its
behalf) → verified (an auditor confirmed the corrective action) → closed. A verification that finds
the action ineffective sends the finding back to open. A finding is overdue when it is still open or
only planned after its due date; overdue findings turn the vendor's 把握 light red.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_

from oversight.activity import services as activity
from oversight.audits import permissions
from oversight.audits.models import (
    CLOSED,
    FINDING_STATUS_LABELS,
    OPEN,
    PLAN_RECEIVED,
    RECORDING,
    SEVERITY_LABELS,
    UNRESOLVED,
    VERIFIED,
    Audit,
    Finding,
)
from oversight.audits.services import AuditRuleError
from oversight.auth.models import User
from oversight.core.editing import plain, snapshot
from oversight.core.sorting import Sort, Sorting, listed_order, order_by
from oversight.evidence import services as evidence_services
from oversight.extensions import db
from oversight.vendors import services as vendor_services
from oversight.vendors.models import Vendor

FINDING_FIELDS = ("item_id", "severity", "description", "requested_action", "requested_on", "due_on")


def add_finding(audit: Audit, values: dict[str, Any], *, actor: User, today: date) -> Finding:
    """Raise a finding with the corrective action requested in writing (是正要求) and its due date."""
    if audit.status not in RECORDING:
        raise AuditRuleError(_l("Findings are raised while the audit is being recorded."))
    if values.get("severity") not in SEVERITY_LABELS:
        raise AuditRuleError(_l("Choose a severity."))
    requested_on = values.get("requested_on") or today
    if values.get("due_on") is None or values["due_on"] < requested_on:
        raise AuditRuleError(_l("The due date cannot be before the request date."))
    finding = Finding(
        audit=audit,
        vendor_id=audit.vendor_id,
        item_id=values.get("item_id"),
        severity=values["severity"],
        description=(values.get("description") or "").strip(),
        requested_action=(values.get("requested_action") or "").strip(),
        requested_on=requested_on,
        due_on=values["due_on"],
        status=OPEN,
        created_by_id=actor.id,
    )
    db.session.add(finding)
    db.session.flush()
    activity.record(
        "finding.create",
        actor=actor,
        target=finding,
        summary=f"{audit.vendor.name}: {finding.severity_label} — {finding.description}"[:2000],
        changes=snapshot(finding, list(FINDING_FIELDS)),
    )
    return finding


def record_plan(finding: Finding, *, plan_text: str, received_on: date, actor: User) -> None:
    """Enter the vendor's corrective plan and response (as received in writing)."""
    if finding.status not in UNRESOLVED:
        raise AuditRuleError(_l("This finding is already verified."))
    before = {"status": finding.status, "plan_text": finding.plan_text, "plan_received_on": finding.plan_received_on}
    finding.plan_text = plan_text.strip()
    finding.plan_received_on = received_on
    finding.status = PLAN_RECEIVED
    activity.record(
        "finding.plan",
        actor=actor,
        target=finding,
        summary=f"{finding.vendor.name}: {finding.plan_text}"[:2000],
        changes={name: [plain(old), plain(getattr(finding, name))] for name, old in before.items()},
    )


def verify(finding: Finding, *, is_effective: bool, note: str, verified_on: date, actor: User) -> None:
    """Record an auditor's verification; an ineffective action sends the finding back to open."""
    refusal = permissions.verify_refusal(actor, finding)
    if refusal is not None:
        raise AuditRuleError(refusal)
    if not (note or "").strip():
        raise AuditRuleError(_l("Describe what was checked."))
    new_status = VERIFIED if is_effective else OPEN
    finding.verification_note = note.strip()
    finding.verified_on = verified_on if is_effective else None
    finding.verified_by_id = actor.id if is_effective else None
    finding.status = new_status
    activity.record(
        "finding.verify",
        actor=actor,
        target=finding,
        summary=f"{finding.vendor.name}: {finding.status_label} — {note.strip()}"[:2000],
        changes={"status": [PLAN_RECEIVED, new_status], "verified_on": [None, plain(finding.verified_on)]},
    )


def close(finding: Finding, *, actor: User, today: date) -> None:
    """Close a verified finding."""
    if finding.status != VERIFIED:
        raise AuditRuleError(_l("Only a verified finding can be closed."))
    finding.status = CLOSED
    finding.closed_on = today
    finding.closed_by_id = actor.id
    activity.record(
        "finding.close",
        actor=actor,
        target=finding,
        summary=finding.vendor.name,
        changes={"status": [VERIFIED, CLOSED], "closed_on": [None, today.isoformat()]},
    )


def attach_evidence(
    finding: Finding, file_storage: Any, *, actor: User, document_date: date | None, description: str
) -> Any:
    """Attach the vendor's written plan, response or proof of correction; refused once closed.

    :raises UploadRejected: the file is not acceptable.
    """
    refusal = permissions.evidence_refusal(actor, finding)
    if refusal is not None:
        raise AuditRuleError(refusal)
    return evidence_services.store_upload(
        file_storage, finding, actor, document_date=document_date, description=description or ""
    )


def load_finding(finding_id: int) -> Finding | None:
    return db.session.get(Finding, finding_id)


def unresolved_of(vendor: Vendor) -> list[Finding]:
    """The vendor's findings not yet verified, earliest due first."""
    query = (
        db.select(Finding)
        .where(Finding.vendor_id == vendor.id, Finding.status.in_(UNRESOLVED))
        .order_by(Finding.due_on, Finding.id)
    )
    return list(db.session.scalars(query).unique())


LIST_SORTS = {
    "number": (),
    "vendor": (vendor_services.KANA_ORDER,),
    "severity": (listed_order(Finding.severity, SEVERITY_LABELS),),
    "description": (Finding.description,),
    "due": (Finding.due_on,),
    "status": (listed_order(Finding.status, FINDING_STATUS_LABELS),),
    "audit": (Finding.audit_id,),
}
LIST_SORTING = Sorting(LIST_SORTS, default="due", descending_first=("number",))


def findings_query(
    *,
    q: str = "",
    status: str = "",
    severity: str = "",
    overdue_on: date | None = None,
    sort: Sort | None = None,
) -> Select:
    """Findings for the list page, earliest due first unless sorted otherwise, vendor and audit loaded in
    the same query."""
    query = db.select(Finding).join(Vendor, Vendor.id == Finding.vendor_id)  # the vendor loads with it (joined)
    if q:
        pattern = f"%{q}%"
        query = query.where(
            or_(Vendor.name.ilike(pattern), Vendor.name_kana.ilike(pattern), Finding.description.ilike(pattern))
        )
    if status == "unresolved":
        query = query.where(Finding.status.in_(UNRESOLVED))
    elif status:
        query = query.where(Finding.status == status)
    if severity:
        query = query.where(Finding.severity == severity)
    if overdue_on is not None:
        query = query.where(Finding.status.in_(UNRESOLVED), Finding.due_on < overdue_on)
    return query.order_by(*order_by(LIST_SORTING.coerce(sort), LIST_SORTS, Finding.id))

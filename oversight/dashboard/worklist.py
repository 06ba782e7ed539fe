"""My work: the reviews and approvals waiting for the signed-in user, by role, oldest first.

One query per kind of work whatever the number of rows; separation of duties is applied here
too (a manager is not asked to approve what they submitted, reviewed or certified themselves).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_

from oversight.audits.models import PLAN_RECEIVED, Audit, Finding
from oversight.audits.models import SUBMITTED as AUDIT_SUBMITTED
from oversight.auth.roles import AUDITOR, LEGAL, MANAGER, PROCUREMENT
from oversight.contracts import services as contract_services
from oversight.contracts.models import DRAFT as CONTRACT_DRAFT
from oversight.contracts.models import RETURNED as CONTRACT_RETURNED
from oversight.contracts.models import Contract
from oversight.core.timeutil import to_local
from oversight.dashboard.due import AUDIT, due_entries
from oversight.disposals.models import DisposalItem
from oversight.evaluations.models import EDITABLE as EVALUATION_EDITABLE
from oversight.evaluations.models import RETURNED as EVALUATION_RETURNED
from oversight.evaluations.models import SUBMITTED as EVALUATION_SUBMITTED
from oversight.evaluations.models import Evaluation
from oversight.extensions import db
from oversight.subcontracts.models import REQUESTED, REVIEWED, Subcontract, SubcontractConsent
from oversight.vendors.models import Vendor

AUDIT_LOOKAHEAD_DAYS = 30

WORK_LABELS = {
    "clause_review": _l("Clause review"),
    "consent_review": _l("Consent review"),
    "evaluation_approval": _l("Evaluation approval"),
    "contract_approval": _l("Contract approval"),
    "consent_decision": _l("Consent decision"),
    "audit_signoff": _l("Audit sign-off"),
    "deletion_confirmation": _l("Return/deletion to confirm"),
    "audit_due": _l("Audit to plan"),
    "finding_verification": _l("Corrective plan to verify"),
    "evaluation_draft": _l("Evaluation draft"),
    "contract_draft": _l("Contract draft"),
    "returned": _l("Returned to you"),
    "certificate_missing": _l("Certificate to record"),
}


@dataclass(frozen=True)
class WorkItem:
    """One thing waiting for the user: what, which vendor, since when, and where to do it."""

    kind: str
    title: str
    vendor_name: str
    since: date | None
    url_path: str

    @property
    def kind_label(self) -> str:
        return str(WORK_LABELS[self.kind])

    def days_waiting(self, today: date) -> int | None:
        return None if self.since is None else max((today - self.since).days, 0)


def _day(moment: datetime | None) -> date | None:
    return to_local(moment).date() if moment else None


def _clause_reviews() -> Iterable[WorkItem]:
    for contract, review in contract_services.awaiting_legal():
        yield WorkItem(
            "clause_review",
            f"{contract.number} {contract.title}",
            contract.vendor.name,
            _day(review.submitted_at),
            f"/contracts/{contract.id}",
        )


def _consents(status: str, kind: str, user_id: int | None = None) -> Iterable[WorkItem]:
    query = (
        db.select(
            SubcontractConsent.id,
            SubcontractConsent.subcontract_id,
            SubcontractConsent.requested_at,
            SubcontractConsent.reviewed_at,
            Vendor.name,
        )
        .join(Subcontract, Subcontract.id == SubcontractConsent.subcontract_id)
        .join(Vendor, Vendor.id == Subcontract.vendor_id)
        .where(SubcontractConsent.status == status)
        .order_by(SubcontractConsent.requested_at, SubcontractConsent.id)
    )
    if user_id is not None:  # the deciding manager is neither the requester nor the reviewer
        query = query.where(
            or_(SubcontractConsent.requested_by_id.is_(None), SubcontractConsent.requested_by_id != user_id),
            or_(SubcontractConsent.reviewed_by_id.is_(None), SubcontractConsent.reviewed_by_id != user_id),
        )
    for row in db.session.execute(query):
        yield WorkItem(
            kind,
            str(_l("Subcontract to %(vendor)s", vendor=row.name)),
            row.name,
            _day(row.reviewed_at or row.requested_at),
            f"/subcontracts/{row.subcontract_id}",
        )


def _evaluation_approvals(user_id: int) -> Iterable[WorkItem]:
    query = (
        db.select(Evaluation.id, Evaluation.submitted_at, Vendor.name)
        .join(Vendor, Vendor.id == Evaluation.vendor_id)
        .where(
            Evaluation.status == EVALUATION_SUBMITTED,
            or_(Evaluation.submitted_by_id.is_(None), Evaluation.submitted_by_id != user_id),
        )
        .order_by(Evaluation.submitted_at, Evaluation.id)
    )
    for row in db.session.execute(query):
        yield WorkItem("evaluation_approval", row.name, row.name, _day(row.submitted_at), f"/evaluations/{row.id}")


def _contract_approvals(user_id: int) -> Iterable[WorkItem]:
    for contract, review in contract_services.awaiting_manager():
        if review.reviewer_id != user_id:
            yield WorkItem(
                "contract_approval",
                f"{contract.number} {contract.title}",
                contract.vendor.name,
                _day(review.decided_at),
                f"/contracts/{contract.id}",
            )


def _audit_signoffs(user_id: int) -> Iterable[WorkItem]:
    query = (
        db.select(Audit.id, Audit.submitted_at, Vendor.name)
        .join(Vendor, Vendor.id == Audit.vendor_id)
        .where(Audit.status == AUDIT_SUBMITTED, or_(Audit.submitted_by_id.is_(None), Audit.submitted_by_id != user_id))
        .order_by(Audit.submitted_at, Audit.id)
    )
    for row in db.session.execute(query):
        yield WorkItem("audit_signoff", row.name, row.name, _day(row.submitted_at), f"/audits/{row.id}")


def _disposal_rows(*conditions, order_by):
    """Open return/deletion items with their contract number and vendor name (one query)."""
    query = (
        db.select(DisposalItem.id, DisposalItem.recorded_at, DisposalItem.opened_on, Contract.number, Vendor.name)
        .join(Contract, Contract.id == DisposalItem.contract_id)
        .join(Vendor, Vendor.id == DisposalItem.vendor_id)
        .where(DisposalItem.confirmed_at.is_(None), *conditions)
        .order_by(*order_by, DisposalItem.id)
    )
    return db.session.execute(query)


def _deletion_confirmations(user_id: int) -> Iterable[WorkItem]:
    rows = _disposal_rows(
        DisposalItem.recorded_at.is_not(None),
        or_(DisposalItem.recorded_by_id.is_(None), DisposalItem.recorded_by_id != user_id),
        order_by=(DisposalItem.recorded_at,),
    )
    for row in rows:
        yield WorkItem(
            "deletion_confirmation",
            f"{row.number} — {row.name}",
            row.name,
            _day(row.recorded_at),
            f"/disposals/{row.id}",
        )


def _audits_due(today: date) -> Iterable[WorkItem]:
    for entry in due_entries(today, end=today + timedelta(days=AUDIT_LOOKAHEAD_DAYS), kinds=(AUDIT,)):
        yield WorkItem(
            "audit_due", entry.title, entry.vendor_name, entry.due_on, f"/audits/new?vendor_id={entry.object_id}"
        )


def _findings_to_verify() -> Iterable[WorkItem]:
    query = (
        db.select(Finding.id, Finding.description, Finding.plan_received_on, Vendor.name)
        .join(Vendor, Vendor.id == Finding.vendor_id)
        .where(Finding.status == PLAN_RECEIVED)
        .order_by(Finding.plan_received_on, Finding.id)
    )
    for row in db.session.execute(query):
        text = row.description if len(row.description) <= 60 else row.description[:59] + "…"
        yield WorkItem("finding_verification", text, row.name, row.plan_received_on, f"/audits/findings/{row.id}")


def _procurement_drafts() -> Iterable[WorkItem]:
    evaluations = db.session.execute(
        db.select(Evaluation.id, Evaluation.status, Evaluation.updated_at, Vendor.name)
        .join(Vendor, Vendor.id == Evaluation.vendor_id)
        .where(Evaluation.status.in_(EVALUATION_EDITABLE))
        .order_by(Evaluation.updated_at, Evaluation.id)
    )
    label = str(_l("Selection evaluation"))
    for row in evaluations:
        kind = "returned" if row.status == EVALUATION_RETURNED else "evaluation_draft"
        yield WorkItem(kind, label, row.name, _day(row.updated_at), f"/evaluations/{row.id}")
    contracts = db.session.execute(
        db.select(Contract.id, Contract.number, Contract.title, Contract.status, Contract.updated_at, Vendor.name)
        .join(Vendor, Vendor.id == Contract.vendor_id)
        .where(Contract.status.in_((CONTRACT_DRAFT, CONTRACT_RETURNED)))
        .order_by(Contract.updated_at, Contract.id)
    )
    for row in contracts:
        kind = "returned" if row.status == CONTRACT_RETURNED else "contract_draft"
        yield WorkItem(kind, f"{row.number} {row.title}", row.name, _day(row.updated_at), f"/contracts/{row.id}")
    for row in _disposal_rows(DisposalItem.recorded_at.is_(None), order_by=(DisposalItem.due_on,)):
        yield WorkItem(
            "certificate_missing", f"{row.number} — {row.name}", row.name, row.opened_on, f"/disposals/{row.id}"
        )


def my_work(user: Any, today: date) -> list[WorkItem]:
    """Everything waiting for ``user`` in any of their roles, oldest first (a constant number of queries)."""
    items: list[WorkItem] = []
    if user.has_role(LEGAL):
        items += [*_clause_reviews(), *_consents(REQUESTED, "consent_review")]
    if user.has_role(MANAGER):
        items += [
            *_evaluation_approvals(user.id),
            *_contract_approvals(user.id),
            *_consents(REVIEWED, "consent_decision", user.id),
            *_audit_signoffs(user.id),
            *_deletion_confirmations(user.id),
        ]
    if user.has_role(AUDITOR):
        items += [*_audits_due(today), *_findings_to_verify()]
    if user.has_role(PROCUREMENT):
        items += list(_procurement_drafts())
    return sorted(items, key=lambda item: (item.since or date.max, item.kind))

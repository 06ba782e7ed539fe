"""My work: the reviews and approvals waiting for the signed-in user, by role, oldest first.

One query per kind of work whatever the number of rows. The reviews and approvals come from each
duty feature's queue (``oversight.status.waiting``), filtered by the decision's permission predicate,
the same lists the approval-wait reminders read: a manager is not asked to approve what they
submitted, reviewed or certified themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l

from oversight.audits.models import PLAN_RECEIVED, Finding
from oversight.auth.roles import AUDITOR, PROCUREMENT
from oversight.contracts.models import DRAFT as CONTRACT_DRAFT
from oversight.contracts.models import RETURNED as CONTRACT_RETURNED
from oversight.contracts.models import Contract
from oversight.core.timeutil import to_local
from oversight.dashboard.due import AUDIT, due_entries
from oversight.disposals.models import DisposalItem
from oversight.evaluations.models import EDITABLE as EVALUATION_EDITABLE
from oversight.evaluations.models import RETURNED as EVALUATION_RETURNED
from oversight.evaluations.models import Evaluation
from oversight.extensions import db
from oversight.status.waiting import waiting_for
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


def _decisions(user: Any) -> Iterable[WorkItem]:
    """Reviews and approvals ``user`` may give now (``oversight.status.waiting``: one query per queue)."""
    for waiting in waiting_for(user, db.session):
        yield WorkItem(waiting.kind, waiting.title, waiting.vendor_name, _day(waiting.since), waiting.url_path)


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
    items: list[WorkItem] = list(_decisions(user))
    if user.has_role(AUDITOR):
        items += [*_audits_due(today), *_findings_to_verify()]
    if user.has_role(PROCUREMENT):
        items += list(_procurement_drafts())
    return sorted(items, key=lambda item: (item.since or date.max, item.kind))

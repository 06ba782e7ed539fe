"""Reminder rule: reviews and approvals waiting longer than a few business days.

Built in (imported by ``load_rules``) because it reads several features' models, read-only:
evaluations submitted for a manager's decision, contract clause reviews waiting for legal and
contracts cleared by legal waiting for a manager, subcontract consents waiting for legal's review
or a manager's decision, audits submitted for sign-off, and return/deletion certificates waiting
for a manager's confirmation.

The wait counts business days (``oversight.core.calendar``: weekends, national holidays and the
12/29–1/3 closure are not counted) from the day the item entered the queue. Once it has waited more
than ``reminders.approval_wait_business_days`` (default 3), the role that must act is reminded
(legal for reviews, managers for approvals): stage ``waiting-1`` on the first such day, then
``waiting-2`` a repeat period (``reminders.overdue_repeat_days``) later, and so on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from oversight.admin.reminder_settings import approval_wait_business_days, stage_policy
from oversight.audits.models import SUBMITTED as AUDIT_SUBMITTED
from oversight.audits.models import Audit
from oversight.auth.models import User, UserRole
from oversight.auth.roles import LEGAL, MANAGER
from oversight.contracts.models import IN_REVIEW, OUTCOME_APPROVED, Contract, ContractReview
from oversight.core.calendar import add_business_days
from oversight.core.due import DigestKind, DueItem, days_late
from oversight.core.timeutil import to_local
from oversight.disposals.models import DisposalItem
from oversight.evaluations.models import SUBMITTED as EVALUATION_SUBMITTED
from oversight.evaluations.models import Evaluation
from oversight.subcontracts.models import REQUESTED, REVIEWED, Subcontract, SubcontractConsent
from oversight.vendors.models import Vendor

KIND = "approval_waiting"
RULE = "reminders.approval_waiting"



@dataclass(frozen=True)
class Waiting:
    """One item in somebody's queue since ``since`` (an instant), to be acted on by ``role``."""

    object_type: str
    object_id: int
    title: str
    since: datetime
    role: str
    url_path: str


def waiting_due_on(since: datetime, wait_days: int) -> date:
    """The first day on which an item queued at ``since`` has waited more than ``wait_days`` business days."""
    return add_business_days(to_local(since).date(), wait_days + 1)


def waiting_stage(due_on: date, today: date, repeat_days: int) -> str | None:
    """``waiting-1`` from ``due_on``, ``waiting-2`` ``repeat_days`` later …; None before ``due_on``."""
    if today < due_on:
        return None
    return f"waiting-{(today - due_on).days // repeat_days + 1}"


def waiting_items(session: Session) -> Iterator[Waiting]:
    """Everything waiting for a review or an approval, with when it started waiting.

    Each query selects the few columns needed, not ORM objects (a large register has thousands waiting).
    """
    evaluations = session.execute(
        select(Evaluation.id, Evaluation.submitted_at, Vendor.name)
        .join(Vendor, Vendor.id == Evaluation.vendor_id)
        .where(Evaluation.status == EVALUATION_SUBMITTED, Evaluation.submitted_at.is_not(None))
    )
    for evaluation_id, submitted_at, vendor_name in evaluations:
        yield Waiting(
            "evaluation",
            evaluation_id,
            f"{vendor_name} — {_l('Selection evaluation')}",
            submitted_at,
            MANAGER,
            f"/evaluations/{evaluation_id}",
        )

    reviews = session.execute(
        select(
            Contract.id,
            Contract.number,
            Contract.title,
            Vendor.name,
            ContractReview.id,
            ContractReview.outcome,
            ContractReview.submitted_at,
            ContractReview.decided_at,
        )
        .join(ContractReview, ContractReview.contract_id == Contract.id)
        .join(Vendor, Vendor.id == Contract.vendor_id)
        .where(Contract.status == IN_REVIEW)
        .where(ContractReview.outcome.is_(None) | (ContractReview.outcome == OUTCOME_APPROVED))
    )
    for contract_id, number, contract_title, vendor_name, review_id, outcome, submitted_at, decided_at in reviews:
        title = f"{vendor_name} — {number} {contract_title}"
        if outcome is None:
            yield Waiting("contract_review", review_id, title, submitted_at, LEGAL, f"/contracts/{contract_id}")
        elif decided_at is not None:
            yield Waiting("contract", contract_id, title, decided_at, MANAGER, f"/contracts/{contract_id}")

    contractor = aliased(Vendor)
    subcontractor = aliased(Vendor)
    consents = session.execute(
        select(
            SubcontractConsent.id,
            SubcontractConsent.subcontract_id,
            SubcontractConsent.status,
            SubcontractConsent.requested_at,
            SubcontractConsent.reviewed_at,
            contractor.name,
            subcontractor.name,
        )
        .join(Subcontract, Subcontract.id == SubcontractConsent.subcontract_id)
        .join(Contract, Contract.id == Subcontract.contract_id)
        .join(contractor, contractor.id == Contract.vendor_id)
        .join(subcontractor, subcontractor.id == Subcontract.vendor_id)
        .where(SubcontractConsent.status.in_((REQUESTED, REVIEWED)))
    )
    for consent_id, subcontract_id, status, requested_at, reviewed_at, contractor_name, subcontractor_name in consents:
        title = f"{contractor_name} → {subcontractor_name}"
        url_path = f"/subcontracts/{subcontract_id}"
        if status == REQUESTED:
            yield Waiting("subcontract_consent", consent_id, title, requested_at, LEGAL, url_path)
        elif reviewed_at is not None:
            yield Waiting("subcontract_consent", consent_id, title, reviewed_at, MANAGER, url_path)

    audits = session.execute(
        select(Audit.id, Audit.submitted_at, Vendor.name)
        .join(Vendor, Vendor.id == Audit.vendor_id)
        .where(Audit.status == AUDIT_SUBMITTED, Audit.submitted_at.is_not(None))
    )
    for audit_id, submitted_at, vendor_name in audits:
        yield Waiting("audit", audit_id, f"{vendor_name} — {_l('Audit')}", submitted_at, MANAGER, f"/audits/{audit_id}")

    holder = aliased(Vendor)  # whose data was returned or deleted
    disposals = session.execute(
        select(DisposalItem.id, DisposalItem.recorded_at, holder.name, Contract.number, Contract.title)
        .join(Contract, Contract.id == DisposalItem.contract_id)
        .join(holder, holder.id == DisposalItem.vendor_id)
        .where(DisposalItem.confirmed_at.is_(None), DisposalItem.recorded_at.is_not(None))
    )
    for item_id, recorded_at, vendor_name, number, contract_title in disposals:
        yield Waiting(
            "disposal",
            item_id,
            f"{vendor_name} — {number} {contract_title}",
            recorded_at,
            MANAGER,
            f"/disposals/{item_id}",
        )


def _role_members(session: Session) -> dict[str, frozenset[int]]:
    rows = session.execute(
        select(UserRole.role, User.id)
        .join(User, User.id == UserRole.user_id)
        .where(UserRole.role.in_((LEGAL, MANAGER)), User.is_enabled.is_(True))
    )
    members: dict[str, set[int]] = {LEGAL: set(), MANAGER: set()}
    for role, user_id in rows:
        members[role].add(user_id)
    return {role: frozenset(ids) for role, ids in members.items()}


def approval_waiting(session: Session, today: date) -> Iterator[DueItem]:
    """Each review or approval waiting more than the set business days, to the role that must act."""
    wait_days = approval_wait_business_days()
    repeat_days = stage_policy().overdue_repeat_days
    members: dict[str, frozenset[int]] | None = None
    for waiting in waiting_items(session):
        due_on = waiting_due_on(waiting.since, wait_days)
        stage = waiting_stage(due_on, today, repeat_days)
        if stage is None:
            continue
        members = members if members is not None else _role_members(session)
        recipients = members.get(waiting.role, frozenset())
        if not recipients:
            continue
        yield DueItem(
            rule=RULE,
            kind=KIND,
            object_type=waiting.object_type,
            object_id=waiting.object_id,
            title=waiting.title,
            due_on=due_on,
            stage=f"{waiting.role}-{stage}",
            days_late=days_late(due_on, today),
            url_path=waiting.url_path,
            recipients=recipients,
        )


RULES = (approval_waiting,)
DIGEST_KINDS = (DigestKind(KIND, _l("Reviews and approvals waiting"), order=10),)

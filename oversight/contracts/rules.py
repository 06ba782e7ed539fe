"""Reminder rules: contracts in force approaching their end (or their renewal notice deadline), and
returns/deletions falling due or overdue.

Found by ``oversight.reminders.rules.load_rules``. Contract reminders go to the vendor's owner and
responsible manager and to whoever drafted the contract; return/deletion reminders to the
contractor's owner and manager, and, once overdue, to every manager as an escalation.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased

from oversight.auth.models import User, UserRole
from oversight.auth.roles import MANAGER
from oversight.contracts.models import CLOSED, Contract, notice_deadline
from oversight.disposals.models import DisposalItem
from oversight.reminders.rules import DueItem, days_late, register_kind, register_rule, reminder_stage, stage_horizon
from oversight.reminders.settings import CONTRACT_END_LEAD_DAYS, DISPOSAL_LEAD_DAYS, stage_policy
from oversight.vendors.models import Vendor

CONTRACT_KIND = "contract_end"
DISPOSAL_KIND = "disposal_due"

register_kind(CONTRACT_KIND, _l("Contracts ending"), order=30)
register_kind(DISPOSAL_KIND, _l("Return/deletion of data after contract end"), order=20)


def _ids(*user_ids: int | None) -> frozenset[int]:
    return frozenset(user_id for user_id in user_ids if user_id)


@register_rule
def contract_end(session: Session, today: date) -> Iterator[DueItem]:
    """A signed contract before its end date, or before the notice deadline of an automatic renewal."""
    policy = stage_policy(CONTRACT_END_LEAD_DAYS)
    # Columns, not Contract objects, and only contracts that can be due: ending within the longest
    # lead time, or renewing automatically (whose notice deadline comes earlier than the end).
    query = (
        select(
            Contract.id,
            Contract.number,
            Contract.title,
            Contract.end_on,
            Contract.auto_renewal,
            Contract.notice_days,
            Contract.created_by_id,
            Vendor.name.label("vendor_name"),
            Vendor.owner_id,
            Vendor.manager_id,
        )
        .join(Vendor, Vendor.id == Contract.vendor_id)
        .where(Contract.signed_on.is_not(None), Contract.status.not_in(CLOSED), Contract.end_on >= today)
        .where(
            or_(
                Contract.end_on <= stage_horizon(today, policy),
                and_(Contract.auto_renewal.is_(True), Contract.notice_days.is_not(None)),
            )
        )
        .order_by(Contract.end_on, Contract.id)
    )
    for contract in session.execute(query):
        due_on = notice_deadline(contract.end_on, contract.auto_renewal, contract.notice_days) or contract.end_on
        stage = reminder_stage(due_on, today, policy)
        if stage is None or stage.startswith("overdue"):
            continue
        yield DueItem(
            rule="contracts.contract_end",
            kind=CONTRACT_KIND,
            object_type="contract",
            object_id=contract.id,
            title=f"{contract.vendor_name} — {contract.number} {contract.title}",
            due_on=due_on,
            stage=stage,
            days_late=days_late(due_on, today),
            url_path=f"/contracts/{contract.id}",
            recipients=_ids(contract.owner_id, contract.manager_id, contract.created_by_id),
        )


def _manager_ids(session: Session) -> frozenset[int]:
    query = (
        select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == MANAGER, User.is_enabled.is_(True))
    )
    return frozenset(session.scalars(query))


@register_rule
def disposal_due(session: Session, today: date) -> Iterator[DueItem]:
    """Each unconfirmed return/deletion, from the lead stages to overdue (escalated to the managers)."""
    policy = stage_policy(DISPOSAL_LEAD_DAYS)
    contractor = aliased(Vendor)
    holder = aliased(Vendor)  # whose data is returned or deleted (a subcontractor, for a chain)
    query = (
        select(
            DisposalItem.id,
            DisposalItem.due_on,
            Contract.number,
            Contract.title,
            contractor.owner_id,
            contractor.manager_id,
            holder.name.label("vendor_name"),
        )
        .join(Contract, Contract.id == DisposalItem.contract_id)
        .join(contractor, contractor.id == Contract.vendor_id)
        .join(holder, holder.id == DisposalItem.vendor_id)
        .where(DisposalItem.confirmed_at.is_(None), DisposalItem.due_on <= stage_horizon(today, policy))
        .order_by(DisposalItem.due_on, DisposalItem.id)
    )
    managers: frozenset[int] | None = None
    for item in session.execute(query):
        stage = reminder_stage(item.due_on, today, policy)
        if stage is None:
            continue
        recipients = _ids(item.owner_id, item.manager_id)
        overdue = stage.startswith("overdue")
        if overdue:
            managers = managers if managers is not None else _manager_ids(session)
            recipients |= managers
        yield DueItem(
            rule="contracts.disposal_due",
            kind=DISPOSAL_KIND,
            object_type="disposal",
            object_id=item.id,
            title=f"{item.vendor_name} — {item.number} {item.title}",
            due_on=item.due_on,
            stage=stage,
            days_late=days_late(item.due_on, today),
            url_path=f"/disposals/{item.id}",
            recipients=recipients,
            escalate=overdue,
        )

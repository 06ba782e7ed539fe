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
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from oversight.auth.models import User, UserRole
from oversight.auth.roles import MANAGER
from oversight.contracts.models import CLOSED, Contract
from oversight.disposals.models import DisposalItem
from oversight.reminders.rules import DueItem, days_late, register_kind, register_rule, reminder_stage
from oversight.reminders.settings import CONTRACT_END_LEAD_DAYS, DISPOSAL_LEAD_DAYS, stage_policy

CONTRACT_KIND = "contract_end"
DISPOSAL_KIND = "disposal_due"

register_kind(CONTRACT_KIND, _l("Contracts ending"), order=30)
register_kind(DISPOSAL_KIND, _l("Return or deletion of data after contract end"), order=20)


def _ids(*user_ids: int | None) -> frozenset[int]:
    return frozenset(user_id for user_id in user_ids if user_id)


@register_rule
def contract_end(session: Session, today: date) -> Iterator[DueItem]:
    """A signed contract before its end date, or before the notice deadline of an automatic renewal."""
    policy = stage_policy(CONTRACT_END_LEAD_DAYS)
    query = (
        select(Contract)
        .options(joinedload(Contract.vendor))
        .where(Contract.signed_on.is_not(None), Contract.status.not_in(CLOSED), Contract.end_on >= today)
        .order_by(Contract.end_on, Contract.id)
    )
    for contract in session.scalars(query):
        due_on = contract.notice_deadline() or contract.end_on
        stage = reminder_stage(due_on, today, policy)
        if stage is None or stage.startswith("overdue"):
            continue
        vendor = contract.vendor
        yield DueItem(
            rule="contracts.contract_end",
            kind=CONTRACT_KIND,
            object_type="contract",
            object_id=contract.id,
            title=f"{vendor.name} — {contract.number} {contract.title}",
            due_on=due_on,
            stage=stage,
            days_late=days_late(due_on, today),
            url_path=f"/contracts/{contract.id}",
            recipients=_ids(vendor.owner_id, vendor.manager_id, contract.created_by_id),
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
    query = (
        select(DisposalItem)
        .options(joinedload(DisposalItem.contract).joinedload(Contract.vendor), joinedload(DisposalItem.vendor))
        .where(DisposalItem.confirmed_at.is_(None))
        .order_by(DisposalItem.due_on, DisposalItem.id)
    )
    managers: frozenset[int] | None = None
    for item in session.scalars(query):
        stage = reminder_stage(item.due_on, today, policy)
        if stage is None:
            continue
        contractor = item.contract.vendor
        recipients = _ids(contractor.owner_id, contractor.manager_id)
        overdue = stage.startswith("overdue")
        if overdue:
            managers = managers if managers is not None else _manager_ids(session)
            recipients |= managers
        yield DueItem(
            rule="contracts.disposal_due",
            kind=DISPOSAL_KIND,
            object_type="disposal",
            object_id=item.id,
            title=f"{item.vendor.name} — {item.contract.number} {item.contract.title}",
            due_on=item.due_on,
            stage=stage,
            days_late=days_late(item.due_on, today),
            url_path=f"/disposals/{item.id}",
            recipients=recipients,
            escalate=overdue,
        )

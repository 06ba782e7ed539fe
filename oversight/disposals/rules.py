"""Reminder rules: each unconfirmed return/deletion (返却・廃棄), from its lead stages to overdue.

Listed in ``oversight/features.py``. Reminders go to the contractor's owner and manager and, once
overdue, to every manager as an escalation. The rule keeps the key it was first recorded under in
the reminder log (``contracts.disposal_due``), so no stage already sent is sent again.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from oversight.admin.reminder_settings import DISPOSAL_LEAD_DAYS, stage_policy
from oversight.auth.roles import MANAGER
from oversight.auth.services import role_holder_ids
from oversight.contracts.models import Contract
from oversight.core.due import DigestKind, DueItem, days_late, reminded_ids, reminder_stage, stage_horizon
from oversight.disposals.models import DisposalItem
from oversight.vendors.models import Vendor

DISPOSAL_KIND = "disposal_due"



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
        recipients = reminded_ids(item.owner_id, item.manager_id)
        overdue = stage.startswith("overdue")
        if overdue:
            managers = managers if managers is not None else role_holder_ids(session, MANAGER)
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


RULES = (disposal_due,)
DIGEST_KINDS = (DigestKind(DISPOSAL_KIND, _l("Return/deletion of data after contract end"), order=20),)

"""Reminder rules: contracts in force approaching their end (or their renewal notice deadline).

Listed in ``oversight/features.py``. Contract reminders go to the vendor's owner and responsible
manager and to whoever drafted the contract.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from oversight.admin.reminder_settings import CONTRACT_END_LEAD_DAYS, stage_policy
from oversight.contracts.models import CLOSED, Contract, notice_deadline
from oversight.core.due import DigestKind, DueItem, days_late, reminded_ids, reminder_stage, stage_horizon
from oversight.vendors.models import Vendor

CONTRACT_KIND = "contract_end"




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
            recipients=reminded_ids(contract.owner_id, contract.manager_id, contract.created_by_id),
        )


RULES = (contract_end,)
DIGEST_KINDS = (DigestKind(CONTRACT_KIND, _l("Contracts ending"), order=30),)

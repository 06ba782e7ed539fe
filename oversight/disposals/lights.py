"""The 終了 (contract end) traffic light: is every return or deletion done on time?

Green: nothing overdue and nothing due within ``WARNING_DAYS``; amber: an unconfirmed item due
within them; red: an unconfirmed item past its due date. A vendor's items are those it holds
itself and those under its contracts (its subcontractors').
"""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, or_

from oversight.contracts.models import Contract
from oversight.disposals.models import DisposalItem
from oversight.evaluations.lights import AMBER, GREEN, RED, Light
from oversight.extensions import db
from oversight.vendors.models import Vendor

WARNING_DAYS = 7


def termination_light(due_dates: list[date], today: date, warning_days: int = WARNING_DAYS) -> Light:
    """The light from the due dates of a vendor's unconfirmed items."""
    label = str(_l("Contract end"))
    if not due_dates:
        return Light("termination", GREEN, label, str(_l("Nothing outstanding")))
    first = min(due_dates)
    days = (first - today).days
    if days < 0:
        overdue = sum(1 for due in due_dates if due < today)
        return Light("termination", RED, label, str(_l("%(count)d overdue", count=overdue)), first.isoformat())
    if days <= warning_days:
        return Light("termination", AMBER, label, str(_l("Due in %(days)d days", days=days)), first.isoformat())
    return Light("termination", GREEN, label, str(_l("On schedule")), first.isoformat())


def lights_for(vendor_ids: list[int], today: date) -> dict[int, Light]:
    """The 終了 light of each vendor in ``vendor_ids``, in one query."""
    due: dict[int, list[date]] = {vendor_id: [] for vendor_id in vendor_ids}
    if vendor_ids:
        wanted = set(vendor_ids)
        query = (
            db.select(DisposalItem.vendor_id, Contract.vendor_id.label("contractor_id"), DisposalItem.due_on)
            .join(Contract, DisposalItem.contract_id == Contract.id)
            .where(
                DisposalItem.confirmed_at.is_(None),
                or_(DisposalItem.vendor_id.in_(vendor_ids), Contract.vendor_id.in_(vendor_ids)),
            )
        )
        for row in db.session.execute(query):
            for vendor_id in {row.vendor_id, row.contractor_id} & wanted:
                due[vendor_id].append(row.due_on)
    return {vendor_id: termination_light(due[vendor_id], today) for vendor_id in vendor_ids}


def _vendors_with(*conditions) -> ColumnElement[bool]:
    base = (
        db.select(DisposalItem.vendor_id, Contract.vendor_id.label("contractor_id"))
        .join(Contract, DisposalItem.contract_id == Contract.id)
        .where(DisposalItem.confirmed_at.is_(None), *conditions)
        .subquery()
    )
    return or_(Vendor.id.in_(db.select(base.c.vendor_id)), Vendor.id.in_(db.select(base.c.contractor_id)))


def light_condition(state: str, today: date, warning_days: int = WARNING_DAYS) -> ColumnElement[bool]:
    """A WHERE condition on :class:`Vendor` selecting the vendors whose 終了 light is ``state``."""
    overdue = _vendors_with(DisposalItem.due_on < today)
    if state == RED:
        return overdue
    soon = _vendors_with(DisposalItem.due_on >= today, DisposalItem.due_on <= today + timedelta(days=warning_days))
    if state == AMBER:
        return ~overdue & soon
    return ~overdue & ~soon

"""The 終了 (contract end) traffic light: is every return or deletion done on time?

Green: nothing overdue and nothing due within ``WARNING_DAYS``; amber: an unconfirmed item due
within them; red: an unconfirmed item past its due date. A vendor's items are those it holds
itself and those under its contracts (its subcontractors').
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, case, func, or_

from oversight.contracts.models import Contract
from oversight.core.i18n import Translate, translator
from oversight.disposals.models import DisposalItem
from oversight.evaluations.lights import AMBER, GREEN, RED, Light
from oversight.extensions import db
from oversight.vendors.models import Vendor

WARNING_DAYS = 7


def _light(first: date | None, overdue: int, today: date, warning_days: int, _: Translate) -> Light:
    """The rule, from the earliest due date of the unconfirmed items and how many are past due."""
    label = _("Return/deletion")
    if first is None:
        return Light("termination", GREEN, label, _("Nothing outstanding"))
    days = (first - today).days
    if days < 0:
        return Light("termination", RED, label, _("%(count)d overdue", count=overdue), first.isoformat())
    if days <= warning_days:
        return Light("termination", AMBER, label, _("Due in %(days)d days", days=days), first.isoformat())
    return Light("termination", GREEN, label, _("On schedule"), first.isoformat())


def lights_for(vendor_ids: list[int], today: date) -> dict[int, Light]:
    """The 終了 light of each vendor in ``vendor_ids``: :func:`facts_columns` in one query."""
    query = db.select(Vendor.id, *facts_columns(Vendor.id, today)).where(Vendor.id.in_(vendor_ids))
    _ = translator()
    return {row.id: light_from_row(row, today, _=_) for row in db.session.execute(query)}


def facts_columns(vendor_id: ColumnElement[int], today: date) -> list[ColumnElement]:
    """Correlated subqueries giving the earliest due date of the vendor's unconfirmed items and how many
    are overdue, for one statement that reads every duty's facts at once (``vendors.overview``);
    :func:`light_from_row` reads them.

    The vendor's items are its own and those of others under its contracts: two disjoint sets, each
    reached through an index on the vendor (its items; its contracts, then their items). Whether an
    item is confirmed is tested inside the aggregates, not in WHERE: a UNION or an OR inside the
    correlated subquery, or a filter on ``confirmed_at``, led SQLite to scan the unconfirmed items
    once per vendor (4.5 s, then 40 ms for a page of 50).
    """
    unconfirmed = DisposalItem.confirmed_at.is_(None)
    due_on = case((unconfirmed, DisposalItem.due_on))
    overdue = case((and_(unconfirmed, DisposalItem.due_on < today), DisposalItem.id))
    own = db.select(DisposalItem.id).where(DisposalItem.vendor_id == vendor_id)
    under = (
        db.select(DisposalItem.id)
        .join(Contract, DisposalItem.contract_id == Contract.id)
        .where(Contract.vendor_id == vendor_id, DisposalItem.vendor_id != vendor_id)
    )
    columns = []
    for name, items in (("own", own), ("under", under)):
        columns += [
            items.with_only_columns(func.min(due_on)).scalar_subquery().label(f"termination_{name}_first"),
            items.with_only_columns(func.count(overdue)).scalar_subquery().label(f"termination_{name}_overdue"),
        ]
    return columns


def light_from_row(row, today: date, warning_days: int = WARNING_DAYS, *, _: Translate) -> Light:
    """The 終了 light from a row holding :func:`facts_columns`."""
    first = min((due for due in (row.termination_own_first, row.termination_under_first) if due), default=None)
    overdue = int(row.termination_own_overdue or 0) + int(row.termination_under_overdue or 0)
    return _light(first, overdue, today, warning_days, _)


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

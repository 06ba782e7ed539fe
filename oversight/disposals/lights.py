"""The 返却・廃棄 (disposal) light: is every return or deletion done on time?

The rule is :func:`state`, one SQL ``CASE`` over the vendor's unconfirmed items
(:func:`facts_columns`). Green: nothing overdue and nothing due within ``WARNING_DAYS``; amber:
an unconfirmed item due within them; red: an unconfirmed item past its due date. A vendor's items
are those it holds itself and those under its contracts (its subcontractors').
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func

from oversight.contracts.models import Contract
from oversight.core.i18n import Translate
from oversight.core.lights import AMBER, GREEN, RED, Light
from oversight.disposals.models import DisposalItem
from oversight.extensions import db
from oversight.vendors.models import VENDORS

WARNING_DAYS = 7
KEY = "disposal"
NOTHING, OVERDUE, DUE_SOON, ON_SCHEDULE = "nothing", "overdue", "due_soon", "on_schedule"
COLOURS = {NOTHING: GREEN, OVERDUE: RED, DUE_SOON: AMBER, ON_SCHEDULE: GREEN}


def facts_columns(vendor_id: ColumnElement[int], today: date) -> list[ColumnElement]:
    """Correlated subqueries: the earliest due date of the vendor's unconfirmed items and how many are
    overdue, for its own items and for those under its contracts.

    Two disjoint sets, each reached through an index on the vendor (its items; its contracts, then
    their items). Whether an item is confirmed is tested inside the aggregates, not in WHERE: a UNION
    or an OR inside the correlated subquery, or a filter on ``confirmed_at``, led SQLite to scan the
    unconfirmed items once per vendor (4.5 s, then 40 ms for a page of 50).
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
            items.with_only_columns(func.min(due_on)).scalar_subquery().label(f"disposal_{name}_first"),
            items.with_only_columns(func.count(overdue)).scalar_subquery().label(f"disposal_{name}_overdue"),
        ]
    return columns


def facts(vendors: Select, today: date) -> Select:
    """``vendor_id`` and :func:`facts_columns` of each vendor in ``vendors`` (a select of vendor ids)."""
    vendor_id = VENDORS.c.id  # the table, not the entity: status.lights.facts_cte
    return db.select(vendor_id.label("vendor_id"), *facts_columns(vendor_id, today)).where(vendor_id.in_(vendors))


def _first(facts: Mapping[str, Any]) -> ColumnElement[date]:
    """The earlier of the two first due dates (either may be NULL)."""
    own, under = facts["disposal_own_first"], facts["disposal_under_first"]
    return case((own.is_(None), under), (under.is_(None), own), (under < own, under), else_=own)


def state(facts: Mapping[str, Any], today: date, warning_days: int = WARNING_DAYS) -> ColumnElement[str]:
    """The rule: the state code from the columns of :func:`facts_columns` (``facts``: by name)."""
    own, under = facts["disposal_own_first"], facts["disposal_under_first"]
    horizon = today + timedelta(days=warning_days)
    return case(
        (and_(own.is_(None), under.is_(None)), NOTHING),
        (own < today, OVERDUE),
        (under < today, OVERDUE),
        (own <= horizon, DUE_SOON),
        (under <= horizon, DUE_SOON),
        else_=ON_SCHEDULE,
    )


def light(code: str, row: Any, today: date, *, _: Translate) -> Light:
    """The light of state ``code``, worded from the facts in ``row``."""
    label = _("Return/deletion")
    first = min(day for day in (row.disposal_own_first, row.disposal_under_first) if day) if code != NOTHING else None
    if code == OVERDUE:
        overdue = int(row.disposal_own_overdue or 0) + int(row.disposal_under_overdue or 0)
        return Light(KEY, RED, label, _("%(count)d overdue", count=overdue), first.isoformat())
    if code == DUE_SOON:
        return Light(KEY, AMBER, label, _("Due in %(days)d days", days=(first - today).days), first.isoformat())
    if code == ON_SCHEDULE:
        return Light(KEY, GREEN, label, _("On schedule"), first.isoformat())
    return Light(KEY, GREEN, label, _("Nothing outstanding"))


def columns(facts: Mapping[str, Any], today: date) -> dict[str, ColumnElement]:
    """The state code (``code``) from ``facts``, for a query that selects the light."""
    return {"code": state(facts, today)}

"""The 契約 (contract) traffic light of a vendor.

Green: a signed contract in force whose required clauses are all present or waived, ending
more than ``WARNING_DAYS`` away. Amber: such a contract ending within them, or a contract
under review (a new one, or an amendment of the one in force) with no required clause
found missing. Red: nothing in force, or a required clause found missing.

``lights_for`` computes the light for a page of vendors in one query; ``light_condition``
is the same rule in SQL for the vendor list filter.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, func, not_, or_

from oversight.contracts.models import APPROVED, CLOSED, IN_REVIEW, SIGNED, Contract
from oversight.core.i18n import Translate, translator
from oversight.evaluations.lights import AMBER, GREEN, RED, Light
from oversight.extensions import db
from oversight.vendors.models import Vendor

WARNING_DAYS = 90
REVIEW_STATES = (IN_REVIEW, APPROVED)


def _light(
    good_end_on: date | None, has_gaps: bool, in_progress: bool, today: date, warning_days: int, _: Translate
) -> Light:
    """The rule, from the latest end of the good contracts (in force, signed, no clause missing),
    whether a clause is missing anywhere, and whether one is under review or in force."""
    label = _("Contract")
    if good_end_on is not None:
        if good_end_on > today + timedelta(days=warning_days):
            return Light("contract", GREEN, label, _("In force"), _("until %(date)s", date=good_end_on.isoformat()))
        days = (good_end_on - today).days
        return Light("contract", AMBER, label, _("Ends in %(days)d days", days=days), good_end_on.isoformat())
    if has_gaps:
        return Light("contract", RED, label, _("Required clause missing"))
    if in_progress:
        return Light("contract", AMBER, label, _("Under review"))
    return Light("contract", RED, label, _("No contract in force"))


def lights_for(vendor_ids: list[int], today: date) -> dict[int, Light]:
    """The 契約 light of each vendor in ``vendor_ids``: :func:`facts_columns` in one query."""
    query = db.select(Vendor.id, *facts_columns(Vendor.id, today)).where(Vendor.id.in_(vendor_ids))
    _ = translator()
    return {row.id: light_from_row(row, today, _=_) for row in db.session.execute(query)}


def _in_force(today: date) -> ColumnElement[bool]:
    return and_(Contract.signed_on.is_not(None), Contract.start_on <= today, Contract.end_on >= today)


def facts_columns(vendor_id: ColumnElement[int], today: date) -> list[ColumnElement]:
    """Correlated subqueries summing up the not-ended contracts of the vendor ``vendor_id`` as
    the light reads them, for one statement that reads every duty's facts at once
    (``vendors.overview``); :func:`light_from_row` reads them."""
    open_contracts = db.select(Contract.id).where(Contract.vendor_id == vendor_id, Contract.status.not_in(CLOSED))
    good = and_(_in_force(today), Contract.status == SIGNED, func.coalesce(Contract.clause_gaps, 0) == 0)
    return [
        open_contracts.with_only_columns(func.max(Contract.end_on))
        .where(good)
        .scalar_subquery()
        .label("contract_good_end_on"),
        open_contracts.where(Contract.clause_gaps != 0).exists().label("contract_has_gaps"),
        open_contracts.where(or_(Contract.status.in_(REVIEW_STATES), _in_force(today)))
        .exists()
        .label("contract_in_progress"),
    ]


def light_from_row(row, today: date, warning_days: int = WARNING_DAYS, *, _: Translate) -> Light:
    """The 契約 light from a row holding :func:`facts_columns`."""
    return _light(
        row.contract_good_end_on, bool(row.contract_has_gaps), bool(row.contract_in_progress), today, warning_days, _
    )


def _vendors_with(*conditions) -> ColumnElement[bool]:
    return Vendor.id.in_(db.select(Contract.vendor_id).where(Contract.status.not_in(CLOSED), *conditions))


def light_condition(state: str, today: date, warning_days: int = WARNING_DAYS) -> ColumnElement[bool]:
    """A WHERE condition on :class:`Vendor` selecting the vendors whose 契約 light is ``state``."""
    no_gaps = func.coalesce(Contract.clause_gaps, 0) == 0
    in_force = and_(Contract.signed_on.is_not(None), Contract.start_on <= today, Contract.end_on >= today)
    good = and_(in_force, Contract.status == SIGNED, no_gaps)
    green = _vendors_with(good, Contract.end_on > today + timedelta(days=warning_days))
    if state == GREEN:
        return green
    amber = or_(
        _vendors_with(good),
        and_(
            not_(_vendors_with(Contract.clause_gaps > 0)),
            _vendors_with(or_(Contract.status.in_(REVIEW_STATES), in_force)),
        ),
    )
    if state == AMBER:
        return and_(not_(green), amber)
    return and_(not_(green), not_(amber))

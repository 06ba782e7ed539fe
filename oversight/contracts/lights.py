"""The 契約 (contract) traffic light of a vendor.

Green: a signed contract in force whose required clauses are all present or waived, ending
more than ``WARNING_DAYS`` away. Amber: such a contract ending within them, or a contract
under review (a new one, or an amendment of the one in force) with no required clause
found missing. Red: nothing in force, or a required clause found missing.

``lights_for`` computes the light for a page of vendors in one query; ``light_condition``
is the same rule in SQL for the vendor list filter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, func, not_, or_

from oversight.contracts.models import APPROVED, CLOSED, IN_REVIEW, SIGNED, Contract
from oversight.core.i18n import Translate, translator
from oversight.evaluations.lights import AMBER, GREEN, RED, Light
from oversight.extensions import db
from oversight.vendors.models import Vendor

WARNING_DAYS = 90
REVIEW_STATES = (IN_REVIEW, APPROVED)


@dataclass(frozen=True)
class ContractFacts:
    """What the light needs to know about one contract that has not ended."""

    status: str
    signed_on: date | None
    start_on: date
    end_on: date
    clause_gaps: int | None

    def in_force(self, today: date) -> bool:
        return self.signed_on is not None and self.start_on <= today <= self.end_on

    def has_gaps(self) -> bool:
        return bool(self.clause_gaps)


def contract_light(
    contracts: list[ContractFacts], today: date, warning_days: int = WARNING_DAYS, *, _: Translate | None = None
) -> Light:
    """The light for one vendor's contracts that have not ended (``_`` a shared translator)."""
    _ = _ or translator()
    good = [c for c in contracts if c.in_force(today) and c.status == SIGNED and not c.has_gaps()]
    return _light(
        max((c.end_on for c in good), default=None),
        any(c.has_gaps() for c in contracts),
        any(c.status in REVIEW_STATES or c.in_force(today) for c in contracts),
        today,
        warning_days,
        _,
    )


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


def facts_for(vendor_ids: list[int]) -> dict[int, list[ContractFacts]]:
    """The not-ended contracts of each vendor, in one query."""
    grouped: dict[int, list[ContractFacts]] = {vendor_id: [] for vendor_id in vendor_ids}
    if not vendor_ids:
        return grouped
    query = db.select(
        Contract.vendor_id,
        Contract.status,
        Contract.signed_on,
        Contract.start_on,
        Contract.end_on,
        Contract.clause_gaps,
    ).where(Contract.vendor_id.in_(vendor_ids), Contract.status.not_in(CLOSED))
    for row in db.session.execute(query):
        grouped[row.vendor_id].append(
            ContractFacts(row.status, row.signed_on, row.start_on, row.end_on, row.clause_gaps)
        )
    return grouped


def lights_for(vendor_ids: list[int], today: date) -> dict[int, Light]:
    """The 契約 light of each vendor in ``vendor_ids``."""
    facts = facts_for(vendor_ids)
    _ = translator()
    return {vendor_id: contract_light(facts[vendor_id], today, _=_) for vendor_id in vendor_ids}


def _in_force(today: date) -> ColumnElement[bool]:
    return and_(Contract.signed_on.is_not(None), Contract.start_on <= today, Contract.end_on >= today)


def facts_columns(vendor_id: ColumnElement[int], today: date) -> list[ColumnElement]:
    """Correlated subqueries summing up the not-ended contracts of the vendor ``vendor_id`` as
    :func:`contract_light` reads them, for one statement that reads every duty's facts at once
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

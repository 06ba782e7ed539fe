"""The 契約 (contract) light of a vendor.

The rule is :func:`state`, one SQL ``CASE`` over the vendor's contracts that have not ended
(:func:`facts_columns`). Green: a signed contract in force whose required clauses are all present
or waived (its latest clause review found no gap), ending more than ``WARNING_DAYS`` away. Amber: such a
contract ending within them, or a signed contract in force that no clause review ever judged
(``clause_gaps`` empty: signed outside Oversight's review, e.g. loaded by hand — its clauses are unknown, so
it is not "no gaps"), or a contract under review (a new one, or an amendment of the one in force) with no
required clause found missing, or a signed contract whose term has not begun (no data is entrusted yet).
Red: nothing in force, or a required clause found missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_

from oversight.contracts.models import APPROVED, CLOSED, IN_REVIEW, SIGNED, Contract
from oversight.core.i18n import Translate
from oversight.core.lights import AMBER, GREEN, RED, Light
from oversight.extensions import db
from oversight.vendors.models import VENDORS

WARNING_DAYS = 90
KEY = "contract"
REVIEW_STATES = (IN_REVIEW, APPROVED)
IN_FORCE, ENDING, CLAUSE_MISSING, UNDER_REVIEW, NONE = "in_force", "ending", "clause_missing", "under_review", "none"
NOT_STARTED, UNREVIEWED = "not_started", "unreviewed"
COLOURS = {
    IN_FORCE: GREEN,
    ENDING: AMBER,
    CLAUSE_MISSING: RED,
    UNREVIEWED: AMBER,
    UNDER_REVIEW: AMBER,
    NOT_STARTED: AMBER,
    NONE: RED,
}


def _in_force(today: date) -> ColumnElement[bool]:
    return and_(Contract.signed_on.is_not(None), Contract.start_on <= today, Contract.end_on >= today)


def facts_columns(vendor_id: ColumnElement[int], today: date) -> list[ColumnElement]:
    """Correlated subqueries over the vendor's contracts that have not ended: the latest end of the good
    ones (signed, in force, reviewed with no clause missing), whether a clause is missing in any, whether a
    signed one in force was never reviewed, whether one is under review or in force, and whether the vendor
    has a contract of its own that has not ended."""
    open_contracts = db.select(Contract.id).where(Contract.vendor_id == vendor_id, Contract.status.not_in(CLOSED))
    signed_in_force = and_(_in_force(today), Contract.status == SIGNED)
    good = and_(signed_in_force, Contract.clause_gaps == 0)
    return [
        open_contracts.with_only_columns(func.max(Contract.end_on))
        .where(good)
        .scalar_subquery()
        .label("contract_good_end_on"),
        open_contracts.where(Contract.clause_gaps != 0).exists().label("contract_has_gaps"),
        open_contracts.where(signed_in_force, Contract.clause_gaps.is_(None)).exists().label("contract_unreviewed"),
        open_contracts.with_only_columns(func.min(Contract.start_on))
        .where(Contract.status == SIGNED, Contract.signed_on.is_not(None), Contract.start_on > today)
        .scalar_subquery()
        .label("contract_next_start_on"),
        open_contracts.where(or_(Contract.status.in_(REVIEW_STATES), _in_force(today)))
        .exists()
        .label("contract_in_progress"),
        open_contracts.exists().label("contract_has_open"),
    ]


def facts(vendors: Select, today: date) -> Select:
    """``vendor_id`` and :func:`facts_columns` of each vendor in ``vendors`` (a select of vendor ids)."""
    vendor_id = VENDORS.c.id  # the table, not the entity: status.lights.facts_cte
    return db.select(vendor_id.label("vendor_id"), *facts_columns(vendor_id, today)).where(vendor_id.in_(vendors))


def state(facts: Mapping[str, Any], today: date, warning_days: int = WARNING_DAYS) -> ColumnElement[str]:
    """The rule: the state code from the columns of :func:`facts_columns` (``facts``: by name)."""
    good_end_on = facts["contract_good_end_on"]
    return case(
        (good_end_on > today + timedelta(days=warning_days), IN_FORCE),
        (good_end_on.is_not(None), ENDING),
        (facts["contract_has_gaps"], CLAUSE_MISSING),
        (facts["contract_unreviewed"], UNREVIEWED),
        (facts["contract_in_progress"], UNDER_REVIEW),
        (facts["contract_next_start_on"].is_not(None), NOT_STARTED),
        else_=NONE,
    )


def light(code: str, row: Any, today: date, *, _: Translate) -> Light:
    """The light of state ``code``, worded from the facts in ``row``."""
    label = _("Contract")
    end_on = row.contract_good_end_on
    if code == IN_FORCE:
        return Light(KEY, GREEN, label, _("In force"), _("until %(date)s", date=end_on.isoformat()))
    if code == ENDING:
        return Light(KEY, AMBER, label, _("Ends in %(days)d days", days=(end_on - today).days), end_on.isoformat())
    if code == CLAUSE_MISSING:
        return Light(KEY, RED, label, _("Required clause missing"))
    if code == UNREVIEWED:
        return Light(KEY, AMBER, label, _("Signed without a clause review"))
    if code == UNDER_REVIEW:
        return Light(KEY, AMBER, label, _("Under review"))
    if code == NOT_STARTED:
        start_on = row.contract_next_start_on
        return Light(KEY, AMBER, label, _("Signed, starts on %(date)s", date=start_on.isoformat()))
    return Light(KEY, RED, label, _("No contract in force"))


def columns(facts: Mapping[str, Any], today: date) -> dict[str, ColumnElement]:
    """The state code (``code``) from ``facts``, for a query that selects the light."""
    return {"code": state(facts, today)}

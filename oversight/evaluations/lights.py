"""The 選定 (selection) traffic light: is there a valid approved evaluation?

``selection_light`` is a pure function of the vendor's latest decided evaluation and
today's date; ``latest_decisions`` fetches that evaluation for a whole page of vendors in
one query, and ``light_condition`` expresses the same rule in SQL for the list filter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, func

from oversight.core.i18n import Translate, translator
from oversight.evaluations.models import APPROVED, CONDITIONAL, DECIDED, REJECTED, Evaluation
from oversight.extensions import db
from oversight.vendors.models import Vendor

WARNING_DAYS = 30
GREEN, AMBER, RED = "green", "amber", "red"


@dataclass(frozen=True)
class Light:
    """One oversight light as the ``_macros/lights.html`` macro shows it."""

    key: str
    state: str
    label: str
    text: str
    detail: str = ""


@dataclass(frozen=True)
class Decision:
    """The facts the light is computed from: the latest decided evaluation's status and end of validity."""

    status: str
    valid_until: date | None


def selection_light(
    decision: Decision | None, today: date, warning_days: int = WARNING_DAYS, *, _: Translate | None = None
) -> Light:
    """Green: approved and valid for more than ``warning_days``; amber: expiring within them; red otherwise.

    ``_`` is a :func:`~oversight.core.i18n.translator` shared by a whole page of lights.
    """
    _ = _ or translator()
    label = _("Selection")
    if decision is None:
        return Light("selection", RED, label, _("No approved evaluation"))
    if decision.status == REJECTED or decision.valid_until is None:
        return Light("selection", RED, label, _("Evaluation rejected"))
    until = decision.valid_until.isoformat()
    days_left = (decision.valid_until - today).days
    if days_left < 0:
        return Light("selection", RED, label, _("Evaluation expired"), until)
    if days_left <= warning_days:
        return Light("selection", AMBER, label, _("Expires in %(days)d days", days=days_left), until)
    return Light("selection", GREEN, label, _("Valid"), _("until %(date)s", date=until))


def _latest_decided():
    """A subquery: each vendor's most recently decided evaluation (vendor_id, status, valid_until)."""
    ranked = (
        db.select(
            Evaluation.vendor_id,
            Evaluation.status,
            Evaluation.valid_until,
            func.row_number()
            .over(partition_by=Evaluation.vendor_id, order_by=(Evaluation.decided_at.desc(), Evaluation.id.desc()))
            .label("rank"),
        )
        .where(Evaluation.status.in_(DECIDED))
        .subquery()
    )
    return db.select(ranked.c.vendor_id, ranked.c.status, ranked.c.valid_until).where(ranked.c.rank == 1).subquery()


def latest_decisions(vendor_ids: list[int]) -> dict[int, Decision]:
    """The latest decided evaluation of each vendor in ``vendor_ids``, in one query."""
    if not vendor_ids:
        return {}
    latest = _latest_decided()
    rows = db.session.execute(db.select(latest).where(latest.c.vendor_id.in_(vendor_ids)))
    return {row.vendor_id: Decision(row.status, row.valid_until) for row in rows}


def lights_for(vendor_ids: list[int], today: date) -> dict[int, Light]:
    """The 選定 light of each vendor in ``vendor_ids`` (vendors without a decision are red)."""
    decisions = latest_decisions(vendor_ids)
    _ = translator()
    return {vendor_id: selection_light(decisions.get(vendor_id), today, _=_) for vendor_id in vendor_ids}


def facts_columns(vendor_id: ColumnElement[int]) -> list[ColumnElement]:
    """Correlated subqueries giving the latest decision of the vendor ``vendor_id``, for one statement
    that reads every duty's facts at once (``vendors.overview``); :func:`light_from_row` reads them."""
    latest = (
        db.select(Evaluation.status)
        .where(Evaluation.vendor_id == vendor_id, Evaluation.status.in_(DECIDED))
        .order_by(Evaluation.decided_at.desc(), Evaluation.id.desc())
        .limit(1)
    )
    return [
        latest.scalar_subquery().label("selection_status"),
        latest.with_only_columns(Evaluation.valid_until).scalar_subquery().label("selection_valid_until"),
    ]


def light_from_row(row, today: date, *, _: Translate) -> Light:
    """The 選定 light from a row holding :func:`facts_columns`."""
    decision = Decision(row.selection_status, row.selection_valid_until) if row.selection_status else None
    return selection_light(decision, today, _=_)


def light_condition(state: str, today: date, warning_days: int = WARNING_DAYS) -> ColumnElement[bool]:
    """A WHERE condition on :class:`Vendor` selecting the vendors whose 選定 light is ``state``."""
    latest = _latest_decided()
    approved = latest.c.status.in_((APPROVED, CONDITIONAL))
    horizon = today + timedelta(days=warning_days)
    if state == GREEN:
        condition = and_(approved, latest.c.valid_until > horizon)
    elif state == AMBER:
        condition = and_(approved, latest.c.valid_until >= today, latest.c.valid_until <= horizon)
    else:
        valid = db.select(latest.c.vendor_id).where(approved, latest.c.valid_until >= today)
        return Vendor.id.not_in(valid)
    return Vendor.id.in_(db.select(latest.c.vendor_id).where(condition))

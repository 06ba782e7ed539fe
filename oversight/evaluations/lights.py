"""The 選定 (selection) light: is there a valid approved evaluation?

The rule is :func:`state`, one SQL ``CASE`` over the vendor's latest decided evaluation
(:func:`facts_columns`): red without one, when it was rejected or has expired; amber when it
expires within ``WARNING_DAYS``; green otherwise. Pages read the code back with the facts and
:func:`light` words it; filters and counts compare the code (``status.lights.condition``).
``latest_decisions`` is what other features read of the latest decision (contract review, due list).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, Select, case, func, type_coerce

from oversight.core.i18n import Translate
from oversight.core.lights import AMBER, GREEN, RED, Light
from oversight.evaluations.models import DECIDED, REJECTED, Evaluation
from oversight.extensions import db
from oversight.vendors.models import VENDORS

WARNING_DAYS = 30
KEY = "selection"
NONE, REJECTED_CODE, EXPIRED, EXPIRING, VALID = "none", "rejected", "expired", "expiring", "valid"
COLOURS = {NONE: RED, REJECTED_CODE: RED, EXPIRED: RED, EXPIRING: AMBER, VALID: GREEN}


@dataclass(frozen=True)
class Decision:
    """The latest decided evaluation's status and end of validity."""

    status: str
    valid_until: date | None


def facts_columns(vendor_id: ColumnElement[int], today: date | None = None) -> list[ColumnElement]:
    """Correlated subqueries: the status and end of validity of the vendor's latest decided evaluation."""
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


def facts(vendors: Select, today: date) -> Select:
    """``vendor_id`` and :func:`facts_columns` of each vendor in ``vendors`` (a select of vendor ids)."""
    vendor_id = VENDORS.c.id  # the table, not the entity: status.lights.facts_cte
    return db.select(vendor_id.label("vendor_id"), *facts_columns(vendor_id, today)).where(vendor_id.in_(vendors))


def state(facts: Mapping[str, Any], today: date, warning_days: int = WARNING_DAYS) -> ColumnElement[str]:
    """The rule: the state code from the columns of :func:`facts_columns` (``facts``: by name)."""
    status, until = facts["selection_status"], facts["selection_valid_until"]
    return case(
        (status.is_(None), NONE),
        (status == REJECTED, REJECTED_CODE),
        (until.is_(None), REJECTED_CODE),
        (until < today, EXPIRED),
        (until <= today + timedelta(days=warning_days), EXPIRING),
        else_=VALID,
    )


def expiry(facts: Mapping[str, Any], today: date | None = None) -> ColumnElement[date]:
    """When the vendor's latest decided evaluation expires: its end of validity unless it was rejected
    (NULL without one). Stored per vendor by ``status.store`` for the due lists."""
    status, until = facts["selection_status"], facts["selection_valid_until"]
    return type_coerce(case((status != REJECTED, until)), Date)


def light(code: str, row: Any, today: date, *, _: Translate) -> Light:
    """The light of state ``code``, worded from the facts in ``row``."""
    label = _("Selection")
    until = row.selection_valid_until
    if code == VALID:
        return Light(KEY, GREEN, label, _("Valid"), _("until %(date)s", date=until.isoformat()))
    if code == EXPIRING:
        days = (until - today).days
        return Light(KEY, AMBER, label, _("Expires in %(days)d days", days=days), until.isoformat())
    if code == EXPIRED:
        return Light(KEY, RED, label, _("Evaluation expired"), until.isoformat())
    if code == REJECTED_CODE:
        return Light(KEY, RED, label, _("Evaluation rejected"))
    return Light(KEY, RED, label, _("No approved evaluation"))


def latest_decided(vendor_ids: list[int] | None = None):
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
        .where(Evaluation.status.in_(DECIDED), *(() if vendor_ids is None else (Evaluation.vendor_id.in_(vendor_ids),)))
        .subquery()
    )
    return db.select(ranked.c.vendor_id, ranked.c.status, ranked.c.valid_until).where(ranked.c.rank == 1).subquery()


def latest_decisions(vendor_ids: list[int]) -> dict[int, Decision]:
    """The latest decided evaluation of each vendor in ``vendor_ids``, in one query."""
    if not vendor_ids:
        return {}
    rows = db.session.execute(db.select(latest_decided(vendor_ids)))
    return {row.vendor_id: Decision(row.status, row.valid_until) for row in rows}


def columns(facts: Mapping[str, Any], today: date) -> dict[str, ColumnElement]:
    """The state code (``code``) from ``facts``, for a query that selects the light."""
    return {"code": state(facts, today)}

"""Monthly coverage snapshots: the figures of each month, kept for the trend chart."""

from __future__ import annotations

from datetime import date, datetime

from oversight.dashboard.coverage import snapshot_values
from oversight.dashboard.models import CoverageSnapshot
from oversight.extensions import db
from oversight.units import scope as unit_scope

TREND_MONTHS = 12


def month_start(day: date) -> date:
    return day.replace(day=1)


def take_snapshot(today: date) -> CoverageSnapshot:
    """Record this month's coverage once; later calls in the same month return the month's row unchanged."""
    month = month_start(today)
    existing = db.session.scalar(db.select(CoverageSnapshot).where(CoverageSnapshot.month == month))
    if existing is not None:
        return existing
    snapshot = CoverageSnapshot(month=month, taken_on=today, **snapshot_values(today))
    db.session.add(snapshot)
    db.session.flush()
    return snapshot


def monthly_snapshot_job(today: date, now: datetime) -> None:
    """The scheduler's daily hook: the first run of each month takes that month's snapshot."""
    take_snapshot(today)


def recent(today: date, months: int = TREND_MONTHS) -> list[CoverageSnapshot]:
    """The snapshots of the last ``months`` months up to this one, oldest first (one query)."""
    if not unit_scope.current().is_group_wide:
        return []  # the snapshots count the whole group: a unit's reader sees no group figures (docs/units.md)
    first = month_start(today)
    year, month = divmod(first.year * 12 + first.month - 1 - (months - 1), 12)
    since = date(year, month + 1, 1)
    query = (
        db.select(CoverageSnapshot)
        .where(CoverageSnapshot.month >= since, CoverageSnapshot.month <= first)
        .order_by(CoverageSnapshot.month)
    )
    return list(db.session.scalars(query))

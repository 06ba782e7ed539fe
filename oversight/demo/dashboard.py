"""Demo coverage snapshots: eleven past months of a gently improving trend, and this month's real figures."""

from __future__ import annotations

from datetime import date

from oversight.dashboard.models import CoverageSnapshot
from oversight.dashboard.snapshots import month_start, take_snapshot
from oversight.extensions import db

PAST_MONTHS = 11


def _shift(first: date, months: int) -> date:
    year, month = divmod(first.year * 12 + first.month - 1 + months, 12)
    return date(year, month + 1, 1)


def _toward(current: int | None, back: int, slope: int, dip: int = 0) -> int:
    """A past figure: lower the further back, so the line climbs to this month's real value."""
    base = 70 if current is None else current
    return max(0, min(100, base - back * slope + dip))


def seed_dashboard(today: date) -> list[CoverageSnapshot]:
    """Snapshots for the past twelve months, ending in this month's figures computed from the demo data."""
    current = take_snapshot(today)
    rows = []
    for back in range(PAST_MONTHS, 0, -1):
        month = _shift(month_start(today), -back)
        rows.append(
            CoverageSnapshot(
                month=month,
                taken_on=month,
                evaluation_pct=_toward(current.evaluation_pct, back, 2, back % 3),
                contract_pct=_toward(current.contract_pct, back, 2, -(back % 2) * 3),
                audit_pct=_toward(current.audit_pct, back, 1, 4 if back in (6, 7) else 0),
                unconsented_nodes=current.unconsented_nodes + back // 4,
                overdue_disposals=current.overdue_disposals + (1 if back in (3, 8) else 0),
                open_findings=current.open_findings + back // 3,
            )
        )
    db.session.add_all(rows)
    db.session.flush()
    return [*rows, current]

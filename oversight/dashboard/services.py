"""The dashboard's queries: pure functions of the user and ``today`` (nothing here writes)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from oversight.dashboard import snapshots
from oversight.dashboard.chart import Chart, trend_chart
from oversight.dashboard.coverage import Coverage, coverage
from oversight.dashboard.due import CALENDAR_KINDS, KIND_LABELS, DueEntry, due_entries, unconsented_nodes
from oversight.dashboard.worklist import WorkItem, my_work

ATTENTION_DAYS = 30
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Attention:
    """Overdue first (the most late at the top), then what falls due within ``ATTENTION_DAYS``."""

    overdue: list[DueEntry]
    upcoming: list[DueEntry]
    unconsented: list[DueEntry]


def attention(today: date) -> Attention:
    """Everything overdue and everything due within 30 days, with the subcontract violations."""
    entries = due_entries(today, end=today + timedelta(days=ATTENTION_DAYS))
    return Attention(
        overdue=[entry for entry in entries if entry.is_overdue(today)],
        upcoming=[entry for entry in entries if not entry.is_overdue(today)],
        unconsented=unconsented_nodes(today),
    )


def dashboard(user: Any, today: date) -> dict[str, Any]:
    """Everything the dashboard shows to ``user`` (a constant number of queries)."""
    figures: Coverage = coverage(today)
    chart: Chart = trend_chart(snapshots.recent(today))
    work: list[WorkItem] = my_work(user, today)
    return {"my_work": work, "attention": attention(today), "coverage": figures, "chart": chart, "today": today}


# --- the month calendar --------------------------------------------------------------------------


def parse_month(value: str | None, today: date) -> tuple[date, bool]:
    """The first day of the month in ``value`` (``YYYY-MM``); this month and False when it is not valid."""
    match = MONTH_PATTERN.match(value or "")
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if 1900 <= year <= 2999 and 1 <= month <= 12:
            return date(year, month, 1), True
    return today.replace(day=1), not value


def parse_kinds(values: list[str]) -> list[str]:
    """The kinds to show: those asked for that exist, else all."""
    chosen = [kind for kind in CALENDAR_KINDS if kind in values]
    return chosen or list(CALENDAR_KINDS)


def shift_month(first: date, months: int) -> date:
    year, month = divmod(first.year * 12 + first.month - 1 + months, 12)
    return date(year, month + 1, 1)


@dataclass(frozen=True)
class Day:
    day: date
    in_month: bool
    is_today: bool
    entries: list[DueEntry]


def month_calendar(first: date, today: date, kinds: list[str]) -> dict[str, Any]:
    """The weeks (Monday first) of the month starting on ``first``, each day with its due entries."""
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    entries = due_entries(today, start=first, end=last, kinds=kinds)
    by_day: dict[date, list[DueEntry]] = {}
    for entry in entries:
        by_day.setdefault(entry.due_on, []).append(entry)
    weeks = [
        [
            Day(day, day.month == first.month, day == today, by_day.get(day, []) if day.month == first.month else [])
            for day in week
        ]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    ]
    return {
        "month": first,
        "weeks": weeks,
        "entries": entries,
        "previous_month": shift_month(first, -1),
        "next_month": shift_month(first, 1),
        "kinds": kinds,
        "kind_labels": {kind: str(KIND_LABELS[kind]) for kind in CALENDAR_KINDS},
        "today": today,
    }

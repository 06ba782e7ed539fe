"""The dashboard's queries: pure functions of the user and ``today`` (nothing here writes).

The dashboard shows the first entries of each list with its full size and a link to the whole
list. Nothing is kept between requests: every figure is computed afresh by a constant number of
SQL aggregates (see docs/dashboard.md), so a change shows on the next request in every worker.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from oversight.audits import settings as audit_settings
from oversight.auth.roles import MANAGER
from oversight.core.i18n import labels, translator
from oversight.core.pagination import ListPage
from oversight.dashboard import snapshots
from oversight.dashboard.chart import Chart, trend_chart
from oversight.dashboard.coverage import Coverage, coverage
from oversight.dashboard.due import (
    CALENDAR_KINDS,
    KIND_LABELS,
    SUBCONTRACT,
    DueEntry,
    due_entries,
    due_page,
    due_summary,
    kinds_acted_on,
    unconsented_nodes,
)
from oversight.dashboard.worklist import WORK_LABELS, first_work

ATTENTION_DAYS = 30
SHORTLIST = 15  # entries of each list shown on the dashboard itself
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
OVERDUE, UPCOMING = "overdue", "upcoming"
BUCKETS = (OVERDUE, UPCOMING)


@dataclass(frozen=True)
class Shortlist:
    """The first ``items`` of a list of ``total`` entries; ``url`` shows the whole list."""

    items: list
    total: int
    url: str

    @property
    def more(self) -> int:
        return self.total - len(self.items)


@dataclass(frozen=True)
class KindCount:
    """How many duties of one kind are overdue and due within 30 days, with the lists' addresses."""

    kind: str
    label: str
    overdue: int
    upcoming: int

    def url(self, bucket: str) -> str:
        return f"/dashboard/due?bucket={bucket}&kind={self.kind}"


@dataclass(frozen=True)
class AttentionScope:
    """Whose duties the attention panel shows: the kinds the user's roles act on, or the whole company.

    A manager may switch to the whole company (``?scope=all``); a user whose roles act on no kind
    (a viewer) reads the whole company."""

    kinds: frozenset[str]
    is_whole_company: bool
    can_switch: bool


def attention_scope(user: Any, *, whole_company_asked: bool) -> AttentionScope:
    acted_on = kinds_acted_on(user.roles)
    can_switch = user.has_role(MANAGER)
    if (whole_company_asked and can_switch) or not acted_on:
        return AttentionScope(frozenset((*CALENDAR_KINDS, SUBCONTRACT)), True, can_switch)
    return AttentionScope(acted_on, False, can_switch)


@dataclass(frozen=True)
class AttentionSummary:
    overdue: Shortlist
    upcoming: Shortlist
    unconsented: Shortlist
    kinds: list[KindCount]

    @property
    def overdue_total(self) -> int:
        return self.overdue.total + self.unconsented.total


def attention_summary(
    today: date, unconsented_total: int | None = None, config=None, kinds: frozenset[str] | None = None
) -> AttentionSummary:
    """The attention panel: the first entries of each list, their sizes and the counts by kind.

    Counted and cut in SQL (``due.due_summary``); ``unconsented_total`` is the coverage's count of
    subcontract violations, read once for both panels (counted here when not given).
    """
    from oversight.subcontracts import violations

    shown = frozenset((*CALENDAR_KINDS, SUBCONTRACT)) if kinds is None else kinds
    if SUBCONTRACT not in shown:
        unconsented_total = 0
    elif unconsented_total is None:
        unconsented_total = violations.count(today)
    summary = due_summary(
        today, end=today + timedelta(days=ATTENTION_DAYS), limit=SHORTLIST, config=config, kinds=shown
    )
    kinds = [
        KindCount(
            kind, str(KIND_LABELS[kind]), summary.overdue_counts.get(kind, 0), summary.upcoming_counts.get(kind, 0)
        )
        for kind in CALENDAR_KINDS
        if kind in shown
    ]
    return AttentionSummary(
        overdue=Shortlist(summary.overdue, summary.overdue_total, f"/dashboard/due?bucket={OVERDUE}"),
        upcoming=Shortlist(summary.upcoming, summary.upcoming_total, f"/dashboard/due?bucket={UPCOMING}"),
        unconsented=Shortlist(
            unconsented_nodes(today, SHORTLIST if unconsented_total else 0),
            unconsented_total,
            "/subcontracts/?section=violations",
        ),
        kinds=[kind for kind in kinds if kind.overdue or kind.upcoming],
    )


def row_texts() -> dict[str, Any]:
    """What the due and work tables (``dashboard/_lists.html``) write on their rows, translated once per
    table (a ``gettext`` per row looked the catalogue up through the request context each time): the kinds'
    labels, and the day counts as functions of the number of days."""
    _ = translator()
    return {
        "due_kinds": labels(KIND_LABELS),
        "work_kinds": labels(WORK_LABELS),
        "due_now": _("Due now"),
        "due_today": _("Due today"),
        "late": lambda days: _("%(days)d days late", days=days),
        "left": lambda days: _("%(days)d days left", days=days),
        "waited": lambda days: _("%(days)d days", days=days),
    }


def work_summary(user: Any, today: date, config=None) -> Shortlist:
    items, total = first_work(user, today, SHORTLIST, config)
    return Shortlist(items, total, "/dashboard/work")


def dashboard(user: Any, today: date, *, whole_company: bool = False) -> dict[str, Any]:
    """Everything the dashboard shows to ``user`` (a constant number of queries); the attention panel
    shows what ``user``'s roles act on, or the whole company (see :func:`attention_scope`)."""
    config = audit_settings.current()  # read once for the three panels that apply the audit schedule
    figures: Coverage = coverage(today)
    chart: Chart = trend_chart(snapshots.recent(today))
    work: Shortlist = work_summary(user, today, config)
    scope = attention_scope(user, whole_company_asked=whole_company)
    summary: AttentionSummary = attention_summary(today, figures.unconsented, config, scope.kinds)
    return {
        "my_work": work,
        "attention": summary,
        "attention_scope": scope,
        "coverage": figures,
        "chart": chart,
        "today": today,
    }


# --- the whole lists behind the dashboard's short lists -------------------------------------------


def due_list(today: date, bucket: str, kind: str, page: int, per_page: int) -> dict[str, Any]:
    """One page of every overdue (or upcoming) duty, of one kind or all (``entries``: a ``ListPage``)."""
    bucket = bucket if bucket in BUCKETS else OVERDUE
    kinds = [kind] if kind in CALENDAR_KINDS else list(CALENDAR_KINDS)
    entries, total = due_page(
        today,
        end=today + timedelta(days=ATTENTION_DAYS),
        overdue=bucket == OVERDUE,
        kinds=kinds,
        offset=(page - 1) * per_page,
        limit=per_page,
    )
    return {
        "entries": ListPage(entries, page, per_page, total=total),
        "bucket": bucket,
        "kind": kind if kind in CALENDAR_KINDS else "",
        "kind_labels": {key: str(KIND_LABELS[key]) for key in CALENDAR_KINDS},
        "today": today,
    }


def work_list(user: Any, today: date, page: int, per_page: int) -> ListPage:
    """One page of everything waiting for ``user``, oldest first."""
    items, total = first_work(user, today, per_page, offset=(page - 1) * per_page)
    return ListPage(items, page, per_page, total=total)


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


DAY_CELL_LIMIT = 4  # entries written in a day's cell; the rest are behind "+N more"


@dataclass(frozen=True)
class Day:
    day: date
    in_month: bool
    is_today: bool
    entries: list[DueEntry]

    @property
    def shown(self) -> list[DueEntry]:
        return self.entries[:DAY_CELL_LIMIT]

    @property
    def more(self) -> int:
        return max(len(self.entries) - DAY_CELL_LIMIT, 0)


def parse_day(value: str | None, first: date) -> date | None:
    """The day in ``value`` (``YYYY-MM-DD``) when it lies in the month starting on ``first``."""
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return None
    return day if (day.year, day.month) == (first.year, first.month) else None


def month_calendar(first: date, today: date, kinds: list[str], day: date | None = None) -> dict[str, Any]:
    """The weeks (Monday first) of the month starting on ``first``, each day with its due entries.

    ``entries`` is the list under the grid: the whole month, or only ``day`` when one is chosen.
    """
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
        "entries": entries if day is None else by_day.get(day, []),
        "day": day,
        "previous_month": shift_month(first, -1),
        "next_month": shift_month(first, 1),
        "kinds": kinds,
        "kind_labels": {kind: str(KIND_LABELS[kind]) for kind in CALENDAR_KINDS},
        "today": today,
    }

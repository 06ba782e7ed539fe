"""Japanese business days: not a weekend, not a national holiday, not the 12/29–1/3 year-end closure.

The closure and holidays follow 行政機関の休日に関する法律 第1条 (weekends, 国民の祝日に関する法律 holidays,
12月29日–1月3日), which the PPC guideline uses to roll report deadlines ([GL] 別添2 3E ※2, see
``domain/guideline-reference.md`` §7.5). National holidays, including 振替休日 and 国民の休日, come from the
maintained ``holidays`` library, never from a hand-made table.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

YEAR_END_CLOSURE = frozenset({(12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3)})
_ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=128)
def _national_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("JP", years=year).keys())


def is_national_holiday(day: date) -> bool:
    """True on a 国民の祝日, 振替休日 or 国民の休日."""
    return day in _national_holidays(day.year)


def is_year_end_closure(day: date) -> bool:
    """True from 12/29 to 1/3 (年末年始閉庁日)."""
    return (day.month, day.day) in YEAR_END_CLOSURE


def is_business_day(day: date) -> bool:
    """True on a weekday that is neither a national holiday nor in the year-end closure."""
    return day.weekday() < 5 and not is_national_holiday(day) and not is_year_end_closure(day)


def next_business_day_on_or_after(day: date) -> date:
    """``day`` itself if it is a business day, otherwise the first business day after it."""
    while not is_business_day(day):
        day += _ONE_DAY
    return day


def add_business_days(day: date, n: int) -> date:
    """The date ``n`` business days after ``day`` (before it when ``n`` is negative).

    ``day`` itself need not be a business day: Saturday + 1 is Monday (if Monday is one),
    Friday + 1 is the next Monday. ``n == 0`` returns ``day`` unchanged.
    """
    step = _ONE_DAY if n >= 0 else -_ONE_DAY
    for _ in range(abs(n)):
        day += step
        while not is_business_day(day):
            day += step
    return day


def business_days_between(start: date, end: date) -> int:
    """How many business days lie after ``start`` up to and including ``end`` (negative if ``end`` is earlier).

    This is "business days waited": something submitted on a Monday has waited 3 business days on
    Thursday and 4 on Friday, so "more than 3 business days" is ``business_days_between(...) > 3``.
    """
    if end < start:
        return -business_days_between(end, start)
    count = 0
    day = start + _ONE_DAY
    while day <= end:
        count += is_business_day(day)
        day += _ONE_DAY
    return count

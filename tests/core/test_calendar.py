from datetime import date

import pytest

from oversight.core.calendar import (
    add_business_days,
    business_days_between,
    is_business_day,
    is_national_holiday,
    next_business_day_on_or_after,
)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 26), True),  # Thursday
        (date(2026, 11, 28), False),  # Saturday
        (date(2026, 11, 29), False),  # Sunday
        (date(2026, 11, 23), False),  # 勤労感謝の日 (Monday)
        (date(2026, 5, 6), False),  # 振替休日
        (date(2026, 9, 22), False),  # 国民の休日 between two holidays
        (date(2026, 12, 28), True),  # last working day of the year
        (date(2026, 12, 29), False),  # year-end closure on a Tuesday
        (date(2027, 1, 3), False),
        (date(2027, 1, 4), True),
    ],
)
def test_is_business_day(day, expected):
    assert is_business_day(day) is expected


def test_national_holidays_come_from_the_library():
    assert is_national_holiday(date(2026, 2, 23))  # 天皇誕生日
    assert not is_national_holiday(date(2026, 12, 30))  # closure, not a 祝日


def test_next_business_day_on_or_after_keeps_a_business_day():
    assert next_business_day_on_or_after(date(2026, 11, 26)) == date(2026, 11, 26)


def test_next_business_day_rolls_past_golden_week():
    assert next_business_day_on_or_after(date(2026, 5, 2)) == date(2026, 5, 7)


def test_next_business_day_rolls_past_the_year_end():
    assert next_business_day_on_or_after(date(2026, 12, 29)) == date(2027, 1, 4)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 11, 26), 0, date(2026, 11, 26)),
        (date(2026, 11, 26), 1, date(2026, 11, 27)),  # Thu → Fri
        (date(2026, 11, 27), 1, date(2026, 11, 30)),  # Fri → Mon
        (date(2026, 11, 28), 1, date(2026, 11, 30)),  # Sat → Mon
        (date(2026, 11, 20), 1, date(2026, 11, 24)),  # Fri → Tue past 勤労感謝の日
        (date(2026, 12, 25), 3, date(2027, 1, 5)),  # 12/28, 1/4, 1/5
        (date(2026, 11, 30), -1, date(2026, 11, 27)),
        (date(2027, 1, 4), -1, date(2026, 12, 28)),
    ],
)
def test_add_business_days(start, n, expected):
    assert add_business_days(start, n) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 11, 30), date(2026, 11, 30), 0),
        (date(2026, 11, 30), date(2026, 12, 3), 3),  # Mon → Thu: waited 3
        (date(2026, 11, 30), date(2026, 12, 4), 4),  # Fri: more than 3
        (date(2026, 11, 27), date(2026, 11, 30), 1),  # weekend does not count
        (date(2026, 12, 25), date(2027, 1, 5), 3),
        (date(2026, 12, 4), date(2026, 11, 30), -4),
    ],
)
def test_business_days_between(start, end, expected):
    assert business_days_between(start, end) == expected


def test_add_and_between_agree():
    start = date(2026, 4, 24)
    for n in range(0, 40):
        assert business_days_between(start, add_business_days(start, n)) == n

"""Reading dates and numbers the way people write them in spreadsheets (oversight/core/values.py)."""

from datetime import date, datetime

import pytest

from oversight.core.values import comparable, parse_date, parse_integer, text_of

APRIL_FIRST = date(2025, 4, 1)


@pytest.mark.parametrize(
    "written",
    [
        "2025/4/1",
        "2025/04/01",
        "2025-04-01",
        "2025.4.1",
        "２０２５／４／１",
        "2025年4月1日",
        "2025 年 4 月 1 日",
        "令和7年4月1日",
        "令和７年４月１日",
        "R7.4.1",
        "r7.4.1",
        "Ｒ７．４．１",
        "R7/4/1",
        "R07-04-01",
        "20250401",
        20250401,
        "2025/4/1 0:00",
        "45748",
        45748,
        45748.0,
        datetime(2025, 4, 1, 0, 0),
        APRIL_FIRST,
    ],
)
def test_every_common_notation_of_a_date_is_read(written):
    assert parse_date(written) == APRIL_FIRST


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("令和元年5月1日", date(2019, 5, 1)),
        ("R1.5.1", date(2019, 5, 1)),
        ("平成31年4月30日", date(2019, 4, 30)),
        ("H31.4.30", date(2019, 4, 30)),
        ("平成元年1月8日", date(1989, 1, 8)),
        ("昭和64年1月7日", date(1989, 1, 7)),
        ("S50.10.10", date(1975, 10, 10)),
        ("平成２７年１２月３１日", date(2015, 12, 31)),
    ],
)
def test_japanese_era_dates_including_gannen(written, expected):
    assert parse_date(written) == expected


@pytest.mark.parametrize(
    "written",
    [
        "令和元年4月30日",  # before 令和 began
        "平成31年5月1日",  # 平成 had ended
        "平成32年1月1日",
        "昭和64年1月8日",
        "R0.4.1",
        "2025/2/30",
        "2025/13/1",
        "来年の4月",
        "大正10年1月1日",
        "12",  # a small number is not a serial date
        1.5,
        True,
    ],
)
def test_what_is_not_a_real_date_is_refused(written):
    with pytest.raises(ValueError):
        parse_date(written)


def test_blank_is_no_date():
    assert parse_date(None) is None
    assert parse_date("  ") is None


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("1200", 1200),
        ("１２００", 1200),
        ("1,200", 1200),
        ("１，２００", 1200),
        ("1200人", 1200),
        (1200.0, 1200),
        (7, 7),
    ],
)
def test_whole_numbers(written, expected):
    assert parse_integer(written) == expected


@pytest.mark.parametrize("written", ["約1200", "1200.5", 1200.5, "many", True])
def test_not_whole_numbers(written):
    with pytest.raises(ValueError):
        parse_integer(written)


def test_text_of_cells():
    assert text_of(None) == ""
    assert text_of(1200.0) == "1200"
    assert text_of(datetime(2025, 4, 1)) == "2025-04-01"
    assert text_of("  株式会社 ") == "株式会社"


def test_comparable_ignores_width_spaces_case_and_company_forms():
    assert comparable("株式会社 ＡＢＣ") == comparable("ABC㈱") == comparable("abc (株)")
    assert comparable("東京都千代田区1－1") == comparable("東京都千代田区１-１")

"""Numbers read from a query string: None (the default) for anything an id column cannot hold."""

import pytest

from oversight.core.query import DATABASE_INT_MAX, bounded_int, query_int


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7", 7), (" 12 ", 12), ("+3", 3), (str(DATABASE_INT_MAX), DATABASE_INT_MAX),
        (str(DATABASE_INT_MAX + 1), None), ("99999999999999999999", None), ("9" * 400, None),
        ("0", None), ("-1", None), ("", None), (None, None), ("abc", None), ("1e3", None), ("1_000", None),
        ("١٢", None), ("²", None),
    ],
)
def test_bounded_int_is_none_for_anything_no_id_column_holds(text, expected):
    assert bounded_int(text) == expected


def test_bounds_can_be_moved():
    assert bounded_int("0", minimum=0) == 0
    assert bounded_int("-5", minimum=-10) == -5
    assert bounded_int("11", maximum=10) is None


def test_query_helpers_read_the_request(app):
    with app.test_request_context("/?round=3&vendor_id=99999999999999999999"):
        assert query_int("round") == 3
        assert query_int("vendor_id") is None
        assert query_int("missing") is None

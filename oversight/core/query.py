"""Reading a list page's query string: numbers bounded to the columns they are compared with.

A list page reads its filters through its filter form (``Form(request.args)``: unknown keys are
ignored, a bad value is an error shown next to the filter and the filter is not applied); a number
read outside a form (``round``, an id) goes through :func:`query_int`, which answers None (the
default) for a missing or bad value and never raises. Nothing typed into a query string may reach
the database as a number no column can hold: beyond the column's range it is a database error on
PostgreSQL (int4), and beyond 2**63 on SQLite too. Links that keep the query string are built by
``web.templating.current_query``, never by passing the visitor's keys to ``url_for``.
"""

from __future__ import annotations

import re

from flask import request

# The largest value of an INTEGER column on PostgreSQL (ids, round numbers, counts).
DATABASE_INT_MAX = 2**31 - 1
WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,20}")  # ASCII digits only: int() also reads "١٢" and "1_000"


def bounded_int(text: object, *, minimum: int = 1, maximum: int = DATABASE_INT_MAX) -> int | None:
    """``text`` as a whole number within ``minimum``..``maximum``; None when missing, not a number or out of range."""
    if not isinstance(text, str) or not WHOLE_NUMBER.fullmatch(text.strip()):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


def query_int(name: str, *, minimum: int = 1, maximum: int = DATABASE_INT_MAX) -> int | None:
    """The query parameter ``name`` as a bounded whole number (an id, a round): None when missing or bad."""
    return bounded_int(request.args.get(name), minimum=minimum, maximum=maximum)


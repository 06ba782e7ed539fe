"""Cursor pagination: rows in id order after the cursor's id, so a page never repeats or skips a row
when rows are added meanwhile (a new row has a higher id and comes on a later page)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select

from oversight.api.problems import Problem
from oversight.extensions import db

BAD_CURSOR = _l("This cursor is not valid; start again without one.")


def encode(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode(cursor: str) -> int:
    """The id a cursor continues after (0 for none); a cursor this API did not give is refused (400)."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise Problem(400, BAD_CURSOR, errors=[{"field": "cursor", "message": BAD_CURSOR}]) from error
    kind, _, number = text.partition(":")
    if kind != "id" or not number.isdigit() or len(number) > 10:
        raise Problem(400, BAD_CURSOR, errors=[{"field": "cursor", "message": BAD_CURSOR}])
    return int(number)


def page(query: Select, id_column: Any, *, cursor: str, limit: int) -> tuple[Sequence[Any], str | None]:
    """Up to ``limit`` rows of ``query`` after ``cursor`` in ``id_column`` order, and the next cursor."""
    after = decode(cursor)
    statement = query.order_by(None).where(id_column > after).order_by(id_column).limit(limit + 1)
    rows = db.session.scalars(statement).unique().all()
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode(rows[-1].id) if more else None)

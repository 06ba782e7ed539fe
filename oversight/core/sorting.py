"""A list's sort order: whitelisted keys read from ``?sort=key&dir=asc|desc``, a stable tie-breaker.

Each list declares its keys once (:class:`Sorting`) and maps each key to SQL expressions where it
builds its query (:func:`order_by`); what the visitor types is only ever looked up in that
whitelist, never put into SQL. Unknown keys and directions fall back to the list's default.
The column headers are drawn by ``_macros/lists.html`` ``sort_header`` from the :class:`Sort`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case

ASC = "asc"
DESC = "desc"
_ARIA = {ASC: "ascending", DESC: "descending"}
_ARROWS = {ASC: "▲", DESC: "▼"}


@dataclass(frozen=True)
class Sort:
    """The sort a list page shows: its key, direction, and each key's first direction for the headers."""

    key: str
    direction: str
    descending_first: frozenset[str] = field(default=frozenset(), compare=False)

    @property
    def descending(self) -> bool:
        return self.direction == DESC

    def first_direction(self, key: str) -> str:
        return DESC if key in self.descending_first else ASC

    def next_direction(self, key: str) -> str:
        """The direction a click on ``key``'s header asks for: the other one on the current key."""
        if key == self.key:
            return ASC if self.descending else DESC
        return self.first_direction(key)

    def aria(self, key: str) -> str:
        """``aria-sort`` of ``key``'s header."""
        return _ARIA[self.direction] if key == self.key else "none"

    def arrow(self, key: str) -> str:
        return _ARROWS[self.direction] if key == self.key else ""


class Sorting:
    """The sort keys of one list, its default, and the keys whose first click sorts descending (dates)."""

    def __init__(self, keys: Iterable[str], *, default: str, descending_first: Iterable[str] = ()) -> None:
        self.keys = frozenset(keys)
        self.default = default
        self.descending_first = frozenset(descending_first)
        if default not in self.keys or not self.descending_first <= self.keys:
            raise ValueError("the default and the descending keys must be sort keys")

    def sort(self, key: str | None = None, direction: str | None = None) -> Sort:
        """A valid :class:`Sort` for ``key`` and ``direction``, the defaults for anything unknown."""
        key = key if key in self.keys else self.default
        if direction not in _ARIA:
            direction = DESC if key in self.descending_first else ASC
        return Sort(key, direction, self.descending_first)

    def coerce(self, value: Sort | str | None) -> Sort:
        """``value`` as a :class:`Sort` of this list (a key alone: its first direction)."""
        if isinstance(value, Sort):
            return self.sort(value.key, value.direction)
        return self.sort(value)

    def read(self, args: Mapping[str, Any]) -> Sort:
        """The sort asked for by a query string (``request.args``)."""
        key, direction = args.get("sort"), args.get("dir")
        return self.sort(key if isinstance(key, str) else None, direction if isinstance(direction, str) else None)


def listed_order(column: Any, codes: Iterable[str]) -> Any:
    """``column``'s codes in the order they are listed (a lifecycle, high → low), unknown codes last."""
    order = {code: index for index, code in enumerate(codes)}
    return case(order, value=column, else_=len(order))


@dataclass(frozen=True)
class Reversed:
    """A column of a sort key that runs the other way (``status`` open first, then newest first)."""

    expression: Any


def order_by(sort: Sort, columns: Mapping[str, tuple], *tie_breakers: Any) -> list:
    """ORDER BY clauses for ``sort``: ``columns[sort.key]`` in its direction (empty values last in both
    databases and both directions), then the tie-breakers (ids) in the same direction: a stable order."""
    clauses = []
    for column in columns[sort.key]:
        descending = sort.descending != isinstance(column, Reversed)
        expression = column.expression if isinstance(column, Reversed) else column
        clauses.append((expression.desc() if descending else expression.asc()).nulls_last())
    clauses.extend(column.desc() if sort.descending else column.asc() for column in tie_breakers)
    return clauses

"""Answering a checklist's remaining items at once ("the rest conforming").

The selection evaluation, the contract clause review and the audit checklist each offer a button
that sets every item still without an answer to the checklist's conforming answer. Answers already
given are never changed, each filled answer stays an ordinary answer the user can change, and the
action is one entry in the activity log that says how many items were set.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l

from oversight.activity import services as activity


def unanswered(rows: Iterable[Any], field: str) -> list[Any]:
    """The rows (answers of one checklist record) whose ``field`` has no answer yet."""
    return [row for row in rows if not getattr(row, field)]


def fill_unanswered(
    rows: Iterable[Any], *, field: str, value: str, label: Any, action: str, actor: Any, target: Any, name: str
) -> int:
    """Set ``field`` to ``value`` on every row without an answer; log it once; return how many were set.

    ``label`` is the answer's label (for the log's summary), ``name`` what the record is called there
    (the vendor's name, a contract number). Nothing is logged when every item was already answered.
    """
    rest = unanswered(rows, field)
    for row in rest:
        setattr(row, field, value)
    if rest:
        activity.record(
            action,
            actor=actor,
            target=target,
            summary=str(
                _l("%(name)s: %(count)d unanswered items set to %(label)s", name=name, count=len(rest), label=label)
            )[:2000],
            changes={f"{row.item.code}.{field}": [None, value] for row in rest},
        )
    return len(rest)


def filled_message(count: int, label: Any) -> Any:
    """What the page says after the button: how many items were set, and that they can still change."""
    if not count:
        return _l("Every item already had an answer; nothing was changed.")
    return _l(
        "%(count)d unanswered items were set to %(label)s and saved. Check them: each can still be changed below.",
        count=count,
        label=label,
    )

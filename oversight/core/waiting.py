"""What is waiting for whom: one item in a review or approval queue, as each duty feature lists it.

Each duty feature lists its own queue (``oversight.<feature>.waiting``), with the decision's
permission predicate bound to each item; the dashboard's work list and the approval-wait reminders
both read those lists, so who is asked to act is decided in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Select, cast, null, type_coerce

from oversight.core.types import UTCDateTime


@dataclass(frozen=True)
class Waiting:
    """One item waiting since ``since`` for a user holding ``role`` for whom ``may_act(user)`` is true.

    ``kind`` names the work (the dashboard's label), ``object_type``/``object_id`` the record that
    reminders are logged against.
    """

    kind: str
    object_type: str
    object_id: int
    title: str
    vendor_name: str
    since: datetime
    role: str
    url_path: str
    may_act: Callable[[Any], bool] = field(compare=False, repr=False)


SEQ = ("seq_at", "seq_id")  # each queue's own order, kept when the queues are read as one statement


def ordered(query: Select, *order_by: Any) -> Select:
    """``query`` ordered by ``order_by`` (an instant then an id, or an id), with that order as the
    :data:`SEQ` columns (a queue's ``query()``).

    ``oversight.status.waiting`` reads every queue in one ``UNION ALL``; the ``SEQ`` columns keep each
    queue's order there (plain columns: a ``row_number()`` per queue sorted each queue once more).
    """
    *instants, last = order_by
    if len(instants) > 1:
        raise ValueError("a queue is ordered by an instant and an id, or by an id")
    seq_at = instants[0] if instants else cast(null(), DateTime)
    return query.add_columns(type_coerce(seq_at, UTCDateTime).label(SEQ[0]), last.label(SEQ[1])).order_by(*order_by)

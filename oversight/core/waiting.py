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

from sqlalchemy import Select, func


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


SEQ = "seq"  # each queue's own order, kept when the queues are read as one statement


def ordered(query: Select, *order_by: Any) -> Select:
    """``query`` ordered by ``order_by``, with that order as a ``seq`` column (a queue's ``query()``).

    ``oversight.status.waiting`` reads every queue in one ``UNION ALL``; ``seq`` keeps each queue's
    order there.
    """
    return query.add_columns(func.row_number().over(order_by=order_by).label(SEQ)).order_by(*order_by)

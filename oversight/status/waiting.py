"""Everything waiting for a review or an approval, from each duty feature's own queue.

The dashboard's work list ("waiting for you") and the approval-wait reminders both read
:func:`waiting_items`; each item carries its decision's permission predicate (``may_act``), so a
manager is neither shown nor reminded of what they may not decide (separation of duties).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from functools import lru_cache
from itertools import groupby

from sqlalchemy import Select, cast, literal, null, union_all
from sqlalchemy.orm import Session

from oversight.audits import waiting as audit_waiting
from oversight.contracts import waiting as contract_waiting
from oversight.core.waiting import SEQ, Waiting
from oversight.disposals import waiting as disposal_waiting
from oversight.evaluations import waiting as evaluation_waiting
from oversight.subcontracts import waiting as subcontract_waiting

# Each lists its queue as ``query()`` (ordered, with a ``seq`` column), turns its rows into items with
# ``items(rows)`` and names the roles it waits for in ``ROLES``.
SOURCES = (evaluation_waiting, contract_waiting, subcontract_waiting, audit_waiting, disposal_waiting)

WAITING_ROLES = frozenset().union(*(source.ROLES for source in SOURCES))

SOURCE = "waiting_source"


@lru_cache(maxsize=32)
def _one_statement(sources: tuple) -> Select:
    """The queues of ``sources`` as one ``UNION ALL``: each queue's columns, the others' as typed NULLs,
    ordered by queue and each queue's own order. The queues take no parameters, so the statement (not
    its rows) is built once per process for each set of queues."""
    queries = [source.query() for source in sources]
    columns: dict[str, object] = {}
    for query in queries:
        for column in query.selected_columns:
            columns.setdefault(column.key, column.type)
    selects = []
    for number, query in enumerate(queries):
        own = query.order_by(None).subquery()
        selects.append(
            own.select()
            .with_only_columns(
                literal(number).label(SOURCE),
                *(own.c[name] if name in own.c else cast(null(), kind).label(name) for name, kind in columns.items()),
            )
        )
    union = union_all(*selects).subquery("waiting")
    return union.select().order_by(union.c[SOURCE], union.c[SEQ])


def waiting_items(session: Session, roles: Collection[str] | None = None) -> Iterator[Waiting]:
    """Every item waiting, or only those of the queues that wait for one of ``roles``, in one statement."""
    sources = tuple(source for source in SOURCES if roles is None or source.ROLES & set(roles))
    if not sources:
        return
    rows = session.execute(_one_statement(sources))
    for number, queue in groupby(rows, key=lambda row: row._mapping[SOURCE]):
        yield from sources[number].items(queue)


def waiting_for(user, session: Session) -> Iterator[Waiting]:
    """The items ``user`` may act on now: a role the item waits for, and the decision's predicate."""
    user = getattr(user, "_get_current_object", lambda: user)()  # the user itself, not a request proxy
    roles = set(user.roles)
    for item in waiting_items(session, roles=roles):
        if item.role in roles and item.may_act(user):
            yield item

"""Everything waiting for a review or an approval, from each duty feature's own queue.

The approval-wait reminders read :func:`waiting_items`, each item carrying its decision's permission
predicate (``may_act``); the dashboard's work list ("waiting for you") reads
:func:`first_waiting_for`, the same queues with the same predicates in their SQL form
(``oversight.core.predicates``), counted and cut in SQL. So a manager is neither shown nor reminded
of what they may not decide (separation of duties).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from datetime import datetime
from functools import lru_cache
from itertools import groupby

from sqlalchemy import Select, bindparam, case, cast, func, literal, null, union_all
from sqlalchemy.orm import Session

from oversight.audits import waiting as audit_waiting
from oversight.contracts import waiting as contract_waiting
from oversight.core.timeutil import app_timezone, local_date
from oversight.core.waiting import SEQ, Waiting
from oversight.disposals import waiting as disposal_waiting
from oversight.evaluations import waiting as evaluation_waiting
from oversight.extensions import db
from oversight.subcontracts import waiting as subcontract_waiting
from oversight.units import services as unit_services

# Each lists its queue as ``query()`` (ordered, with a ``seq`` column), turns its rows into items with
# ``items(rows)`` and names the roles it waits for in ``ROLES``.
SOURCES = (evaluation_waiting, contract_waiting, subcontract_waiting, audit_waiting, disposal_waiting)

WAITING_ROLES = frozenset().union(*(source.ROLES for source in SOURCES))

SOURCE = "waiting_source"


def _union(queries: list[Select]):
    """``queries`` as one ``UNION ALL`` subquery: each query's columns, the others' as typed NULLs, and
    the query's number as :data:`SOURCE`."""
    columns: dict[str, object] = {}
    for query in queries:
        for column in query.selected_columns:
            columns.setdefault(column.key, column.type)
    selects = []
    for number, query in enumerate(queries):
        own = query.order_by(None).subquery()
        selects.append(
            own.select().with_only_columns(
                literal(number).label(SOURCE),
                *(own.c[name] if name in own.c else cast(null(), kind).label(name) for name, kind in columns.items()),
            )
        )
    return union_all(*selects).subquery("waiting")


@lru_cache(maxsize=32)
def _one_statement(sources: tuple) -> Select:
    """The queues of ``sources`` as one ``UNION ALL``, ordered by queue and each queue's own order. The
    queues take no parameters, so the statement (not its rows) is built once per process for each set
    of queues."""
    union = _union([source.query() for source in sources])
    return union.select().order_by(union.c[SOURCE], *(union.c[name] for name in SEQ))


def waiting_items(session: Session, roles: Collection[str] | None = None) -> Iterator[Waiting]:
    """Every item waiting, or only those of the queues that wait for one of ``roles``, in one statement."""
    sources = tuple(source for source in SOURCES if roles is None or source.ROLES & set(roles))
    if not sources:
        return
    rows = session.execute(_one_statement(sources))
    for number, queue in groupby(rows, key=lambda row: row._mapping[SOURCE]):
        yield from sources[number].items(queue)


# Each user's statement, built once per process (by the user's id, roles, units and state, the only things
# the predicates read of the user): building and hashing this tree of subqueries cost more than
# running it. It holds no data, only the shape of the question.
_USER_STATEMENTS: dict[tuple, Select] = {}


def _user_statement(user, sources: tuple, kind_order: Mapping[str, int], limited: bool) -> Select:
    union = _union([source.query(user) for source in sources])
    kind_rank = case(kind_order, value=union.c.kind, else_=0) if kind_order else literal(0)
    query = db.select(union, func.count().over().label("total")).order_by(
        local_date(union.c.since), kind_rank, union.c[SOURCE], *(union.c[name] for name in SEQ)
    )
    return query.limit(bindparam("limit")) if limited else query


def first_waiting_for(
    user, session: Session, limit: int | None, kind_order: Mapping[str, int]
) -> tuple[list[Waiting], int]:
    """The first ``limit`` items (all when None) that ``user`` may act on, and how many there are, in
    one statement: each queue keeps the rows of the decision's predicate in its SQL form
    (``permissions.<DECISION>.clause``, the same rule the items' ``may_act`` applies), and the rows are
    ordered by the local day they have waited since, ``kind_order`` (a kind's rank; 0 when not given),
    the queue and each queue's own order."""
    user = getattr(user, "_get_current_object", lambda: user)()  # the user itself, not a request proxy
    roles = frozenset(user.roles)
    sources = tuple(source for source in SOURCES if source.ROLES & roles)
    if not sources:
        return [], 0
    zone = app_timezone()  # the local day's offset is written into the statement
    offset = datetime.now(zone).utcoffset()
    # The predicates' unit step writes the units where the user holds each role into the statement (None: the
    # whole group; read from the unit tree the request's scope has read already).
    units = tuple(
        (role, None if allowed is None else tuple(allowed))
        for role in sorted(roles & WAITING_ROLES)
        for allowed in (unit_services.unit_ids_for_action(user, role),)
    )
    key = (type(user), user.id, bool(user.is_active), roles, units, tuple(kind_order.items()), limit is not None,
           offset)
    query = _USER_STATEMENTS.get(key)
    if query is None:
        query = _user_statement(user, sources, kind_order, limit is not None)
        if len(_USER_STATEMENTS) >= 256:
            _USER_STATEMENTS.clear()
        _USER_STATEMENTS[key] = query
    rows = session.execute(query, {} if limit is None else {"limit": limit}).all()
    items = [item for row in rows for item in sources[row._mapping[SOURCE]].items([row])]
    return items, rows[0].total if rows else 0

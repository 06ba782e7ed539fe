"""Each subcontract node's state code, stored and kept current, so that the sections of the subcontract
index and the dashboard's count of nodes without valid consent read an index instead of judging every
open chain on each request.

The rule stays :func:`oversight.subcontracts.lights.node_code_of`; this module only runs it and keeps
its results in ``subcontract_states``, as :mod:`oversight.status.store` does for the vendors' lights:

* **on every change** of a node, a consent or a contract, a session hook notes the contracts concerned
  and, just before the transaction commits, judges every node of those contracts again (a node's code
  reads the nodes above it) in the same transaction;
* **at the day boundary** consents expire, so the midnight job judges every node again
  (:func:`refresh_all`), and a reader first re-judges the rows whose ``as_of`` is not today
  (:func:`ensure_current`; one indexed count when everything is current).

A bulk statement run through the session on those tables has every node judged again at commit; rows
written outside the app are caught at the next day boundary or by ``flask status refresh``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from sqlalchemy import ColumnElement, Select, bindparam, event, func, inspect, literal, or_, true
from sqlalchemy.orm import Session

from oversight.contracts.models import Contract
from oversight.core.timeutil import local_today
from oversight.core.upsert import upsert_from_select
from oversight.extensions import db
from oversight.subcontracts import lights
from oversight.subcontracts.models import Subcontract, SubcontractConsent, SubcontractState
from oversight.units import scope as unit_scope

INFO_KEY = "oversight.subcontracts.touched"
CURRENT_KEY = "oversight.subcontracts.current"  # the day the rows were found current for, this transaction
# What a changed row can change: the nodes of the contracts it names (directly, or through its node).
TOUCHES: dict[type, tuple[str, str]] = {
    Contract: ("contract", "id"),
    Subcontract: ("contract", "contract_id"),
    SubcontractConsent: ("subcontract", "subcontract_id"),
}
_TABLES = frozenset(model.__table__.name for model in TOUCHES)


@lru_cache(maxsize=8)
def _judgement(today: date, every_node: bool) -> Select:
    """Each node's id and state code on ``today``: every node, or those of the contracts bound as
    ``contract_ids``."""
    facts = lights.node_facts(Subcontract, today)
    condition = true() if every_node else Subcontract.contract_id.in_(bindparam("contract_ids", expanding=True))
    # WHERE: SQLite needs one before an upsert's ON CONFLICT to parse INSERT … SELECT.
    return db.select(Subcontract.id.label("subcontract_id"), lights.node_code_of(facts).label("code")).where(condition)


def _upsert(judgement: Select, today: date, session: Session):
    source = judgement.add_columns(literal(today).label("as_of"))
    table = SubcontractState.__table__
    return upsert_from_select(table, "subcontract_id", ["subcontract_id", "code", "as_of"], source, _dialect(session))


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


@unit_scope.reads_whole_group
def refresh(contract_ids: Iterable[int], today: date | None = None, session: Session | None = None) -> None:
    """Judge every node of ``contract_ids`` again in ``session``'s transaction (the app's by default)."""
    session = db.session() if session is None else session
    ids = sorted(set(contract_ids))
    if ids:
        session.execute(
            _upsert(_judgement(today or local_today(), False), today or local_today(), session), {"contract_ids": ids}
        )


@unit_scope.reads_whole_group
def refresh_all(today: date | None = None, session: Session | None = None) -> int:
    """Judge every node again (the day boundary); the number of nodes."""
    session = db.session() if session is None else session
    today = today or local_today()
    session.execute(_upsert(_judgement(today, True), today, session))
    return session.execute(db.select(func.count()).select_from(SubcontractState)).scalar_one()


def _stale_nodes(today: date) -> Select:
    stale = or_(SubcontractState.subcontract_id.is_(None), SubcontractState.as_of != today)
    return (
        db.select(Subcontract.contract_id)
        .outerjoin(SubcontractState, SubcontractState.subcontract_id == Subcontract.id)
        .where(stale)
    )


def stale_count(today: date) -> ColumnElement[int]:
    """How many nodes have no stored code of ``today`` (a scalar subquery, to read with other counts):
    the nodes less the codes of ``today`` (each node has at most one, deleted with it), two counts an
    index answers alone instead of an outer join of every node."""
    nodes = db.select(func.count()).select_from(Subcontract).scalar_subquery()
    current = db.select(func.count()).select_from(SubcontractState).where(SubcontractState.as_of == today)
    return nodes - current.scalar_subquery()


def is_checked(today: date) -> bool:
    """This transaction already found the stored codes current for ``today``."""
    return db.session.info.get(CURRENT_KEY) == today


@unit_scope.reads_whole_group
def bring_current(today: date, stale: int) -> None:
    """Judge the ``stale`` nodes found by :func:`stale_count` (every node when many) and note the check."""
    if stale > 200:
        refresh_all(today)
    elif stale:
        refresh(db.session.execute(_stale_nodes(today)).scalars(), today)
    db.session.info[CURRENT_KEY] = today


@unit_scope.reads_whole_group
def ensure_current(today: date) -> int:
    """Judge again the nodes touched by this transaction so far, then every node whose stored code is
    missing or not of ``today``; the number of nodes judged for being stale. Checked once per
    transaction: later calls only judge what the transaction itself changed since."""
    apply_pending(db.session)
    if is_checked(today):
        return 0
    stale = db.session.execute(db.select(stale_count(today))).scalar_one()
    bring_current(today, stale)
    return stale


@unit_scope.reads_whole_group
def judged(today: date) -> dict[int, str]:
    """Every node's code judged afresh on ``today`` (nothing stored)."""
    return {row.subcontract_id: row.code for row in db.session.execute(_judgement(today, True))}


@unit_scope.reads_whole_group
def mismatches() -> list[tuple[int, date, str, str]]:
    """Every stored row that a fresh judgement on its ``as_of`` day would change:
    ``(subcontract_id, as_of, stored, judged)``. Empty when the hook missed nothing."""
    found = []
    by_day: dict[date, list[SubcontractState]] = {}
    for row in db.session.execute(db.select(SubcontractState)).scalars():
        by_day.setdefault(row.as_of, []).append(row)
    for day, rows in by_day.items():
        codes = judged(day)
        found += [
            (row.subcontract_id, day, row.code, codes.get(row.subcontract_id))
            for row in rows
            if codes.get(row.subcontract_id) != row.code
        ]
    return found


def code_of(node_id_column) -> Select:
    """The stored code of the node ``node_id_column`` (a correlated scalar subquery)."""
    return db.select(SubcontractState.code).where(SubcontractState.subcontract_id == node_id_column).scalar_subquery()


# --- keeping the rows current: the session hook ----------------------------------------------------


def _touched(session: Session) -> dict[str, set]:
    return session.info.setdefault(INFO_KEY, {"contract": set(), "subcontract": set(), "all": set()})


def _note(session: Session, _flush_context) -> None:
    touched = None
    for instance in (*session.new, *session.dirty, *session.deleted):
        found = TOUCHES.get(type(instance))
        if found is None:
            continue
        if instance in session.dirty and not session.is_modified(instance, include_collections=False):
            continue
        kind, attribute = found
        history = inspect(instance).attrs[attribute].history
        values = {getattr(instance, attribute, None), *history.deleted}
        touched = touched or _touched(session)
        touched[kind] |= {value for value in values if isinstance(value, int)}


def _note_statement(state) -> None:
    """A bulk statement on a table the node rule reads: which rows it changed is not known here."""
    changes = state.is_insert or state.is_update or state.is_delete
    if changes and getattr(getattr(state.statement, "table", None), "name", None) in _TABLES:
        _touched(state.session)["all"].add(True)


@unit_scope.reads_whole_group
def apply_pending(session: Session) -> None:
    """Judge again the nodes of the contracts touched by this transaction's changes so far."""
    if session.new or session.dirty or session.deleted:
        session.flush()
    touched = session.info.pop(INFO_KEY, None)
    if not touched or not any(touched.values()):
        return
    if touched["all"]:
        refresh_all(session=session)
    else:
        contract_ids = set(touched["contract"])
        if touched["subcontract"]:
            query = db.select(Subcontract.contract_id).where(Subcontract.id.in_(touched["subcontract"]))
            contract_ids |= set(session.execute(query).scalars())
        refresh(contract_ids, session=session)
    session.info.pop(INFO_KEY, None)


def _forget(session: Session, *args) -> None:
    session.info.pop(INFO_KEY, None)
    session.info.pop(CURRENT_KEY, None)


def _end(session: Session) -> None:
    """A committed transaction: the next one checks again (others may have written meanwhile)."""
    session.info.pop(CURRENT_KEY, None)


def install() -> None:
    """Listen on every SQLAlchemy session of the process (once)."""
    if event.contains(Session, "before_commit", apply_pending):
        return
    event.listen(Session, "after_flush", _note)
    event.listen(Session, "do_orm_execute", _note_statement)
    event.listen(Session, "before_commit", apply_pending)
    event.listen(Session, "after_rollback", _forget)
    event.listen(Session, "after_commit", _end)

"""The read scope: which business units the current reader may see, applied to every ORM read in one place.

A ``Scope`` is set for each request (the signed-in user's memberships, the API token's owner, the calendar
feed's owner), and explicitly as the whole group by the scheduler, the CLI and the demo. ``install`` adds a
``do_orm_execute`` hook to every session: each SELECT gets one ``with_loader_criteria`` per unit-bound
model (the rules live in ``oversight/scoping.py``), so lists, counts, detail pages (``db.get_or_404``
finds nothing: 404), joins, subqueries and relationship loads all see only the scope's records.

A read of a unit-bound model without a scope is a programming error: it raises ``MissingScopeError`` in
development and testing, and reads nothing in production (never an open door). Statements on ``Table``
objects bypass the ORM: they take the scope's condition from ``table_condition`` (docs/units.md).
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache, wraps

from sqlalchemy import ColumnElement, event, false, inspect, true
from sqlalchemy.orm import Mapper, ORMExecuteState, Session, with_loader_criteria
from sqlalchemy.sql.util import find_tables

logger = logging.getLogger(__name__)


class MissingScopeError(RuntimeError):
    """A unit-bound model was read with no scope set (a request, job or command forgot to set one)."""


@dataclass(frozen=True)
class Scope:
    """The units a reader may see: ``unit_ids`` None = the whole group (no condition at all)."""

    unit_ids: frozenset[int] | None
    label: str = ""

    @property
    def is_group_wide(self) -> bool:
        return self.unit_ids is None

    def sees_unit(self, unit_id: int | None) -> bool:
        return self.unit_ids is None or unit_id in self.unit_ids


GROUP = Scope(None, "group")
NOWHERE = Scope(frozenset(), "nowhere")


@dataclass(frozen=True)
class ScopeRule:
    """How one unit-bound model is bound: ``criteria(cls, unit_ids)`` is the condition on the rows of
    ``cls`` (the model, or an alias of it: the ORM hands the alias in)."""

    model: type
    criteria: Callable[[type, tuple[int, ...]], ColumnElement[bool]]


@dataclass
class _Installed:
    rules: tuple[ScopeRule, ...] = ()
    models: frozenset[type] = field(default_factory=frozenset)
    tables: frozenset = field(default_factory=frozenset)
    strict: Callable[[], bool] = lambda: True


_current: ContextVar[Scope | None] = ContextVar("oversight_unit_scope", default=None)
# The records a whole-group read loaded for a narrower reader (``reads_whole_group``), to be forgotten after it.
_loaded_for_group: ContextVar[list | None] = ContextVar("oversight_loaded_for_group", default=None)
_installed = _Installed()


def current() -> Scope:
    """The scope in force; a missing one raises in development and testing, and sees nothing otherwise."""
    scope = _current.get()
    if scope is not None:
        return scope
    if _installed.strict():
        raise MissingScopeError("no unit scope set for this read (see docs/units.md)")
    _report_missing()
    return NOWHERE


def _report_missing() -> None:
    """Production reads nothing without a scope (never an open door); the read is still a bug (a job that
    forgot its scope finds no record and does nothing), so it goes to the error log with its stack."""
    logger.error("no unit scope set for this read; it reads nothing (see docs/units.md)", stack_info=True)


def peek() -> Scope | None:
    return _current.get()


@contextmanager
def activate(scope: Scope | None) -> Iterator[Scope | None]:
    """Read with ``scope`` inside the block (None: no scope, a read of unit-bound data is an error)."""
    token = _current.set(scope)
    try:
        yield scope
    finally:
        _current.reset(token)


def whole_group() -> AbstractContextManager[Scope | None]:
    """The scheduler, the CLI, the demo and the stored states' re-judging read the whole group."""
    return activate(GROUP)


def set_scope(scope: Scope | None):
    """Set the scope until ``reset_scope(token)`` (the request hooks)."""
    return _current.set(scope)


def reset_scope(token) -> None:
    _current.reset(token)


def table_condition(column: ColumnElement) -> ColumnElement[bool]:
    """The scope's condition on ``column`` holding a unit id, for Core statements on ``Table`` objects.
    The whole group gives ``true()`` (no cost); an empty scope ``false()``."""
    scope = current()
    if scope.unit_ids is None:
        return true()
    if not scope.unit_ids:
        return false()
    return column.in_(tuple(sorted(scope.unit_ids)))


def condition_for(model: type) -> ColumnElement[bool]:
    """The scope's condition on ``model``'s rows (its rule), for Core statements that name its table."""
    scope = current()
    if scope.unit_ids is None:
        return true()
    return criteria_for(model, scope.unit_ids)


def criteria_for(model: type, unit_ids: Iterable[int]) -> ColumnElement[bool]:
    """The condition on ``model``'s rows that a reader of ``unit_ids`` sees (its rule), whatever scope is in force:
    to ask in one statement which of many readers see a row (the reminders' recipients)."""
    ids = tuple(sorted(unit_ids))
    if not ids:
        return false()
    for rule in _installed.rules:
        if rule.model is model:
            return rule.criteria(model, ids)
    raise LookupError(f"{model.__name__} is not unit-bound")


def _touches_bound_model(state: ORMExecuteState) -> bool:
    """Whether the statement reads a unit-bound table anywhere: its entities, FROM list, joins, subqueries
    (only asked when no scope is set, which a signed-in request never is)."""
    if any(mapper.class_ in _installed.models for mapper in state.all_mappers):
        return True
    found = find_tables(state.statement, check_columns=True, include_aliases=True, include_joins=True,
                        include_selects=True)
    return any(getattr(table, "element", table) in _installed.tables for table in found)


def _apply(state: ORMExecuteState) -> None:
    if not state.is_select or state.is_column_load or state.is_relationship_load:
        return
    scope = _current.get()
    if scope is None:
        # Before the request's scope is set (the signed-in user, the settings the sign-in checks read), a
        # statement that reads no unit-bound table needs no condition, in production as in testing.
        touches = _touching.get(state.statement)
        if touches is None:
            touches = _touching[state.statement] = _touches_bound_model(state)
        if not touches:
            return
        if _installed.strict():
            raise MissingScopeError("no unit scope set for this read (see docs/units.md)")
        _report_missing()
        scope = NOWHERE  # production: the conditions of an empty scope, on whatever the statement reads
    if scope.unit_ids is None:
        return
    ids = tuple(sorted(scope.unit_ids))
    by_units = _scoped.get(state.statement)
    if by_units is None:
        by_units = _scoped[state.statement] = {}
    scoped = by_units.get(ids)
    if scoped is None:
        scoped = by_units[ids] = state.statement.options(*_scope_options(_installed.rules, ids))
    state.statement = scoped


# For each statement object, whether it reads a unit-bound table and the statement with each set of units'
# conditions: a statement built once and run on every request (the lights', the signed-in user's) is then
# neither searched for tables nor copied with the options again, and the copy keeps the cache key SQLAlchemy
# computed for it (hashing the lights' statement afresh cost a unit member's vendor list about 8 ms). Weak
# keys: a statement built for one request leaves with it. Statements, not data: no record is kept here.
_touching: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_scoped: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@lru_cache(maxsize=256)
def _scope_options(rules: tuple[ScopeRule, ...], ids: tuple[int, ...]) -> tuple:
    """One ``with_loader_criteria`` per rule for the units ``ids``, built once per set of units and process.

    Building them (the ORM analyses each rule's lambda) cost every statement of a unit member's page about
    a millisecond; the options are immutable and hold no data but the unit ids (bound parameters), so each
    statement reuses them."""
    return tuple(
        with_loader_criteria(rule.model, _criteria(rule.criteria, ids), include_aliases=True) for rule in rules
    )


def _criteria(criteria: Callable, ids: tuple[int, ...]) -> Callable:
    """The rule as the lambda ``with_loader_criteria`` wants: the ORM adapts it to aliases of the model,
    and caches the statement once, with the unit ids as a bound parameter (``ids`` is tracked)."""
    return lambda cls: criteria(cls, ids)


def install(rules: Iterable[ScopeRule], *, strict: Callable[[], bool]) -> None:
    """Bind every session's reads to the current scope (once per process; the rules are the same)."""
    _installed.rules = tuple(rules)
    _installed.models = frozenset(rule.model for rule in _installed.rules)
    _installed.tables = frozenset(rule.model.__table__ for rule in _installed.rules)
    _installed.strict = strict
    if not event.contains(Session, "do_orm_execute", _apply):
        event.listen(Session, "do_orm_execute", _apply)
    if not event.contains(Mapper, "load", _note_load):
        event.listen(Mapper, "load", _note_load)


def _note_load(instance, _context) -> None:
    loaded = _loaded_for_group.get()
    if loaded is not None:
        loaded.append(instance)


def _forget(instances: list) -> None:
    """Take the records a whole-group read loaded out of the session, unless changed: ``session.get`` answers
    from the session's identity map without a statement, so a record kept there would skip the reader's scope
    (e.g. another unit's contract found by the number check, then opened by id in the same request)."""
    for instance in instances:
        state = inspect(instance)
        session = state.session
        if session is not None and state.persistent and not state.modified and instance not in session.deleted:
            session.expunge(instance)


def replace(scope: Scope | None) -> None:
    """Change the scope for the rest of the request (the API's token owner, the calendar feed's owner);
    the request's teardown restores what was there before the request."""
    _current.set(scope)


def reads_whole_group(function: Callable) -> Callable:
    """Run ``function`` reading the whole group: the stored states' re-judging, numbering and uniqueness
    checks must see every record whoever's request triggers them (they show nothing to the reader). For a
    reader narrower than the group, the records the read loaded leave the session afterwards (``_forget``),
    so that a later ``session.get`` reads them again under the reader's scope."""

    @wraps(function)
    def wrapped(*args, **kwargs):
        outer = _current.get()
        if outer is None or outer.is_group_wide:
            with activate(GROUP):
                return function(*args, **kwargs)
        loaded: list = []
        token = _loaded_for_group.set(loaded)
        try:
            with activate(GROUP):
                return function(*args, **kwargs)
        finally:
            _loaded_for_group.reset(token)
            _forget(loaded)

    return wrapped

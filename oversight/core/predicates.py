"""A decision's permission rule written once, read by Python for one record and by SQL for one user.

A decision (approve a contract, confirm a deletion…) is allowed when every step of its rule holds:
the user holds a role, the record is in the state the decision needs, the user took no part in it
(separation of duties). :class:`Predicate` lists those steps, each with the message that refuses
it. The same object answers

* ``refusal(user, *records)`` / ``allows(user, *records)``: for one record (pages, services, the
  approval-wait reminders), the first failing step's message;
* ``clause(user, *tables)``: a SQL condition on the records' columns selecting exactly those
  records the user may decide (the dashboard's work list counts and cuts its queues in SQL).

``tables`` gives, for each record, where its columns are found by name: an ORM class or a
subquery's ``.c``. A step about the user alone (a role) is decided in Python in both forms: the user
is known when the statement is built. ``tests/web/test_permissions.py`` checks both forms against
the specification table (docs/permissions.md).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, true


class _Missing(Exception):
    """A step read a record that is not there (e.g. no review round yet): the step fails."""


def _value(records: Sequence[Any], record: int, name: str) -> Any:
    if record >= len(records) or records[record] is None:
        raise _Missing
    return getattr(records[record], name)


def _column(tables: Sequence[Any], record: int, name: str) -> ColumnElement:
    return getattr(tables[record], name)


class Condition:
    """One step's test: ``check`` for one record, ``clause`` as SQL for one user."""

    def check(self, user: Any, records: Sequence[Any]) -> bool:
        raise NotImplementedError

    def clause(self, user: Any, tables: Sequence[Any]) -> ColumnElement[bool]:
        raise NotImplementedError


@dataclass(frozen=True)
class HasRole(Condition):
    """The user holds one of ``roles``."""

    roles: tuple[str, ...]

    def check(self, user, records) -> bool:
        return bool(user.has_role(*self.roles))

    def clause(self, user, tables):
        return true() if self.check(user, ()) else false()


@dataclass(frozen=True)
class UserIs(Condition):
    """The user meets ``test`` (about the user alone, e.g. an active manager of the principal)."""

    test: Callable[[Any], bool]

    def check(self, user, records) -> bool:
        return bool(self.test(user))

    def clause(self, user, tables):
        return true() if self.check(user, ()) else false()


@dataclass(frozen=True)
class Equals(Condition):
    """Column ``name`` of record ``record`` is one of ``values`` (NULL is none of them)."""

    name: str
    values: Collection[Any]
    record: int = 0

    def check(self, user, records) -> bool:
        try:
            value = _value(records, self.record, self.name)
        except _Missing:
            return False
        return value is not None and value in self.values

    def clause(self, user, tables):
        return _column(tables, self.record, self.name).in_(list(self.values))


@dataclass(frozen=True)
class IsNull(Condition):
    """Column ``name`` of record ``record`` is NULL (``negate``: is not NULL); a missing record fails."""

    name: str
    record: int = 0
    negate: bool = False

    def check(self, user, records) -> bool:
        try:
            value = _value(records, self.record, self.name)
        except _Missing:
            return False
        return (value is not None) if self.negate else (value is None)

    def clause(self, user, tables):
        column = _column(tables, self.record, self.name)
        return column.is_not(None) if self.negate else column.is_(None)


def NotNull(name: str, record: int = 0) -> IsNull:
    return IsNull(name, record, negate=True)


@dataclass(frozen=True)
class NotActor(Condition):
    """The user is none of the people named by ``columns`` (``(record, name)``: e.g. who submitted,
    who reviewed); a NULL names nobody. Separation of duties."""

    columns: tuple[tuple[int, str], ...]

    def check(self, user, records) -> bool:
        people = set()
        for record, name in self.columns:
            try:
                people.add(_value(records, record, name))
            except _Missing:
                continue
        return user.id not in people - {None}

    def clause(self, user, tables):
        return and_(
            *(
                or_(_column(tables, record, name).is_(None), _column(tables, record, name) != user.id)
                for record, name in self.columns
            )
        )


def actors(*names: str, record: int = 0) -> NotActor:
    """:class:`NotActor` over columns of one record."""
    return NotActor(tuple((record, name) for name in names))


@dataclass(frozen=True)
class Custom(Condition):
    """A step whose two forms are written side by side (e.g. membership in a related table)."""

    check_one: Callable[[Any, Sequence[Any]], bool]
    clause_for: Callable[[Any, Sequence[Any]], ColumnElement[bool]]

    def check(self, user, records) -> bool:
        try:
            return bool(self.check_one(user, records))
        except _Missing:
            return False

    def clause(self, user, tables):
        return self.clause_for(user, tables)


@dataclass(frozen=True)
class Predicate:
    """A decision's rule: ``steps`` of (conditions, refusal message), tested in order."""

    steps: tuple[tuple[tuple[Condition, ...], Any], ...]

    def refusal(self, user: Any, *records: Any) -> Any:
        """The message of the first step that does not hold for ``user`` and ``records``, or None."""
        for conditions, message in self.steps:
            if not all(condition.check(user, records) for condition in conditions):
                return message
        return None

    def allows(self, user: Any, *records: Any) -> bool:
        return self.refusal(user, *records) is None

    def clause(self, user: Any, *tables: Any) -> ColumnElement[bool]:
        """A SQL condition: the records (columns found in ``tables``, one per record) ``user`` may decide."""
        user = getattr(user, "_get_current_object", lambda: user)()
        return and_(*(condition.clause(user, tables) for conditions, _ in self.steps for condition in conditions))


def step(message: Any, *conditions: Condition) -> tuple[tuple[Condition, ...], Any]:
    return conditions, message

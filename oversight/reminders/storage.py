"""Writes that must stay correct when two processes run at once: insert-if-absent and leases."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import JSON, Table, Text, bindparam, cast, column, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from oversight.extensions import db
from oversight.reminders.models import SchedulerLease

NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def insert_if_absent(table: Table, values: dict, conflict_columns: Sequence[str]) -> bool:
    """Insert one row unless a row with the same ``conflict_columns`` exists; True when inserted.

    One statement (``INSERT … ON CONFLICT DO NOTHING``), so two writers racing for the same
    row never fail and never both insert it.
    """
    # RETURNING, because rowcount is not reported for this statement by every driver (psycopg: -1).
    returning = _insert_ignoring_conflicts(table, conflict_columns).values(**values).returning(
        table.c[conflict_columns[0]]
    )
    return db.session.execute(returning).first() is not None


def insert_many_if_absent(table: Table, rows: Sequence[dict], conflict_columns: Sequence[str]) -> int:
    """``insert_if_absent`` for many rows (all with the same keys) at once; the number inserted.

    PostgreSQL: one ``INSERT … SELECT FROM json_to_recordset(<the rows as one JSON text>) ON CONFLICT DO
    NOTHING RETURNING``, whatever the number of rows. (SQLAlchemy's multi-row VALUES batches for RETURNING
    made statements of hundreds of kilobytes that psycopg parses in Python: 23 s for a first sweep's
    130,000 rows; one array per column with ``unnest`` had psycopg quote each element in Python, a
    fifth of a next-day sweep's time; ``json.dumps`` writes the whole in C.) SQLite: the driver's
    ``executemany``, whose row count adds up the rows inserted.
    """
    if not rows:
        return 0
    statement = _insert_ignoring_conflicts(table, conflict_columns)
    dialect = db.session.get_bind().dialect
    if dialect.name != "postgresql":
        return _executemany(table, statement, rows)
    names = list(rows[0])
    converters = _converters(table, names, dialect)
    payload = json.dumps(
        [
            {name: value if convert is None or value is None else convert(value)
             for (name, value), convert in zip(row.items(), converters, strict=True)}
            for row in rows
        ],
        default=_json_value,
        ensure_ascii=False,
    )
    columns = (
        func.json_to_recordset(cast(bindparam("rows", payload, type_=Text), JSON))
        .table_valued(*(column(name, table.c[name].type) for name in names))
        .render_derived(name="rows", with_types=True)
    )
    statement = postgresql.insert(table).from_select(names, select(*(columns.c[name] for name in names)))
    statement = statement.on_conflict_do_nothing(index_elements=list(conflict_columns))
    return len(db.session.execute(statement.returning(table.c[conflict_columns[0]])).all())


def _executemany(table: Table, statement, rows: Sequence[dict]) -> int:
    """The driver's ``executemany`` of ``statement`` over ``rows``; the number of rows inserted.

    The statement is compiled once and each value converted by its column type's bind processor, once
    per distinct value (a sweep's rows share their timestamps and most due dates): SQLAlchemy's own
    executemany prepares every row's parameters one by one, which took longer than SQLite's inserts.
    """
    connection = db.session.connection()
    dialect = connection.dialect
    names = list(rows[0])
    compiled = statement.values({name: bindparam(name) for name in names}).compile(dialect=dialect)
    order = [names.index(name) for name in compiled.positiontup]
    converters = _converters(table, names, dialect)
    parameters = []
    for row in rows:
        values = [
            row[name] if convert is None or row[name] is None else convert(row[name])
            for name, convert in zip(names, converters, strict=True)
        ]
        parameters.append(tuple(values[index] for index in order))
    return connection.exec_driver_sql(compiled.string, parameters).rowcount


def _converters(table: Table, names: list[str], dialect) -> list:
    """Each column's bind processor (None when it has none), remembering the last 1,024 values it converted:
    a sweep's rows share their timestamps and most due dates."""
    converters = []
    for name in names:
        process = table.c[name].type.bind_processor(dialect)
        converters.append(functools.lru_cache(maxsize=1024)(process) if process else None)
    return converters


def _json_value(value: object) -> str:
    """A date or a (naive UTC, as bound) datetime in JSON: its ISO text, which PostgreSQL reads back."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _insert_ignoring_conflicts(table: Table, conflict_columns: Sequence[str]):
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=list(conflict_columns))
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing(index_elements=list(conflict_columns))
    raise NotImplementedError(f"insert_if_absent does not support {dialect}")  # pragma: no cover


def acquire_lease(name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take the lease ``name`` for ``holder`` until ``now + ttl`` if it is free or lapsed; commits.

    The conditional UPDATE is atomic on both engines: of two racing holders exactly one
    changes the row (PostgreSQL re-checks the condition after the row lock is released).
    """
    insert_if_absent(SchedulerLease.__table__, {"name": name, "holder": None, "expires_at": NEVER}, ["name"])
    result = db.session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == name)
        .where(or_(SchedulerLease.expires_at <= now, SchedulerLease.holder == holder))
        .values(holder=holder, expires_at=now + ttl)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def release_lease(name: str, holder: str) -> None:
    """Give the lease back (only if ``holder`` still has it); commits."""
    db.session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == name, SchedulerLease.holder == holder)
        .values(holder=None, expires_at=NEVER)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def renew_lease(name: str, holder: str, expires_at: datetime) -> bool:
    """Extend ``holder``'s lease to ``expires_at`` (the caller commits); False when it is no longer theirs."""
    result = db.session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == name, SchedulerLease.holder == holder)
        .values(expires_at=expires_at)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


@dataclass(frozen=True)
class LeaseInfo:
    holder: str | None
    expires_at: datetime


def lease_info(name: str) -> LeaseInfo | None:
    """Who holds the lease ``name`` and until when (None when it was never taken)."""
    row = db.session.execute(
        select(SchedulerLease.holder, SchedulerLease.expires_at).where(SchedulerLease.name == name)
    ).first()
    db.session.rollback()
    return LeaseInfo(row.holder, row.expires_at) if row else None

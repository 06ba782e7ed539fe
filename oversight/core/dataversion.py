"""One counter that moves with every committed change to oversight data: the key of derived caches.

Every transaction that wrote to a table (any INSERT, UPDATE or DELETE that went through a database
connection, whether from the ORM, a Core statement or plain SQL text) raises
``data_version.version`` by one in the same transaction, just before it commits. A reader that
takes the version first and then reads the data therefore never keeps old data under a new
version: until the writer commits, readers see the old version; afterwards, the new one. Caches
keyed by it (the dashboard's figures, ``oversight.web.pagecache``) are right across processes and
workers, whatever wrote the change: a form, the reminder sweep, a command.

Writes that no page shows are not counted: the scheduler's lease renewals (every few minutes)
would otherwise empty every cache for nothing.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import BigInteger, Engine, Integer, event, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from oversight.core.timeutil import utcnow
from oversight.core.types import UTCDateTime
from oversight.extensions import db

ROW_ID = 1
WRITES_FLAG = "oversight.data_written"
# Tables whose writes change nothing any page shows (the counter itself, the scheduler's locks).
UNCOUNTED_TABLES = frozenset({"data_version", "scheduler_leases"})
DML_TEXT = re.compile(r"^\s*(?:insert|update|delete|replace|merge|with\b.*\b(?:insert|update|delete)\b)", re.I | re.S)


class DataVersion(db.Model):
    """A single row (id 1): the number of committed transactions that changed oversight data."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


@event.listens_for(DataVersion.__table__, "after_create")
def _first_row(table, connection, **_kwargs) -> None:
    """``db.create_all()`` (tests, the benchmark) starts with the row, as the migration does."""
    connection.execute(table.insert().values(id=ROW_ID, version=0))


def current() -> int:
    """The committed version (one primary-key read); 0 before the first change."""
    return db.session.scalar(select(DataVersion.version).where(DataVersion.id == ROW_ID)) or 0


def _is_counted_write(context, statement: str) -> bool:
    if context is None:
        return bool(DML_TEXT.match(statement))
    if context.isinsert or context.isupdate or context.isdelete:
        table = getattr(getattr(context.compiled, "statement", None), "table", None)
        return getattr(table, "name", None) not in UNCOUNTED_TABLES
    return bool(DML_TEXT.match(statement)) and not any(
        re.search(rf"\b{name}\b", statement, re.I) for name in UNCOUNTED_TABLES
    )


@event.listens_for(Engine, "before_cursor_execute")
def _note_write(connection, _cursor, statement, _parameters, context, _executemany) -> None:
    # ``Connection.info`` belongs to the DBAPI connection, which one session holds for its whole
    # transaction: the flag says "this transaction wrote" until the session's commit reads it.
    if _is_counted_write(context, statement):
        connection.info[WRITES_FLAG] = True


@event.listens_for(Engine, "rollback")
def _forget_writes(connection) -> None:
    # The whole transaction is undone (a savepoint's rollback is another event and keeps the flag).
    connection.info.pop(WRITES_FLAG, None)


@event.listens_for(Session, "before_commit")
def _raise_version(session: Session) -> None:
    """Count the transaction's writes, if any, in the transaction itself, when it commits.

    A savepoint's release only returns to the enclosing transaction: the flag stays until the
    outermost commit, so a savepoint rolled back after its release cannot take the count with it.
    """
    if session.get_transaction() is None or session.in_nested_transaction():
        return
    session.flush()
    connection = session.connection()
    if not connection.info.pop(WRITES_FLAG, False):
        return
    bump = (
        update(DataVersion)
        .where(DataVersion.id == ROW_ID)
        .values(version=DataVersion.version + 1, changed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if session.execute(bump).rowcount == 0:
        # The row is made by the migration (and by create_all); only a wiped table lacks it.
        session.execute(insert(DataVersion).values(id=ROW_ID, version=1, changed_at=utcnow()))

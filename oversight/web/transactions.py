"""A request that only read ends its transaction with COMMIT on PostgreSQL, so prepared statements survive.

psycopg 3 prepares a statement on the server once a connection has run it ``prepare_threshold`` times (5),
and PostgreSQL then stops planning it afresh (a generic plan, after five custom ones). Planning is most
of what the large statements cost on PostgreSQL: the five lights' statement plans in ~20–40 ms and runs in
~2–7 ms for one vendor. But psycopg forgets every prepared statement of a connection on ROLLBACK (it
sends ``DEALLOCATE ALL``), and Flask-SQLAlchemy ends each request by closing the session, which rolls back.
So no prepared statement ever outlived the request that made it, and every page planned every statement.

``init_read_commit(app)`` commits, at the end of a request that raised nothing (not at the end of a command's
or a job's app context), a transaction that only read: the session holds no pending change and its
connection ran no statement that may write (below).
Committing a transaction that wrote nothing changes nothing in the database; everything else is rolled
back exactly as before. SQLite keeps its own statement cache either way: the hook is installed for
PostgreSQL only.

A statement "may write" unless it is a plain ``SELECT``/``WITH`` without a writing keyword
(:data:`WRITING`). The check errs on the side of writing: ``SELECT … FOR UPDATE`` counts as writing, so a
request that locked rows still ends with ROLLBACK as before.

Behind PgBouncer in transaction mode before 1.21, prepared statements must be off altogether (add
``prepare_threshold=None`` to the connection arguments); PgBouncer 1.21+ supports them.
"""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import event

from oversight.extensions import db

WROTE = "oversight_may_have_written"
WRITING = re.compile(
    r"\b(INSERT|UPDATE|DELETE|MERGE|TRUNCATE|CREATE|ALTER|DROP|COPY|LOCK|CALL|NOTIFY|GRANT|REVOKE|SET)\b",
    re.IGNORECASE,
)


def may_write(statement: str) -> bool:
    """Whether ``statement`` may change anything (false only for a read the check is sure of)."""
    head = statement.lstrip()[:6].upper()
    return not head.startswith(("SELECT", "WITH")) or WRITING.search(statement) is not None


def init_read_commit(app: Flask) -> None:
    """Install the hook (PostgreSQL only; see the module's docstring)."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        return
    if not event.contains(engine, "before_cursor_execute", _note_statement):
        event.listen(engine, "before_cursor_execute", _note_statement)
        event.listen(engine, "begin", _new_transaction)
    # A request's teardown runs before its app context's, where Flask-SQLAlchemy removes the session. Only
    # requests: an app context of a command, a job or a test may keep using its objects afterwards, which a
    # commit would have expired.
    app.teardown_request(commit_if_read_only)


def _note_statement(connection, _cursor, statement, _parameters, _context, executemany) -> None:
    if executemany or may_write(statement):
        connection.info[WROTE] = True


def _new_transaction(connection) -> None:
    connection.info.pop(WROTE, None)


def commit_if_read_only(exc: BaseException | None = None) -> None:
    """At the end of a request: COMMIT the session's transaction if it only read, else leave it to the
    session's close (ROLLBACK). Nothing happens after an unhandled exception."""
    if exc is not None or not db.session.registry.has():
        return
    session = db.session()
    transaction = session.get_transaction()
    if transaction is None or not transaction.is_active or session.new or session.dirty or session.deleted:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql" or connection.info.get(WROTE) or connection.in_nested_transaction():
        return
    # Objects read keep what they loaded, as closing the session left them: a commit would expire them.
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire

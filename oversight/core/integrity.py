"""Which unique constraint a refused write broke, asked of the driver rather than read from its message.

PostgreSQL (psycopg) names the constraint in the error's diagnostics (``diag.constraint_name``, SQLSTATE
23505). SQLite names no constraint: its extended result code says a UNIQUE constraint failed
(``sqlite_errorname`` ``SQLITE_CONSTRAINT_UNIQUE``) and the message lists the columns, in the
constraint's order, which are compared whole with the constraint's own columns.
"""

from __future__ import annotations

from sqlalchemy import UniqueConstraint
from sqlalchemy.exc import IntegrityError

UNIQUE_VIOLATION = "23505"  # PostgreSQL's SQLSTATE unique_violation
SQLITE_UNIQUE = "SQLITE_CONSTRAINT_UNIQUE"
SQLITE_UNIQUE_PREFIX = "UNIQUE constraint failed: "


def breaks_unique(error: IntegrityError, constraint: UniqueConstraint) -> bool:
    """Whether ``error`` (raised by a flush or an execute) is a violation of ``constraint``."""
    driver_error = error.orig
    diagnostics = getattr(driver_error, "diag", None)
    if diagnostics is not None:  # psycopg
        return (
            getattr(driver_error, "sqlstate", None) == UNIQUE_VIOLATION
            and diagnostics.constraint_name == constraint.name
        )
    if getattr(driver_error, "sqlite_errorname", None) == SQLITE_UNIQUE:
        columns = tuple(f"{constraint.table.name}.{column.name}" for column in constraint.columns)
        return _sqlite_columns(driver_error) == columns
    return False


def _sqlite_columns(driver_error: BaseException) -> tuple[str, ...]:
    """The ``table.column`` names SQLite lists for a failed UNIQUE constraint (``()`` when it names none)."""
    message = str(driver_error.args[0]) if driver_error.args else ""
    if not message.startswith(SQLITE_UNIQUE_PREFIX):
        return ()
    return tuple(part.strip() for part in message[len(SQLITE_UNIQUE_PREFIX) :].split(","))

"""``INSERT … SELECT … ON CONFLICT DO UPDATE`` in the dialect of the session (SQLite or PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import Select, Table


def upsert_from_select(table: Table, key: str, names: list[str], source: Select, dialect: str):
    """Insert the rows of ``source`` (columns ``names``, the first being ``key``) into ``table``,
    updating the row of the same ``key`` where one exists."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table).from_select(names, source)
    return statement.on_conflict_do_update(
        index_elements=[table.c[key]],
        set_={name: getattr(statement.excluded, name) for name in names if name != key},
    )

"""SQLite's file databases use the write-ahead log with full syncs (``extensions.use_wal_journal``)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from oversight.extensions import db


def test_sqlite_commits_go_to_a_synced_write_ahead_log(app_ctx):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert db.session.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL: a commit is on disk when it returns

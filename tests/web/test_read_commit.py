"""A request that only read ends with COMMIT on PostgreSQL (prepared statements survive); one that wrote, or
may have written, still ends with ROLLBACK (``oversight.web.transactions``)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from oversight.admin.models import Setting
from oversight.auth.models import User
from oversight.extensions import db
from oversight.web.transactions import commit_if_read_only, may_write


@pytest.mark.parametrize(
    ("statement", "writes"),
    [
        ("SELECT vendors.id, vendors.updated_at FROM vendors WHERE vendors.id = %(id)s", False),
        ("  WITH facts AS MATERIALIZED (SELECT 1 AS x) SELECT x FROM facts OFFSET 2", False),
        ("SELECT value FROM settings WHERE key = %(key)s", False),
        ("SELECT id FROM vendors WHERE id = 1 FOR UPDATE", True),
        ("WITH gone AS (DELETE FROM vendors RETURNING id) SELECT id FROM gone", True),
        ("INSERT INTO settings (key, value) VALUES (%(k)s, %(v)s)", True),
        ("update settings set value = 1", True),
        ("SET LOCAL statement_timeout = 1000", True),
        ("SAVEPOINT sa_savepoint_1", True),
    ],
)
def test_only_a_plain_read_counts_as_read(statement, writes):
    assert may_write(statement) is writes


def _setting_exists(key: str) -> bool:
    return db.session.execute(select(Setting.id).where(Setting.key == key)).first() is not None


def test_a_flushed_change_is_still_rolled_back(app):
    with app.test_request_context("/"):
        db.session.add(Setting(key="tests.flushed", value=1))
        db.session.flush()
        assert not (db.session.new or db.session.dirty)
        commit_if_read_only(None)
        db.session.remove()
    with app.app_context():
        assert not _setting_exists("tests.flushed")


def test_a_write_outside_the_orm_is_still_rolled_back(app):
    with app.app_context():
        db.session.add(Setting(key="tests.kept", value=1))
        db.session.commit()
    with app.test_request_context("/"):
        assert _setting_exists("tests.kept")
        db.session.execute(text("DELETE FROM settings WHERE key = 'tests.kept'"))
        commit_if_read_only(None)
        db.session.remove()
    with app.app_context():
        assert _setting_exists("tests.kept")


def test_nothing_is_committed_after_an_exception(app):
    with app.test_request_context("/"):
        db.session.add(Setting(key="tests.pending", value=1))
        commit_if_read_only(RuntimeError("the view failed"))
        db.session.remove()
    with app.app_context():
        assert not _setting_exists("tests.pending")


def _prepared(raw) -> int:
    return raw.execute("SELECT count(*) FROM pg_prepared_statements").fetchone()[0]


def test_prepared_statements_survive_a_request_that_only_read(app, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("psycopg's prepared statements: PostgreSQL only")
    for end in ("rollback", "read-only commit"):
        with app.test_request_context("/"):
            raw = db.session.connection().connection.driver_connection
            for _ in range(raw.prepare_threshold + 1):  # psycopg prepares from the threshold on
                db.session.execute(select(Setting.id).where(Setting.key == "tests.none")).all()
            assert _prepared(raw) >= 1
            if end == "rollback":
                db.session.rollback()  # what closing the session did at the end of every request
                assert _prepared(raw) == 0
            else:
                commit_if_read_only(None)
                assert not db.session().in_transaction()
                assert _prepared(raw) >= 1
            raw.rollback()
            db.session.remove()


def test_objects_read_keep_their_values_after_the_request(app, make_user):
    user = make_user("viewer", email="kept@example.com")
    with app.test_request_context("/"):
        found = db.session.get(User, user.id)
        commit_if_read_only(None)
        db.session.remove()
    assert found.email == "kept@example.com"  # no refresh from a session it no longer has

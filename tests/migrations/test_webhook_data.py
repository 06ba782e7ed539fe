"""The webhook migrations keep the existing rows: duplicate endpoint names are told apart before the names become
unique; SQLite and PostgreSQL (when ``TEST_DATABASE_URL`` is set)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import flask_migrate
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from oversight import create_app
from oversight.config import TestConfig as AppConfig
from oversight.extensions import db

BEFORE_NAMES = "c5e8a2d4f1b7"
NAMES = "e3b7c1a9d2f4"


@contextmanager
def _database(tmp_path, engine_name: str) -> Iterator[str]:
    if engine_name == "sqlite":
        yield f"sqlite:///{tmp_path / 'webhooks.db'}"
        return
    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("TEST_DATABASE_URL (PostgreSQL) is not set")
    url = make_url(os.environ["TEST_DATABASE_URL"])
    name = f"{url.database}_webhook_data"
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield url.set(database=name).render_as_string(hide_password=False)
        finally:
            with server.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        server.dispose()


def _endpoint(conn, endpoint_id: int, name: str) -> None:
    conn.execute(text(
        "INSERT INTO webhook_endpoints (id, name, url, secret, event_types, is_enabled, version, created_at,"
        " updated_at) VALUES (:id, :name, 'https://erp.example.com/hook', 'x', '[]', true, 1,"
        " '2026-12-01 00:00:00', '2026-12-01 00:00:00')"
    ), {"id": endpoint_id, "name": name})


@pytest.mark.parametrize("engine_name", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def test_duplicate_endpoint_names_are_told_apart(tmp_path, engine_name):
    with _database(tmp_path, engine_name) as url:
        app = create_app(AppConfig(url))
        with app.app_context():
            try:
                flask_migrate.upgrade(revision=BEFORE_NAMES)
                with db.engine.begin() as conn:
                    for endpoint_id, name in ((1, "購買"), (2, "購買"), (3, "会計"), (4, "購買"), (5, "x" * 100)):
                        _endpoint(conn, endpoint_id, name)
                    _endpoint(conn, 6, "x" * 100)
                flask_migrate.upgrade(revision=NAMES)
                with db.engine.connect() as conn:
                    names = dict(conn.execute(text("SELECT id, name FROM webhook_endpoints")).all())
                assert names == {1: "購買", 2: "購買 (#2)", 3: "会計", 4: "購買 (#4)", 5: "x" * 100,
                                 6: "x" * 95 + " (#6)"}
                with pytest.raises(IntegrityError), db.engine.begin() as conn:
                    _endpoint(conn, 7, "会計")
                flask_migrate.downgrade(revision=BEFORE_NAMES)
                with db.engine.begin() as conn:
                    _endpoint(conn, 8, "会計")  # no constraint any more
            finally:
                db.session.remove()
                db.engine.dispose()

"""The webhook migrations keep the existing rows: duplicate endpoint names are told apart before the names become
unique, and the deliveries' English error text becomes a code; SQLite and PostgreSQL (``TEST_DATABASE_URL``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import flask_migrate
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from oversight import create_app
from oversight.config import TestConfig as AppConfig
from oversight.extensions import db
from tests.conftest import scratch_postgresql_database

BEFORE_NAMES = "e7b3c1d9a2f4"
NAMES = "e3b7c1a9d2f4"


@contextmanager
def _database(tmp_path, engine_name: str) -> Iterator[str]:
    if engine_name == "sqlite":
        yield f"sqlite:///{tmp_path / 'webhooks.db'}"
        return
    with scratch_postgresql_database("webhook_data") as url:
        yield url


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


ERROR_CODES = "f4a8d2c6e1b3"


@pytest.mark.parametrize("engine_name", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def test_delivery_errors_become_codes_and_back(tmp_path, engine_name):
    """The English text stored before the codes becomes a code and its parameters (and back on downgrade)."""
    texts = {1: "HTTP 503", 2: "Timed out after 10 s", 3: "HTTP 307 (redirects are not followed)",
             4: "ConnectionError: refused", 5: ""}
    with _database(tmp_path, engine_name) as url:
        app = create_app(AppConfig(url))
        with app.app_context():
            try:
                flask_migrate.upgrade(revision=NAMES)
                with db.engine.begin() as conn:
                    _endpoint(conn, 1, "購買")
                    for number, text_ in texts.items():
                        conn.execute(text(
                            "INSERT INTO events (id, event_id, type, occurred_at, payload) VALUES (:id, :uuid,"
                            " 'contract.signed', '2026-12-01 00:00:00', '{}')"), {"id": number, "uuid": f"e-{number}"})
                        conn.execute(text(
                            "INSERT INTO webhook_deliveries (id, endpoint_id, event_id, status, attempts, created_at,"
                            " last_error) VALUES (:id, 1, :id, 'failed', 8, '2026-12-01 00:00:00', :error)"),
                            {"id": number, "error": text_})
                flask_migrate.upgrade(revision=ERROR_CODES)
                with db.engine.connect() as conn:
                    rows = {row.id: (row.error_code, row.error_params, row.last_error) for row in conn.execute(text(
                        "SELECT id, error_code, error_params, last_error FROM webhook_deliveries"))}
                decoded = {key: (code, json.loads(params) if isinstance(params, str) else params, rest)
                           for key, (code, params, rest) in rows.items()}
                assert decoded == {
                    1: ("http_status", {"status": 503}, ""), 2: ("timeout", {"seconds": 10}, ""),
                    3: ("redirect", {"status": 307}, ""),
                    4: ("request_failed", {"detail": "ConnectionError: refused"}, ""), 5: ("", None, ""),
                }
                flask_migrate.downgrade(revision=NAMES)
                with db.engine.connect() as conn:
                    back = dict(conn.execute(text("SELECT id, last_error FROM webhook_deliveries")).all())
                assert back == texts
            finally:
                db.session.remove()
                db.engine.dispose()

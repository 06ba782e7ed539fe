"""The migrations, applied to an empty database, give exactly the schema the models describe."""

from __future__ import annotations

import os

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from oversight import create_app
from oversight.config import TestConfig as AppConfig
from oversight.extensions import db


def _differences(database_url: str) -> list:
    app = create_app(AppConfig(database_url))
    with app.app_context():
        try:
            flask_migrate.upgrade()
            with db.engine.connect() as conn:
                context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
                return compare_metadata(context, db.metadata)
        finally:
            db.session.remove()
            db.engine.dispose()


def _describe(differences: list) -> str:
    """One line per difference, naming the table, for a readable failure."""
    lines = []
    for difference in differences:
        items = difference if isinstance(difference, list) else [difference]
        for item in items:
            lines.append(" ".join(str(getattr(part, "name", part))[:80] for part in item[:4]))
    return "the migrations differ from the models (run `flask --app app db migrate`):\n" + "\n".join(lines)


def test_migrations_match_models_on_sqlite(tmp_path):
    differences = _differences(f"sqlite:///{tmp_path / 'migrations.db'}")
    assert differences == [], _describe(differences)


@pytest.mark.postgresql
@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="TEST_DATABASE_URL (PostgreSQL) is not set")
def test_migrations_match_models_on_postgresql():
    url = make_url(os.environ["TEST_DATABASE_URL"])
    name = f"{url.database}_migrations"
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            differences = _differences(url.set(database=name).render_as_string(hide_password=False))
        finally:
            with server.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        server.dispose()
    assert differences == [], _describe(differences)

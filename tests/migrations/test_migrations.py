"""The migrations, applied to an empty database, give exactly the schema the models describe."""

from __future__ import annotations

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from oversight import create_app
from oversight.config import TestConfig as AppConfig
from oversight.extensions import db
from tests.conftest import scratch_postgresql_database


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
def test_migrations_match_models_on_postgresql():
    with scratch_postgresql_database("migrations") as url:
        differences = _differences(url)
    assert differences == [], _describe(differences)

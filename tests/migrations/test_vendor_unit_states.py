"""Revision e7b3c1d9a2f4 adds ``vendor_unit_states`` (empty) and marks every stored vendor row stale, so that
the first reader judges every vendor again and writes the shared vendors' per-unit rows
(``tests/units/test_unit_states.py``: the first read after it); downgrade drops the table."""

from __future__ import annotations

import flask_migrate
from sqlalchemy import inspect, text

from oversight import create_app
from oversight.config import TestConfig as AppConfig
from oversight.extensions import db
from tests.migrations.test_data_not_sentences import _insert

BEFORE, REVISION = "e3a9c4d17b52", "e7b3c1d9a2f4"


def test_upgrade_adds_an_empty_table_and_marks_the_states_stale_downgrade_drops_it(tmp_path):
    app = create_app(AppConfig(f"sqlite:///{tmp_path / 'unit_states.db'}"))
    with app.app_context():
        try:
            flask_migrate.upgrade(revision=BEFORE)
            assert "vendor_unit_states" not in inspect(db.engine).get_table_names()
            with db.engine.begin() as conn:
                _insert(conn, "vendors", id=1, name="移行委託先")
                _insert(conn, "vendor_states", vendor_id=1, rules="current-digest")
            flask_migrate.upgrade(revision=REVISION)
            tables = inspect(db.engine)
            assert "vendor_unit_states" in tables.get_table_names()
            assert {index["name"] for index in tables.get_indexes("vendor_unit_states")} == {
                "ix_vendor_unit_states_as_of_rules", "ix_vendor_unit_states_unit_id"}
            assert {key["referred_table"]: key["options"].get("ondelete")
                    for key in tables.get_foreign_keys("vendor_unit_states")} == {
                "vendors": "CASCADE", "business_units": "CASCADE"}
            with db.engine.connect() as conn:
                assert conn.execute(text("SELECT rules FROM vendor_states")).scalars().all() == ["stale"]
                assert conn.execute(text("SELECT count(*) FROM vendor_unit_states")).scalar() == 0
            flask_migrate.downgrade(revision=BEFORE)
            assert "vendor_unit_states" not in inspect(db.engine).get_table_names()
        finally:
            db.session.remove()
            db.engine.dispose()

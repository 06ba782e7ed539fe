"""Revision a3f8c61d2e57 turns the sentences stored in the writer's language into data (issue #18 item 2)."""

from __future__ import annotations

import flask_migrate
from sqlalchemy import text

from oversight import create_app
from oversight.config import TestConfig as AppConfig
from oversight.extensions import db

BEFORE = "7c1e5a2b9d40"


def _insert(conn, table: str, **values) -> None:
    """A row with ``values`` and a dummy value in every other required column (foreign keys are off)."""
    for column in conn.execute(text(f"PRAGMA table_info({table})")).mappings():
        name, kind = column["name"], column["type"].upper()
        if name in values or not column["notnull"] or column["dflt_value"] is not None or column["pk"]:
            continue
        if "INT" in kind or "NUMERIC" in kind:
            values[name] = 1
        elif "DATE" in kind or "TIME" in kind:
            values[name] = "2026-01-01"
        elif "BOOL" in kind:
            values[name] = 0
        else:
            values[name] = "x"
    columns = ", ".join(values)
    conn.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(':' + c for c in values)})"), values)


def test_extra_audit_reasons_and_certificate_descriptions_become_data(tmp_path):
    app = create_app(AppConfig(f"sqlite:///{tmp_path / 'data.db'}"))
    with app.app_context():
        try:
            flask_migrate.upgrade(revision=BEFORE)
            with db.engine.begin() as conn:
                conn.execute(text("PRAGMA foreign_keys=OFF"))
                _insert(conn, "audits", id=1, scope_note="Consent to subcontract to 税理士法人みなと会計 (level 1)")
                _insert(conn, "audits", id=2, scope_note="定例の実地調査")
                rows = {
                    1: ("subcontractor", "Consent to subcontract to 税理士法人みなと会計 (level 1)", 1),
                    2: ("subcontractor", "株式会社はやぶさITサポート への再委託の許諾（第2階層）", None),
                    3: ("incident", "Incident #2 closed: USBメモリの紛失", None),
                    4: ("incident", "事案 #3 終結：誤送付", None),
                    5: ("other", "Consent to subcontract to X (level 1)", None),  # typed by a user: kept
                }
                for row_id, (kind, reason, audit_id) in rows.items():
                    _insert(conn, "audit_triggers", id=row_id, kind=kind, reason=reason, audit_id=audit_id)
                _insert(conn, "evidence_files", id=1, owner_type="disposal", owner_id=1, description="Certificate")
                _insert(conn, "evidence_files", id=2, owner_type="disposal", owner_id=1, description="証明書")
                _insert(conn, "evidence_files", id=3, owner_type="audit", owner_id=1, description="Certificate")
            flask_migrate.upgrade()
            with db.engine.connect() as conn:
                reasons = dict(conn.execute(text("SELECT id, reason FROM audit_triggers ORDER BY id")).all())
                notes = dict(conn.execute(text("SELECT id, scope_note FROM audits ORDER BY id")).all())
                descriptions = dict(conn.execute(text("SELECT id, description FROM evidence_files ORDER BY id")).all())
        finally:
            db.session.remove()
            db.engine.dispose()
    assert reasons == {
        1: "税理士法人みなと会計",
        2: "株式会社はやぶさITサポート",
        3: "#2 USBメモリの紛失",
        4: "#3 誤送付",
        5: "Consent to subcontract to X (level 1)",
    }
    assert notes == {1: "税理士法人みなと会計", 2: "定例の実地調査"}
    assert descriptions == {1: "", 2: "", 3: "Certificate"}

"""``flask import vendors FILE``: the same preview and import as the page (issue #20, item 5)."""

from __future__ import annotations

from oversight.activity.models import ActivityLog
from oversight.extensions import db
from oversight.vendors.corporate_number import with_check_digit
from oversight.vendors.models import Vendor
from tests.imports.files import csv_bytes, xlsx_bytes


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(Vendor))


def test_dry_run_prints_the_preview_and_writes_nothing(app, tmp_path):
    path = tmp_path / "台帳.xlsx"
    path.write_bytes(xlsx_bytes([["名称", "リスク区分"], ["株式会社CLI", "高"], ["株式会社誤り", "特大"]]))
    result = app.test_cli_runner().invoke(args=["import", "vendors", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "row 2: NEW 株式会社CLI" in result.output
    assert "row 3: ERROR 株式会社誤り" in result.output and "リスク区分" in result.output
    assert "new 1, update 0, unchanged 0, error 1" in result.output
    assert _count(app) == 0


def test_import_as_a_user_then_again_changes_nothing(app, make_user, tmp_path):
    user = make_user("admin")
    path = tmp_path / "vendors.csv"
    path.write_bytes(csv_bytes([["名称", "法人番号"], ["株式会社CLI", with_check_digit("301000108896")]], "cp932"))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["import", "vendors", str(path), "--as", user.email])
    assert first.exit_code == 0, first.output
    assert _count(app) == 1
    second = runner.invoke(args=["import", "vendors", str(path), "--as", user.email])
    assert "unchanged 1" in second.output and _count(app) == 1
    with app.app_context():
        entries = db.session.scalars(db.select(ActivityLog).where(ActivityLog.action == "import.vendors")).all()
        assert [entry.actor_id for entry in entries] == [user.id, user.id]
        assert entries[0].ip_address is None


def test_errors_refuse_the_import(app, make_user, tmp_path):
    user = make_user("admin")
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([["名称", "本人の概数"], ["株式会社A", "たくさん"]]))
    result = app.test_cli_runner().invoke(args=["import", "vendors", str(path), "--as", user.email])
    assert result.exit_code != 0 and "Nothing was imported" in result.output
    assert _count(app) == 0


def test_the_user_must_be_named_unless_dry_run(app, tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(csv_bytes([["名称"], ["株式会社A"]]))
    result = app.test_cli_runner().invoke(args=["import", "vendors", str(path)])
    assert result.exit_code != 0 and "--as" in result.output

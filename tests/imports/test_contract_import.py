"""Bulk import of contracts: linked to registered vendors, drafted for their clause review (issue #20)."""

from __future__ import annotations

import hashlib
import io
from datetime import date, datetime

import pytest

from oversight.activity.models import ActivityLog
from oversight.contracts.models import Contract, ContractReview
from oversight.extensions import db
from oversight.vendors.corporate_number import with_check_digit
from oversight.vendors.models import Vendor
from tests.contracts.helpers import drafted
from tests.imports.files import csv_bytes, xlsx_bytes
from tests.vendors.factories import create_vendor

NUMBER_A = with_check_digit("301000108896")
NUMBER_B = with_check_digit("401000108897")
HEADER = [
    "契約番号",
    "委託先法人番号",
    "委託先名称",
    "契約名",
    "委託する事務の範囲",
    "特定個人情報等の範囲",
    "開始日",
    "終了日",
]


def _row(number: str, corporate: str = "", name: str = "", start: object = "2025/4/1", end: object = "2026/3/31"):
    return [number, corporate, name, "給与計算業務委託契約", "給与計算", "従業員の氏名", start, end]


def _upload(client, data: bytes, filename: str):
    return client.post(
        "/imports/contracts", data={"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data"
    )


def _preview(client, data: bytes, filename: str) -> tuple[str, str]:
    response = _upload(client, data, filename)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    location = response.headers["Location"]
    page = client.get(location)
    assert page.status_code == 200
    return location, page.get_data(as_text=True)


def _confirm(client, location: str):
    path, _, query = location.partition("?")
    return client.post(f"{path}/confirm?{query}", data={})


def _contracts(app) -> list[Contract]:
    with app.app_context():
        return list(db.session.scalars(db.select(Contract).order_by(Contract.number)))


@pytest.fixture
def vendors(app):
    with app.app_context():
        a = create_vendor(name="株式会社さくら給与", corporate_number=NUMBER_A)
        b = create_vendor(name="ひまわり事務株式会社", corporate_number="")
        db.session.commit()
        return a.id, b.id


@pytest.fixture
def importer(login_as):
    return login_as("procurement")


def test_values_as_people_write_them_draft_contracts_waiting_for_review(app, client, importer, vendors):
    a_id, b_id = vendors
    hyphenated = "-".join([NUMBER_A[:1], NUMBER_A[1:5], NUMBER_A[5:9], NUMBER_A[9:]])
    header = [*HEADER, "契約種別", "自動更新", "更新拒絶の通知期限（日）", "事故報告の期限（時間）", "終了時の取扱い"]
    rows = [
        header,
        [*_row("Ｃ－００１", hyphenated, "", "令和7年4月1日", "R8.3.31"), "個別契約", "はい", "９０", "24", "返却"],
        [*_row("C-002", "", "(株)さくら給与", datetime(2025, 4, 1), 46112), "覚書", "いいえ", "", "", "廃棄"],
        [*_row("C-003", "", "ひまわり事務　株式会社", "2025年4月1日", "2026-03-31"), "", "", "", "", ""],
    ]
    location, page = _preview(client, xlsx_bytes(rows), "contracts.xlsx")
    assert 'data-outcome="error"' not in page, page
    assert "条項確認待ち" in page or "clause review" in page
    assert _confirm(client, location).status_code == 302
    with app.app_context():
        one, two, three = db.session.scalars(db.select(Contract).order_by(Contract.number))
        assert (one.number, one.vendor_id, one.contract_type, one.auto_renewal, one.notice_days) == (
            "C-001",
            a_id,
            "individual",
            True,
            90,
        )
        assert (one.start_on, one.end_on, one.end_handling, one.incident_notice_hours) == (
            date(2025, 4, 1),
            date(2026, 3, 31),
            "return",
            24,
        )
        assert (two.vendor_id, two.contract_type, two.start_on, two.end_on, two.auto_renewal) == (
            a_id,
            "memorandum",
            date(2025, 4, 1),
            date(2026, 3, 31),
            False,
        )
        assert (three.vendor_id, three.contract_type, three.end_handling, three.disposal_days) == (
            b_id,
            "basic",
            "delete",
            30,
        )
        # No clause review is pretended: drafts, no review round, no clause result, not signed.
        assert {c.status for c in (one, two, three)} == {"draft"}
        assert {c.clause_gaps for c in (one, two, three)} == {None}
        assert {c.signed_on for c in (one, two, three)} == {None}
        assert db.session.scalar(db.select(db.func.count()).select_from(ContractReview)) == 0


@pytest.mark.parametrize("encoding", ["cp932", "utf-8", "utf-8-sig"])
def test_unknown_and_ambiguous_vendors_are_errors_under_their_column(app, client, importer, vendors, encoding):
    with app.app_context():
        create_vendor(name="株式会社同名", corporate_number="")
        create_vendor(name="同名株式会社", corporate_number="")
        db.session.commit()
    rows = [
        HEADER,
        _row("C-101", NUMBER_B),
        _row("C-102", "", "株式会社存在しない"),
        _row("C-103", "", "同名"),
        _row("C-104"),
        _row("C-105", NUMBER_A),
    ]
    location, page = _preview(client, csv_bytes(rows, encoding), "contracts.csv")
    assert 'data-testid="import-row-2" data-outcome="error"' in page
    assert "<strong>委託先法人番号</strong>" in page and NUMBER_B in page
    assert 'data-testid="import-row-3" data-outcome="error"' in page and "株式会社存在しない" in page
    assert 'data-testid="import-row-4" data-outcome="error"' in page
    assert 'data-testid="import-row-5" data-outcome="error"' in page
    assert "<strong>委託先名称</strong>" in page
    assert 'data-testid="import-row-6" data-outcome="create"' in page
    assert _confirm(client, location).status_code == 400
    assert _contracts(app) == []


def test_duplicate_numbers_bad_values_and_a_my_number_are_refused_with_row_and_column(app, client, importer, vendors):
    rows = [
        [*HEADER, "自動更新", "事故報告の期限（時間）"],
        [*_row("C-201", NUMBER_A), "", ""],
        [*_row("C-201", NUMBER_A), "", ""],
        [*_row("C-202", NUMBER_A, "", "2025/4/1", "2024/4/1"), "", ""],
        [*_row("C-203", NUMBER_A, "", "昨日"), "たぶん", ""],
        [*_row("C-204", NUMBER_A), "はい", ""],
        [*_row("C-205", NUMBER_A), "", "1234-5678-9018"],
    ]
    location, page = _preview(client, csv_bytes(rows, "cp932"), "bad.csv")
    for line in (3, 4, 5, 6, 7):
        assert f'data-testid="import-row-{line}" data-outcome="error"' in page, line
    assert "2行目" in page or "row 2" in page
    assert "<strong>終了日</strong>" in page and "<strong>開始日</strong>" in page
    assert "<strong>自動更新</strong>" in page and "<strong>更新拒絶の通知期限（日）</strong>" in page
    assert "<strong>事故報告の期限（時間）</strong>" in page
    assert "1234-5678-9018" not in page.split('data-testid="import-rows"')[1]
    assert _confirm(client, location).status_code == 400
    assert _contracts(app) == []


def test_update_of_a_draft_old_to_new_reimport_unchanged_and_a_signed_contract_is_not_changed(
    app, client, importer, vendors
):
    a_id, _ = vendors
    with app.app_context():
        vendor = db.session.get(Vendor, a_id)
        draft = drafted(
            vendor=vendor, number="C-301", title="旧名称", start_on=date(2025, 4, 1), end_on=date(2026, 3, 31)
        )
        signed = drafted(vendor=vendor, number="C-302", start_on=date(2025, 4, 1), end_on=date(2026, 3, 31))
        signed.status = "signed"
        db.session.commit()
        draft_id = draft.id
    rows = [HEADER, _row("C-301", NUMBER_A), _row("C-303", NUMBER_A)]
    rows[1][3] = "新名称"
    data = xlsx_bytes(rows)
    location, page = _preview(client, data, "update.xlsx")
    assert "<del>旧名称</del> → <ins>新名称</ins>" in page
    assert 'data-testid="import-row-2" data-outcome="update"' in page
    assert _confirm(client, location).status_code == 302
    with app.app_context():
        assert db.session.get(Contract, draft_id).title == "新名称"
        entry = db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "import.contracts"))
        assert entry.changes["sha256"] == [None, hashlib.sha256(data).hexdigest()]
        assert entry.changes["created"] == [None, 1] and entry.changes["updated"] == [None, 1]
        log_size = db.session.scalar(db.select(db.func.count()).select_from(ActivityLog))
    location, page = _preview(client, data, "update.xlsx")
    assert 'data-testid="total-unchanged">2<' in page
    assert _confirm(client, location).status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ActivityLog)) == log_size + 1
        assert len(_contracts(app)) == 3
    # The signed contract: the same values are unchanged, a change is refused (an amendment is needed).
    same = _row("C-302", NUMBER_A)
    same[4:6] = ["給与計算、年末調整", "従業員の氏名、住所、個人番号"]  # as registered; blank cells keep the rest
    _, page = _preview(client, xlsx_bytes([HEADER, same]), "signed-same.xlsx")
    assert 'data-testid="import-row-2" data-outcome="unchanged"' in page
    changed = _row("C-302", NUMBER_A, end="2027/3/31")
    _, page = _preview(client, xlsx_bytes([HEADER, changed]), "signed-changed.xlsx")
    assert 'data-testid="import-row-2" data-outcome="error"' in page
    assert "<strong>契約番号</strong>" in page


def test_contract_template_and_cli(app, client, importer, make_user, vendors, tmp_path):
    from openpyxl import load_workbook

    from oversight.imports.contracts import COLUMNS

    response = client.get("/imports/contracts/template.xlsx")
    assert response.status_code == 200
    data, notes = load_workbook(io.BytesIO(response.data)).worksheets
    assert [cell.value for cell in data[1]] == [column.header for column in COLUMNS]
    formulas = [validation.formula1 for validation in data.data_validations.dataValidation]
    assert any("基本契約,個別契約,覚書,誓約書" in formula for formula in formulas)
    assert any("返却,廃棄" in formula for formula in formulas)
    assert {row[0] for row in list(notes.iter_rows(values_only=True))[1 : len(COLUMNS) + 1]} == {
        column.header for column in COLUMNS
    }
    # The template's example row is flagged if left in.
    response = _upload(client, response.data, "template.xlsx")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="import-row-2" data-outcome="error"' in page

    user = make_user("admin")
    path = tmp_path / "契約.csv"
    path.write_bytes(csv_bytes([HEADER, _row("C-401", NUMBER_A)], "utf-8-sig"))
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["import", "contracts", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "row 2: NEW C-401" in dry.output and _contracts(app) == []
    done = runner.invoke(args=["import", "contracts", str(path), "--as", user.email])
    assert done.exit_code == 0, done.output
    assert [contract.number for contract in _contracts(app)] == ["C-401"]
    again = runner.invoke(args=["import", "contracts", str(path), "--as", user.email])
    assert "unchanged 1" in again.output


def test_flask_demo_ships_an_example_file_per_kind_that_imports_cleanly(app, make_user, tmp_path):
    from openpyxl import load_workbook

    from oversight.imports.contracts import COLUMNS as CONTRACT_COLUMNS
    from oversight.imports.vendors import COLUMNS as VENDOR_COLUMNS

    user = make_user("admin")
    runner = app.test_cli_runner()
    written = runner.invoke(args=["demo", "import-files", str(tmp_path)])
    assert written.exit_code == 0, written.output
    vendors_file, contracts_file = tmp_path / "委託先取込サンプル.xlsx", tmp_path / "委託契約取込サンプル.xlsx"
    for path, columns in ((vendors_file, VENDOR_COLUMNS), (contracts_file, CONTRACT_COLUMNS)):
        sheet = load_workbook(path).worksheets[0]
        assert [cell.value for cell in sheet[1]] == [column.header for column in columns]
    for kind, path, totals in (
        ("vendors", vendors_file, "new 3, update 0, unchanged 0, error 0"),
        ("contracts", contracts_file, "new 3, update 0, unchanged 0, error 0"),
    ):
        result = runner.invoke(args=["import", kind, str(path), "--as", user.email])
        assert result.exit_code == 0 and totals in result.output, result.output
    with app.app_context():
        contracts = list(db.session.scalars(db.select(Contract).order_by(Contract.number)))
        assert [(c.number, c.vendor.name, c.status) for c in contracts] == [
            ("IMP-0001", "株式会社みなと給与サービス", "draft"),
            ("IMP-0002", "北斗データ処理株式会社", "draft"),
            ("IMP-0003", "㈱さつき文書保管", "draft"),
        ]

"""Bulk import of existing subcontract relations: nodes of registered contracts' chains, the register's consent
status imported as evidence for review, never as a decision (issue #20, scope item 1)."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, date, datetime

import pytest

from oversight.activity.models import ActivityLog
from oversight.contracts.models import Contract
from oversight.extensions import db
from oversight.subcontracts import services as subcontract_services
from oversight.subcontracts.models import Subcontract, SubcontractConsent, SubcontractState
from oversight.vendors.corporate_number import with_check_digit
from oversight.vendors.models import Vendor
from tests.contracts.helpers import drafted
from tests.imports.files import csv_bytes, xlsx_bytes
from tests.vendors.factories import create_vendor

NUMBER_A = with_check_digit("301000108896")  # the contractor of C-001
NUMBER_B = with_check_digit("401000108897")
NUMBER_C = with_check_digit("501000108898")
HEADER = [
    "契約番号",
    "親委託先法人番号",
    "親委託先名称",
    "再委託先法人番号",
    "再委託先名称",
    "再委託する事務の範囲",
    "特定個人情報等の範囲",
    "取扱場所",
    "取扱国",
    "委託の状況",
    "許諾の状況",
    "許諾日",
    "許諾の有効期限",
    "許諾書類",
]


def _row(contract, sub_number="", sub_name="", *, parent_number="", parent_name="", **cells):
    values = {
        "work": "源泉徴収票の印刷",
        "data": "源泉徴収票の記載事項",
        "location": "",
        "country": "",
        "stage": "",
        "consent": "",
        "consented": "",
        "expires": "",
        "document": "",
        **cells,
    }
    return [contract, parent_number, parent_name, sub_number, sub_name, *values.values()]


def _hyphenated(number: str) -> str:
    return f"{number[0]}-{number[1:5]}-{number[5:9]}-{number[9:]}"


def _upload(client, data: bytes, filename: str):
    return client.post(
        "/imports/subcontracts", data={"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data"
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


def _nodes(app) -> list[Subcontract]:
    with app.app_context():
        return list(db.session.scalars(db.select(Subcontract).order_by(Subcontract.id)))


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


@pytest.fixture
def register(app):
    """Contractor A with contracts C-001 and C-002; B, C and D registered (D without a corporate number)."""
    with app.app_context():
        a = create_vendor(name="株式会社さくら給与", corporate_number=NUMBER_A)
        b = create_vendor(name="北斗印刷株式会社", corporate_number=NUMBER_B)
        c = create_vendor(name="株式会社ベトナム入力", corporate_number=NUMBER_C)
        d = create_vendor(name="ひまわり封入株式会社", corporate_number="")
        db.session.flush()
        drafted(vendor=a, number="C-001", start_on=date(2025, 4, 1), end_on=date(2027, 3, 31))
        drafted(vendor=a, number="C-002", start_on=date(2025, 4, 1), end_on=date(2027, 3, 31))
        db.session.commit()
        return {"a": a.id, "b": b.id, "c": c.id, "d": d.id}


@pytest.fixture
def importer(login_as):
    return login_as("procurement")


def test_register_consents_become_requests_for_review_and_the_nodes_show_red_or_amber(app, client, importer, register):
    rows = [
        HEADER,
        # Level 1 under the contractor (parent blank), consented in the register: 和暦 date, Excel serial expiry.
        _row(
            "Ｃ－００１",
            _hyphenated(NUMBER_B),
            consent="許諾済",
            consented="令和6年4月1日",
            expires=46112,
            document="再委託承諾書 第17号",
            stage="委託済み",
        ),
        # Level 2 under B (by corporate number with spaces), abroad, planned, a request in progress.
        _row(
            "C-001",
            "",
            "ベトナム入力",
            parent_number=NUMBER_B.replace("0", "0 ", 1),
            work="入力",
            data="扶養親族の氏名",
            location="国外",
            country="ベトナム",
            stage="予定",
            consent="申請中",
        ),
        # Level 1 naming the contractor itself as the parent (by name), no consent; stage blank = entrusted.
        _row("C-001", "", "ひまわり封入　株式会社", parent_name="(株)さくら給与", consent="なし"),
        # Another contract: planned and consented in the register (R6.4.1 and a datetime cell).
        _row(
            "C-002",
            NUMBER_B,
            consent="許諾済み",
            consented="R6.4.1",
            expires=datetime(2027, 3, 31),
            stage="予定",
        ),
    ]
    data = xlsx_bytes(rows)
    location, page = _preview(client, data, "再委託.xlsx")
    assert 'data-outcome="error"' not in page, page
    assert 'data-testid="total-create">4<' in page
    assert _confirm(client, location).status_code == 302
    sha256 = hashlib.sha256(data).hexdigest()
    with app.app_context():
        b1, c2, d1, b_other = db.session.scalars(db.select(Subcontract).order_by(Subcontract.id))
        assert (b1.vendor_id, b1.level, b1.parent_id, b1.is_entrusted) == (register["b"], 1, None, True)
        assert (c2.vendor_id, c2.level, c2.parent_id, c2.parent_vendor_id) == (register["c"], 2, b1.id, register["b"])
        assert (c2.handling_location, c2.handling_country, c2.is_entrusted) == ("abroad", "ベトナム", False)
        assert (d1.vendor_id, d1.level, d1.parent_vendor_id, d1.is_entrusted) == (register["d"], 1, register["a"], True)
        assert (b_other.level, b_other.is_entrusted) == (1, False)
        consents = {c.subcontract_id: c for c in db.session.scalars(db.select(SubcontractConsent))}
        assert set(consents) == {b1.id, c2.id, b_other.id}  # なし: no request
        # Nothing pretends the workflow happened: requested, no review, no decision, no expiry, no evaluation.
        for consent in consents.values():
            assert consent.status == "requested" and consent.consent_type == "per_event"
            assert consent.reviewed_by_id is None and consent.decided_by_id is None
            assert consent.expires_on is None and consent.evaluation_id is None
            assert consent.requested_by_id == importer.id and "要確認" in consent.request_note
        note = consents[b1.id].request_note
        for fact in ("許諾済", "2024-04-01", "2026-03-31", "再委託承諾書 第17号", "再委託.xlsx", sha256, "第2行"):
            assert fact in note, fact
        assert "申請中" in consents[c2.id].request_note and "許諾日" not in consents[c2.id].request_note
        states = {s.subcontract_id: s.code for s in db.session.scalars(db.select(SubcontractState))}
        assert states == {
            b1.id: "entrusted_pending",  # handles the data while the request waits: red
            c2.id: "below_unconsented",  # its parent has no valid consent: red
            d1.id: "unconsented",  # no consent, no request: red
            b_other.id: "pending",  # planned, awaiting a decision: amber
        }
        entry = db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "import.subcontracts"))
        assert entry.changes["sha256"] == [None, sha256] and entry.changes["created"] == [None, 4]
        actions = db.session.scalars(db.select(ActivityLog.action).where(ActivityLog.action.like("subcontract.%")))
        assert sorted(actions) == ["subcontract.record"] * 4 + ["subcontract.request"] * 3
    # The subcontract index: the red nodes are violations, the requests wait for legal.
    violations = client.get("/subcontracts/?section=violations").get_data(as_text=True)
    assert all(name in violations for name in ("北斗印刷株式会社", "株式会社ベトナム入力", "ひまわり封入株式会社"))
    awaiting = client.get("/subcontracts/?section=awaiting_legal").get_data(as_text=True)
    assert "株式会社ベトナム入力" in awaiting and "ひまわり封入株式会社" not in awaiting
    assert "C-002" in awaiting
    # Re-importing the same file changes nothing.
    log_size = _count(app, ActivityLog)
    location, page = _preview(client, data, "再委託.xlsx")
    assert 'data-testid="total-unchanged">4<' in page
    assert _confirm(client, location).status_code == 302
    assert _count(app, ActivityLog) == log_size + 1
    assert len(_nodes(app)) == 4 and _count(app, SubcontractConsent) == 3


def test_errors_name_their_column_and_nothing_is_imported(app, client, importer, register):
    with app.app_context():
        create_vendor(name="株式会社同名", corporate_number="")
        create_vendor(name="同名株式会社", corporate_number="")
        db.session.commit()
    bad_digit = NUMBER_B[:-1] + str((int(NUMBER_B[-1]) + 1) % 10)
    rows = [
        HEADER,
        _row("C-999", NUMBER_B),  # row 2 — unknown contract
        _row("C-001", with_check_digit("601000108899")),  # row 3 — unregistered corporate number
        _row("C-001", bad_digit),  # row 4 — bad check digit
        _row("C-001", "", "株式会社存在しない"),  # row 5 — unknown name
        _row("C-001", "", "同名"),  # row 6 — ambiguous name
        _row("C-001", NUMBER_C, parent_name="ひまわり封入"),  # row 7 — parent not in the chain
        _row("C-001", NUMBER_B),  # row 8 — fine
        _row("C-001", NUMBER_B),  # row 9 — duplicate of row 8
        _row("C-001", NUMBER_A),  # row 10 — the contractor itself
        _row("C-002", NUMBER_B, consent="許諾済"),  # row 11 — no consent date
        _row("C-002", NUMBER_C, consent="なし", consented="2025/4/1"),  # row 12 — a date without a consent
        _row("C-002", "", "ひまわり封入", location="国外"),  # row 13 — abroad without a country
        _row("C-002", "", "北斗印刷", consent="たぶん"),  # row 14 — not a consent status
        _row("C-001", "", "ひまわり封入", document="1234-5678-9018"),  # row 15 — a 個人番号 in a cell
        _row("C-002", NUMBER_B, consent="許諾済", consented="2025/4/1", expires="2025/3/31"),  # row 16 — expiry
        _row("", NUMBER_C, work=""),  # row 17 — no contract number, no work
    ]
    location, page = _preview(client, csv_bytes(rows, "cp932"), "再委託.csv")
    assert 'data-testid="import-row-8" data-outcome="create"' in page
    for line in (2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17):
        assert f'data-testid="import-row-{line}" data-outcome="error"' in page, line

    def errors(line: int) -> str:
        return page.split(f'data-testid="import-row-{line}"')[1].split('data-testid="import-row-')[0]

    assert "<strong>契約番号</strong>" in errors(2) and "C-999" in errors(2)
    assert "<strong>再委託先法人番号</strong>" in errors(3)
    assert "<strong>再委託先法人番号</strong>" in errors(4) and "チェックデジット" in errors(4)
    assert "<strong>再委託先名称</strong>" in errors(5) and "株式会社存在しない" in errors(5)
    assert "<strong>再委託先名称</strong>" in errors(6)
    assert "<strong>親委託先名称</strong>" in errors(7)
    assert "<strong>再委託先法人番号</strong>" in errors(9) and "8行目" in errors(9)
    assert "<strong>再委託先法人番号</strong>" in errors(10)
    assert "<strong>許諾日</strong>" in errors(11)
    assert "<strong>許諾日</strong>" in errors(12)
    assert "<strong>取扱国</strong>" in errors(13)
    assert "<strong>許諾の状況</strong>" in errors(14) and "許諾済" in errors(14)
    assert "<strong>許諾書類</strong>" in errors(15) and "個人番号" in errors(15)
    assert "1234-5678-9018" not in page.split('data-testid="import-rows"')[1]
    assert "<strong>許諾の有効期限</strong>" in errors(16)
    assert "<strong>契約番号</strong>" in errors(17) and "<strong>再委託する事務の範囲</strong>" in errors(17)
    assert _confirm(client, location).status_code == 400
    assert _nodes(app) == [] and _count(app, SubcontractConsent) == 0


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_a_node_recorded_in_oversight_is_matched_not_recorded_again(app, client, importer, register, encoding):
    with app.app_context():
        contract = db.session.scalar(db.select(Contract).where(Contract.number == "C-001"))
        values = {
            "scope_of_work": "源泉徴収票の印刷",
            "data_scope": "源泉徴収票の記載事項",
            "handling_location": "domestic",
        }
        planned = subcontract_services.record_node(
            contract, parent=None, vendor=db.session.get(Vendor, register["b"]), values=values, actor=None
        )
        requested = subcontract_services.record_node(
            contract, parent=None, vendor=db.session.get(Vendor, register["d"]), values=values, actor=None
        )
        subcontract_services.request_consent(
            requested, {**values, "consent_type": "per_event"}, actor=None, now=datetime(2025, 5, 1, tzinfo=UTC)
        )
        db.session.commit()
        planned_id = planned.id
    rows = [
        HEADER,
        _row("C-001", NUMBER_B, stage="委託済み", consent="申請中"),  # planned → entrusted, request opened
        _row("C-001", "", "ひまわり封入", stage="予定", consent="許諾済", consented="2025/4/1"),  # kept as is
        _row("C-001", NUMBER_C, parent_number=NUMBER_B),  # under the node recorded in Oversight
    ]
    location, page = _preview(client, csv_bytes(rows, encoding), "matched.csv")
    assert 'data-testid="import-row-2" data-outcome="update"' in page
    assert 'data-testid="import-row-3" data-outcome="unchanged"' in page
    kept = page.split('data-testid="import-row-3"')[1].split('data-testid="import-row-4"')[0]
    assert "Oversight の許諾の記録はそのまま残します" in kept and "許諾申請として取り込みます" not in kept
    assert 'data-testid="import-row-4" data-outcome="create"' in page
    assert _confirm(client, location).status_code == 302
    with app.app_context():
        node = db.session.get(Subcontract, planned_id)
        assert node.is_entrusted
        consent = db.session.scalar(db.select(SubcontractConsent).where(SubcontractConsent.subcontract_id == node.id))
        assert consent.status == "requested" and "申請中" in consent.request_note
        assert _count(app, SubcontractConsent) == 2  # the existing request was not doubled
        child = db.session.scalar(db.select(Subcontract).where(Subcontract.vendor_id == register["c"]))
        assert (child.parent_id, child.level) == (planned_id, 2)
    # A row that would change a recorded node is an error under that column.
    changed = [HEADER, _row("C-001", NUMBER_B, work="別の業務", stage="委託済み")]
    _, page = _preview(client, csv_bytes(changed, encoding), "changed.csv")
    assert 'data-testid="import-row-2" data-outcome="error"' in page
    assert "<strong>再委託する事務の範囲</strong>" in page and "源泉徴収票の印刷" in page
    moved = [HEADER, _row("C-001", NUMBER_C)]  # recorded under B, named at level 1
    _, page = _preview(client, csv_bytes(moved, encoding), "moved.csv")
    assert 'data-testid="import-row-2" data-outcome="error"' in page and "<strong>親委託先名称</strong>" in page
    # Once the contract has ended, its chain no longer changes; a row that agrees with it is still unchanged.
    with app.app_context():
        db.session.scalar(db.select(Contract).where(Contract.number == "C-001")).status = "ended"
        create_vendor(name="株式会社新規再委託", corporate_number="")
        db.session.commit()
    ended = [
        HEADER,
        _row("C-001", NUMBER_C, parent_number=NUMBER_B),
        _row("C-001", "", "ひまわり封入株式会社", stage="予定"),
        _row("C-001", "", "株式会社新規再委託"),  # would add a node
    ]
    _, page = _preview(client, csv_bytes(ended, encoding), "ended.csv")
    assert 'data-testid="import-row-2" data-outcome="unchanged"' in page
    assert 'data-testid="import-row-3" data-outcome="unchanged"' in page
    assert 'data-testid="import-row-4" data-outcome="error"' in page
    assert "<strong>契約番号</strong>" in page.split('data-testid="import-row-4"')[1]
    stage = [HEADER, _row("C-001", "", "ひまわり封入株式会社", stage="委託済み")]  # would change the stage
    _, page = _preview(client, csv_bytes(stage, encoding), "ended-stage.csv")
    assert 'data-testid="import-row-2" data-outcome="error"' in page and "<strong>契約番号</strong>" in page


def test_subcontract_template_page_and_cli(app, client, importer, make_user, register, tmp_path):
    from openpyxl import load_workbook

    from oversight.imports.subcontracts import COLUMNS

    page = client.get("/imports/subcontracts").get_data(as_text=True)
    assert 'data-testid="import-kinds"' in page and "/imports/subcontracts/template.xlsx" in page
    assert 'href="/imports/subcontracts"' in client.get("/subcontracts/").get_data(as_text=True)
    response = client.get("/imports/subcontracts/template.xlsx")
    assert response.status_code == 200
    data, notes = load_workbook(io.BytesIO(response.data)).worksheets
    assert [cell.value for cell in data[1]] == [column.header for column in COLUMNS]
    assert data.cell(row=2, column=1).value == "C-2025-0001"
    formulas = [validation.formula1 for validation in data.data_validations.dataValidation]
    assert any("許諾済,申請中,なし" in formula for formula in formulas)
    assert any("国内,国外" in formula for formula in formulas)
    assert any("委託済み,予定" in formula for formula in formulas)
    assert {row[0] for row in list(notes.iter_rows(values_only=True))[1 : len(COLUMNS) + 1]} == {
        column.header for column in COLUMNS
    }
    response = _upload(client, response.data, "template.xlsx")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="import-row-2" data-outcome="error"' in page

    user = make_user("admin")
    path = tmp_path / "再委託.csv"
    path.write_bytes(csv_bytes([HEADER, _row("C-001", NUMBER_B, consent="申請中")], "cp932"))
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["import", "subcontracts", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "row 2: NEW C-001 北斗印刷株式会社" in dry.output and _nodes(app) == []
    done = runner.invoke(args=["import", "subcontracts", str(path), "--as", user.email])
    assert done.exit_code == 0, done.output
    assert len(_nodes(app)) == 1 and _count(app, SubcontractConsent) == 1
    again = runner.invoke(args=["import", "subcontracts", str(path), "--as", user.email])
    assert "unchanged 1" in again.output and _count(app, SubcontractConsent) == 1


def test_flask_demo_example_subcontract_file_imports_after_vendors_and_contracts(app, make_user, tmp_path):
    user = make_user("admin")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "import-files", str(tmp_path)]).exit_code == 0
    for kind, name in (
        ("vendors", "委託先取込サンプル.xlsx"),
        ("contracts", "委託契約取込サンプル.xlsx"),
        ("subcontracts", "再委託先取込サンプル.xlsx"),
    ):
        result = runner.invoke(args=["import", kind, str(tmp_path / name), "--as", user.email])
        assert result.exit_code == 0 and "new 3, update 0, unchanged 0, error 0" in result.output, result.output
    with app.app_context():
        nodes = db.session.scalars(db.select(Subcontract).order_by(Subcontract.id)).all()
        names = {vendor.id: vendor.name for vendor in db.session.scalars(db.select(Vendor))}
        assert [(names[n.vendor_id], n.level) for n in nodes] == [
            ("北斗データ処理株式会社", 1),
            ("㈱さつき文書保管", 2),
            ("株式会社みなと給与サービス", 1),
        ]
        assert _count(app, SubcontractConsent) == 2

"""Bulk import of vendors: files, values as people write them, the preview and the import (issue #20)."""

from __future__ import annotations

import io
import os
from datetime import date, datetime

import pytest

from oversight.activity.models import ActivityLog
from oversight.extensions import db
from oversight.vendors.corporate_number import with_check_digit
from oversight.vendors.models import Vendor, VendorCertification, VendorContact
from tests.imports.files import csv_bytes, xlsx_bytes
from tests.vendors.factories import create_vendor

NUMBER_A = with_check_digit("301000108896")
NUMBER_B = with_check_digit("401000108897")


def _upload(client, data: bytes, filename: str, sheet: str = ""):
    return client.post(
        "/imports/vendors",
        data={"file": (io.BytesIO(data), filename), "sheet": sheet},
        content_type="multipart/form-data",
    )


def _preview(client, data: bytes, filename: str, sheet: str = "") -> tuple[str, str]:
    response = _upload(client, data, filename, sheet)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    location = response.headers["Location"]
    page = client.get(location)
    assert page.status_code == 200
    return location, page.get_data(as_text=True)


def _confirm(client, location: str):
    path, _, query = location.partition("?")
    return client.post(f"{path}/confirm?{query}", data={})


def _vendors(app) -> list[Vendor]:
    with app.app_context():
        return list(db.session.scalars(db.select(Vendor).order_by(Vendor.id)))


@pytest.fixture
def importer(login_as):
    return login_as("procurement")


def test_cp932_file_with_characters_shift_jis_lacks_is_read_without_mojibake(app, client, importer):
    name = "株式会社髙﨑①データ"
    with pytest.raises(UnicodeEncodeError):
        name.encode("shift_jis")  # the strict Shift_JIS codec lacks 髙, 﨑 and ①; CP932 has them
    data = csv_bytes([["名称", "所在地"], [name, "神奈川県川崎市①番地"]], encoding="cp932")
    location, page = _preview(client, data, "台帳.csv")
    assert "Shift_JIS (CP932)" in page and name in page
    assert _confirm(client, location).status_code == 302
    [vendor] = _vendors(app)
    assert (vendor.name, vendor.address) == (name, "神奈川県川崎市①番地")


@pytest.mark.parametrize(("encoding", "label"), [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 (BOM)")])
def test_utf8_with_and_without_bom(app, client, importer, encoding, label):
    data = csv_bytes([["名称", "フリガナ"], ["株式会社ひまわり", "ﾋﾏﾜﾘ"]], encoding=encoding)
    location, page = _preview(client, data, "vendors.csv")
    assert label in page
    assert _confirm(client, location).status_code == 302
    [vendor] = _vendors(app)
    assert vendor.name == "株式会社ひまわり"  # the BOM is not part of the first header
    assert vendor.name_kana == "ヒマワリ"  # half-width kana made full-width


def test_bytes_that_are_neither_utf8_nor_cp932_are_refused_clearly(client, importer):
    data = "名称\n株式会社テスト\n".encode("utf-16")
    response = _upload(client, data, "utf16.csv")
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "UTF-8" in page and "Shift_JIS" in page
    else:
        assert "UTF-8" in response.get_data(as_text=True)


def test_xlsx_first_sheet_or_the_chosen_one(app, client, importer):
    data = xlsx_bytes(
        [["名称"], ["最初のシート株式会社"]],
        extra_sheets={"取込用": [["名称"], ["選んだシート株式会社"]]},
    )
    _, page = _preview(client, data, "台帳.xlsx")
    assert "最初のシート株式会社" in page and "選んだシート株式会社" not in page
    location, page = _preview(client, data, "台帳.xlsx", sheet="取込用")
    assert "選んだシート株式会社" in page and "最初のシート株式会社" not in page
    assert _confirm(client, location).status_code == 302
    assert [vendor.name for vendor in _vendors(app)] == ["選んだシート株式会社"]
    _, page = _preview(client, data, "台帳.xlsx", sheet="ない")
    assert "ない" in page and 'data-testid="file-errors"' in page


def test_values_as_people_write_them(app, client, make_user, importer):
    owner = make_user("procurement", email="owner@example.com", name="山田 太郎")
    manager = make_user("manager", name="鈴木 花子")
    header = [
        "名称",
        "法人番号",
        "リスク区分",
        "取扱場所",
        "取扱国",
        "取扱拠点",
        "番号法上の委託先",
        "判断理由",
        "本人の概数",
        "担当者",
        "管理責任者",
        "窓口担当者",
        "窓口メール",
        "Pマーク登録番号",
        "Pマーク有効期限",
        "ISMS認証番号",
        "ISMS有効期限",
    ]
    number = "-".join([NUMBER_A[:1], NUMBER_A[1:5], NUMBER_A[5:9], NUMBER_A[9:]])
    full_width_b = NUMBER_B.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    rows = [
        header,
        [
            "Ａ株式会社",
            number,
            "高",
            "国外",
            "シンガポール",
            "クラウド",
            "はい",
            "給与計算",
            "１，２００",
            "OWNER@example.com",
            "鈴木花子",
            "窓口 一郎",
            "ｍａｄｏｇｕｃｈｉ@example.com",
            "１０８２０００１",
            "令和7年4月1日",
            "IS 1",
            datetime(2026, 9, 30),
        ],
        [
            "B株式会社",
            f" {full_width_b} ",
            "Low",
            "domestic",
            "",
            "own_site",
            "no",
            "対象外",
            30,
            "山田太郎",
            manager.email,
            "",
            "",
            "",
            "",
            "IS 2",
            45748,
        ],
        ["C株式会社", "", "medium", "Japan", "", "両方", "", "", "", "", "", "", "", "", "R7.4.1", "", ""],
    ]
    location, page = _preview(client, xlsx_bytes(rows), "values.xlsx")
    assert 'data-outcome="error"' not in page, page
    assert _confirm(client, location).status_code == 302
    with app.app_context():
        a, b, c = db.session.scalars(db.select(Vendor).order_by(Vendor.id))
        assert (a.corporate_number, a.risk_tier, a.handling_location, a.handling_country, a.handling_site) == (
            NUMBER_A,
            "high",
            "abroad",
            "シンガポール",
            "cloud",
        )
        assert (a.is_entrustment, a.data_subject_count, a.owner_id, a.manager_id) == (True, 1200, owner.id, manager.id)
        assert (b.corporate_number, b.risk_tier, b.is_entrustment, b.owner_id, b.manager_id) == (
            NUMBER_B,
            "low",
            False,
            owner.id,
            manager.id,
        )
        assert (c.risk_tier, c.handling_site, c.corporate_number) == ("medium", "both", None)
        [contact] = db.session.scalars(db.select(VendorContact))
        assert (contact.vendor_id, contact.name, contact.email) == (a.id, "窓口 一郎", "madoguchi@example.com")
        certifications = {
            (cert.vendor_id, cert.kind): (cert.number, cert.expires_on)
            for cert in db.session.scalars(db.select(VendorCertification))
        }
        assert certifications == {
            (a.id, "pmark"): ("10820001", date(2025, 4, 1)),
            (a.id, "isms"): ("IS 1", date(2026, 9, 30)),
            (b.id, "isms"): ("IS 2", date(2025, 4, 1)),
            (c.id, "pmark"): ("", date(2025, 4, 1)),
        }


def test_errors_name_the_row_and_column_and_nothing_is_imported(app, client, importer):
    bad_check_digit = NUMBER_A[:-1] + str((int(NUMBER_A[-1]) + 1) % 10)
    rows = [
        ["名称", "法人番号", "リスク区分", "Pマーク有効期限", "担当者", "取扱場所"],
        ["正しい株式会社", NUMBER_B, "高", "2025/4/1", "", ""],
        ["誤り株式会社", bad_check_digit, "特大", "令和元年4月1日", "nobody@example.com", "国外"],
        ["", "", "", "", "", ""],
        ["", "", "中", "", "", ""],
    ]
    location, page = _preview(client, xlsx_bytes(rows), "errors.xlsx")
    assert 'data-testid="import-row-2" data-outcome="create"' in page
    assert 'data-testid="import-row-3" data-outcome="error"' in page
    assert 'data-testid="import-row-5" data-outcome="error"' in page  # no name
    assert "チェックデジット" in page or "check digit" in page
    assert "特大" in page and "nobody@example.com" in page
    assert "<strong>Pマーク有効期限</strong>" in page and "<strong>取扱国</strong>" in page
    assert 'data-testid="total-error">2<' in page
    assert "disabled" in page.split('data-testid="import-confirm"')[0].rsplit("<button", 1)[1]
    response = _confirm(client, location)
    assert response.status_code == 400
    assert _vendors(app) == []
    with app.app_context():
        assert db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "import.vendors")) is None


def test_duplicates_within_the_file_and_against_the_register(app, client, importer):
    with app.app_context():
        create_vendor(name="株式会社登録済", corporate_number=NUMBER_A, address="東京都港区1-1")
        create_vendor(name="株式会社番号なし", corporate_number="", address="大阪府大阪市北区2-2")
        db.session.commit()
    rows = [
        ["名称", "法人番号", "所在地"],
        ["株式会社登録済（新名称）", NUMBER_A, ""],
        ["(株)番号なし", "", "大阪府大阪市北区２－２"],
        ["新規株式会社", NUMBER_B, "京都府"],
        ["新規株式会社（重複）", NUMBER_B, "京都府"],
        ["名前だけ株式会社", "", "福岡県"],
        ["名前だけ 株式会社", "", "福岡県"],
    ]
    _, page = _preview(client, csv_bytes(rows), "dup.csv")
    assert 'data-testid="import-row-2" data-outcome="update"' in page
    assert "法人番号で" in page or "by corporate number" in page
    assert 'data-testid="import-row-3" data-outcome="update"' in page  # the spelling in the file differs
    assert "名称と所在地で" in page or "by name and address" in page
    assert 'data-testid="import-row-4" data-outcome="create"' in page
    assert 'data-testid="import-row-5" data-outcome="error"' in page
    assert 'data-testid="import-row-7" data-outcome="error"' in page
    assert "4行目" in page or "row 4" in page
    assert "<del>株式会社登録済</del> → <ins>株式会社登録済（新名称）</ins>" in page


def test_update_shows_old_and_new_and_reimport_changes_nothing(app, client, importer):
    with app.app_context():
        vendor = create_vendor(name="株式会社更新", corporate_number=NUMBER_A, risk_tier="low")
        db.session.commit()
        vendor_id = vendor.id
    rows = [
        ["名称", "法人番号", "リスク区分", "窓口担当者", "Pマーク登録番号", "Pマーク有効期限"],
        ["株式会社更新", NUMBER_A, "高", "窓口 二郎", "10820002", "2027/3/31"],
        ["株式会社新規", NUMBER_B, "中", "", "", ""],
    ]
    data = xlsx_bytes(rows)
    location, page = _preview(client, data, "update.xlsx")
    assert "<del>低</del> → <ins>高</ins>" in page
    assert _confirm(client, location).status_code == 302
    with app.app_context():
        assert db.session.get(Vendor, vendor_id).risk_tier == "high"
        assert len(_vendors(app)) == 2
        entry = db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "import.vendors"))
        import hashlib

        assert entry.changes["sha256"] == [None, hashlib.sha256(data).hexdigest()]
        assert entry.changes["rows"] == [None, 2]
        assert entry.changes["created"] == [None, 1] and entry.changes["updated"] == [None, 1]
        assert hashlib.sha256(data).hexdigest() in entry.summary
        log_size = db.session.scalar(db.select(db.func.count()).select_from(ActivityLog))
        versions = [v.version_id if hasattr(v, "version_id") else None for v in _vendors(app)]
    location, page = _preview(client, data, "update.xlsx")
    assert 'data-testid="total-unchanged">2<' in page
    assert 'data-outcome="update"' not in page and 'data-outcome="create"' not in page
    assert _confirm(client, location).status_code == 302
    with app.app_context():
        assert len(_vendors(app)) == 2
        assert db.session.scalar(db.select(db.func.count()).select_from(VendorContact)) == 1
        assert db.session.scalar(db.select(db.func.count()).select_from(VendorCertification)) == 1
        # only the second import entry (and the page views' nothing) was added: no vendor changed
        assert db.session.scalar(db.select(db.func.count()).select_from(ActivityLog)) == log_size + 1
        assert [v.version_id if hasattr(v, "version_id") else None for v in _vendors(app)] == versions


def test_a_my_number_in_a_cell_is_refused_with_row_and_column(app, client, importer):
    rows = [
        ["名称", "判断理由", "本人の概数"],
        ["株式会社A", "番号 1234 5678 9018", ""],
        ["株式会社B", "", 123456789018],
    ]
    location, page = _preview(client, csv_bytes(rows), "mn.csv")
    assert 'data-testid="import-row-2" data-outcome="error"' in page
    assert 'data-testid="import-row-3" data-outcome="error"' in page
    assert "<strong>判断理由</strong>" in page and "<strong>本人の概数</strong>" in page
    assert "123456789018" not in page.split('data-testid="import-rows"')[1]
    assert _confirm(client, location).status_code == 400
    assert _vendors(app) == []


def test_a_my_number_elsewhere_in_the_workbook_refuses_the_file(app, client, importer):
    data = xlsx_bytes([["名称"], ["株式会社A"]], extra_sheets={"メモ": [["123456789018"]]})
    location, page = _preview(client, data, "hidden.xlsx")
    assert 'data-testid="file-errors"' in page
    assert _confirm(client, location).status_code == 400
    assert _vendors(app) == []


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (os.urandom(4096), "random.csv"),
        (os.urandom(4096), "random.xlsx"),
        (b"", "empty.csv"),
        (b"\xef\xbb\xbf", "bom-only.csv"),
        (b"%PDF-1.4 fake", "file.pdf"),
        ("会社名,住所\nA,B\n".encode(), "wrong-headers.csv"),
        (xlsx_bytes([["会社名", "住所"], ["A", "B"]]), "wrong-headers.xlsx"),
        (xlsx_bytes([]), "empty.xlsx"),
        (b'"unterminated,\n"x', "quotes.csv"),
    ],
)
def test_garbage_files_never_give_a_500(app, client, importer, data, filename):
    response = _upload(client, data, filename)
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 302:
        location = response.headers["Location"]
        page = client.get(location)
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert 'data-testid="file-errors"' in text or 'data-outcome="error"' in text or "import-rows" not in text
        assert _confirm(client, location).status_code in (302, 400)
    assert _vendors(app) == []


def test_too_many_rows_are_refused_with_a_message(app, client, importer):
    app.config["IMPORT_MAX_ROWS"] = 3
    try:
        rows = [["名称"]] + [[f"株式会社{n}"] for n in range(5)]
        _, page = _preview(client, csv_bytes(rows), "many.csv")
    finally:
        app.config["IMPORT_MAX_ROWS"] = 10_000
    assert 'data-testid="file-errors"' in page and "5" in page and "3" in page


def test_unknown_file_or_kind_is_not_found(client, importer):
    assert client.get("/imports/vendors/" + "0" * 64 + "?name=a.csv").status_code == 404
    assert client.get("/imports/audits").status_code == 404


def test_other_roles_may_not_import(client, login_as):
    login_as("viewer")
    assert client.get("/imports/vendors").status_code == 403


def test_the_preview_runs_the_same_number_of_queries_for_5_or_40_rows(app, count_queries):
    from werkzeug.datastructures import FileStorage

    from oversight.imports import services

    def rows(n):
        header = [["名称", "法人番号", "担当者", "窓口担当者", "Pマーク有効期限"]]
        return header + [[f"株式会社{i}", with_check_digit(f"{i + 1:012d}"), "", "窓口", "R8.3.31"] for i in range(n)]

    counts = []
    with app.test_request_context():
        for n in (5, 40):
            sha256, name = services.store_upload(FileStorage(io.BytesIO(xlsx_bytes(rows(n))), filename="q.xlsx"))
            with count_queries() as counter:
                result = services.preview("vendors", sha256, name)
            assert result.totals["create"] == n
            counts.append(counter.count)
    assert counts[0] == counts[1]


def test_batched_writes_log_every_vendor_contact_and_certification(app, client, importer):
    rows = [
        ["名称", "法人番号", "窓口担当者", "Pマーク登録番号", "ISMS認証番号"],
        ["株式会社一", NUMBER_A, "窓口 一", "10820001", "IS 1"],
        ["株式会社二", NUMBER_B, "窓口 二", "", ""],
    ]
    location, _ = _preview(client, xlsx_bytes(rows), "batch.xlsx")
    assert _confirm(client, location).status_code == 302
    with app.app_context():
        ids = {vendor.name: vendor.id for vendor in _vendors(app)}
        logged = sorted(
            (entry.action, entry.object_type, entry.object_id, bool(entry.ip_address))
            for entry in db.session.scalars(db.select(ActivityLog).where(ActivityLog.action.like("vendor.%")))
        )
        one, two = ids["株式会社一"], ids["株式会社二"]
        assert logged == sorted(
            [
                ("vendor.create", "vendor", one, True),
                ("vendor.create", "vendor", two, True),
                ("vendor.contact_add", "vendor", one, True),
                ("vendor.contact_add", "vendor", two, True),
                ("vendor.certification_add", "vendor", one, True),
                ("vendor.certification_add", "vendor", one, True),
            ]
        )


def test_a_file_whose_upload_note_is_lost_is_scanned_again(app, client, importer):
    from oversight.imports import services

    data = xlsx_bytes([["名称"], ["株式会社A"]], extra_sheets={"メモ": [["123456789018"]]})
    response = _upload(client, data, "hidden.xlsx")
    location = response.headers["Location"]
    sha256 = location.split("/")[3].split("?")[0]
    with app.test_request_context():
        note = services.scan_note_path(sha256)
    assert note.read_text() == services.SCAN_FOUND  # the upload check's finding, kept by the server
    note.unlink()
    page = client.get(location).get_data(as_text=True)
    assert 'data-testid="file-errors"' in page
    assert _confirm(client, location).status_code == 400
    assert _vendors(app) == []

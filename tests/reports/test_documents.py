"""The issued documents, read back with poppler: Japanese text, page numbers, embedded font."""

from __future__ import annotations

import io
import zipfile

import pytest

from oversight.activity.models import ActivityLog
from oversight.audits.models import Audit
from oversight.auth.roles import ALL_ROLES
from oversight.contracts.models import ContractReview
from oversight.disposals.models import DisposalItem
from oversight.extensions import db
from oversight.reports import data
from oversight.reports.documents import safe_filename
from oversight.reports.pack import read_index
from oversight.vendors.models import ARCHIVED, Vendor
from tests.reports.helpers import (
    assert_fonts_embedded,
    assert_page_numbers,
    pdf_pages,
    require_poppler,
    seed_demo,
    write,
)


@pytest.fixture
def demo(app):
    seed_demo(app)
    with app.app_context():
        vendor = db.session.scalar(db.select(Vendor).where(Vendor.name == "株式会社さくら給与計算センター"))
        review = db.session.scalars(db.select(ContractReview).order_by(ContractReview.id)).first()
        audit = db.session.scalars(db.select(Audit).where(Audit.findings.any()).order_by(Audit.id)).first()
        item = db.session.scalars(
            db.select(DisposalItem).where(DisposalItem.certificate_number != "").order_by(DisposalItem.id)
        ).first()
        return {
            "vendor_id": vendor.id,
            "contract_id": review.contract_id,
            "contract_number": review.contract.number,
            "round": review.round_number,
            "audit_id": audit.id,
            "audit_vendor": audit.vendor.name,
            "disposal_id": item.id,
            "certificate_number": item.certificate_number,
            "vendor_names": list(db.session.scalars(db.select(Vendor.name).where(Vendor.status != ARCHIVED))),
            "archived_names": list(db.session.scalars(db.select(Vendor.name).where(Vendor.status == ARCHIVED))),
        }


def _downloads(app) -> list[str]:
    """The kinds of the documents downloaded (the log's summaries are the documents' titles, in words)."""
    with app.app_context():
        changes = db.session.scalars(db.select(ActivityLog.changes).where(ActivityLog.action == "report.download"))
        return [change["document"][1] for change in changes]


def test_register_lists_every_vendor_with_lights(app, client, login_as, demo, tmp_path):
    require_poppler()
    login_as("viewer")
    response = client.get("/reports/register.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = write(tmp_path, "register.pdf", response.data)
    pages = pdf_pages(path)
    text = "".join(pages)
    assert "委託先管理台帳" in text and "社外秘" in text
    for name in demo["vendor_names"]:
        assert name[:10] in text, name
    # Archived vendors are left out of the register by default, like the list; the status filter shows them.
    assert demo["archived_names"] and not any(name[:10] in text for name in demo["archived_names"])
    archived_pdf = client.get("/reports/register.pdf?status=archived").data
    archived = "".join(pdf_pages(write(tmp_path, "archived.pdf", archived_pdf)))
    assert all(name[:10] in archived for name in demo["archived_names"])
    for header in ("選定", "契約", "把握", "再委託", "返却・廃棄"):
        assert header in pages[0]
    assert "●" in text
    assert_page_numbers(pages)
    assert_fonts_embedded(path)
    assert "register" in _downloads(app)


def test_register_applies_the_list_filters(app, client, login_as, demo, tmp_path):
    require_poppler()
    login_as("viewer")
    response = client.get("/reports/register.pdf?status=ended")
    text = "".join(pdf_pages(write(tmp_path, "register.pdf", response.data)))
    assert "旧あさひ計算サービス" in text
    assert "株式会社さくら給与計算" not in text
    assert "抽出条件：" in text and "終了" in text


def test_register_rows_come_in_batches_with_constant_queries(app_ctx, demo, count_queries):
    ids = data.register_vendor_ids({}, "name")
    with count_queries() as small:
        rows_small = list(data.register_rows(ids[:5], batch_size=5))
    with count_queries() as large:
        rows_large = list(data.register_rows(ids, batch_size=len(ids)))
    assert large.count <= small.count + 3  # a light may skip a query when nothing in the batch needs it
    batched = list(data.register_rows(ids, batch_size=4))
    assert [row.name for row in batched] == [row.name for row in rows_large]
    assert [row.number for row in batched] == list(range(1, len(ids) + 1))
    assert len(rows_small) == 5 and all(len(row.lights) == 5 for row in batched)


def test_vendor_file_shows_every_section(app, client, login_as, demo, tmp_path):
    require_poppler()
    login_as("auditor")
    response = client.get(f"/reports/vendors/{demo['vendor_id']}.pdf")
    assert response.status_code == 200
    path = write(tmp_path, "vendor.pdf", response.data)
    pages = pdf_pages(path)
    text = "".join(pages)
    for expected in (
        "委託先監督記録",
        "株式会社さくら給与計算センター",
        "1. 台帳情報",
        "2. 監督状況",
        "秘密保持義務",
        "7. 取扱状況の把握（監査）",
        "指摘事項",
        "8. 再委託（許諾）",
        "9. 返却・廃棄",
        "10. 漏えい等事案",
        "6. 委託契約と条項チェック",
        "11. 操作履歴（直近）",
        "12. 証跡ファイル一覧",
        demo["contract_number"],
    ):
        assert expected in text, expected
    assert_page_numbers(pages)
    assert_fonts_embedded(path)


def test_vendor_file_query_count_does_not_grow_with_records(app_ctx, demo, count_queries):
    from datetime import date

    vendors = list(db.session.scalars(db.select(Vendor)))
    counts = set()
    for vendor_id in [vendor.id for vendor in vendors[:6]]:
        db.session.expunge_all()
        loaded = data.load_vendor(vendor_id)
        with count_queries() as counter:
            data.vendor_file(loaded, date(2026, 11, 26))
        counts.add(counter.count)
    assert max(counts) <= 60, counts  # queries skipped for empty sections make the count vary below a bound


def test_clause_checklist_audit_and_disposal_pdfs(app, client, login_as, demo, tmp_path):
    require_poppler()
    login_as("legal")
    checks = [
        (
            f"/reports/contracts/{demo['contract_id']}/checklist.pdf?round={demo['round']}",
            ("契約条項チェックリスト", "秘密保持義務", "C01", "法務", "管理責任者", demo["contract_number"]),
        ),
        (f"/reports/audits/{demo['audit_id']}.pdf", ("監査報告書", "指摘事項", "A01", demo["audit_vendor"])),
        (
            f"/reports/disposals/{demo['disposal_id']}.pdf",
            (
                "返却・廃棄確認記録",
                "証明書番号",
                "廃棄又は消去の方法",
                "復元不可能である旨",
                demo["certificate_number"],
            ),
        ),
    ]
    for url, expected in checks:
        response = client.get(url)
        assert response.status_code == 200, url
        path = write(tmp_path, "doc.pdf", response.data)
        pages = pdf_pages(path)
        text = "".join(pages)
        for value in expected:
            assert value in text, (url, value)
        assert_page_numbers(pages)
        assert_fonts_embedded(path)
    kinds = set(_downloads(app))
    assert {"clause_checklist", "audit_report", "disposal_record"} <= kinds


@pytest.mark.parametrize(
    "url",
    [
        "/reports/vendors/999999.pdf",
        "/reports/vendors/999999/pack.zip",
        "/reports/audits/999999.pdf",
        "/reports/disposals/999999.pdf",
        "/reports/contracts/999999/checklist.pdf",
    ],
)
def test_unknown_records_are_404(client, login_as, url):
    login_as("viewer")
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_may_download_the_vendor_file_and_pack(app, client, login_as, demo, role):
    login_as(role)
    assert client.get(f"/reports/vendors/{demo['vendor_id']}.pdf").status_code == 200
    assert client.get(f"/reports/vendors/{demo['vendor_id']}/pack.zip").status_code == 200


@pytest.mark.parametrize(("role", "status"), [("viewer", 403), ("procurement", 403), ("legal", 200)])
def test_pack_is_refused_when_one_file_may_not_be_downloaded(client, login_as, demo, request, role, status):
    from oversight.core import registry
    from oversight.core.registry import Feature

    legal_only = Feature("tests", evidence_owners={"contract": lambda user, owner_id: user.has_role("legal")})
    registry.of(client.application).features.insert(0, legal_only)
    request.addfinalizer(lambda: registry.of(client.application).features.remove(legal_only))
    login_as(role)
    assert client.get(f"/reports/vendors/{demo['vendor_id']}/pack.zip").status_code == status
    assert client.get(f"/reports/vendors/{demo['vendor_id']}.pdf").status_code == 200


def test_signed_out_visitors_are_sent_to_sign_in(client, demo):
    response = client.get(f"/reports/vendors/{demo['vendor_id']}.pdf")
    assert response.status_code in (302, 401)


def test_pack_holds_the_pdf_the_files_and_the_index(app, client, login_as, demo):
    login_as("manager")
    response = client.get(f"/reports/vendors/{demo['vendor_id']}/pack.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        names = archive.namelist()
        pdfs = [name for name in names if name.endswith(".pdf")]
        assert len(pdfs) == 1 and pdfs[0].startswith("委託先監督記録_")
        assert archive.read(pdfs[0]).startswith(b"%PDF-")
        assert archive.read("index.csv").startswith("\ufeff".encode())
        index = read_index(response.data)
        assert index[0][:2] == ["path", "record"]
        files = [row for row in index[1:]]
        assert files and all(row[-1] == "yes" for row in files)
        for row in files:
            assert row[0] in names and row[0].startswith("files/") and ".." not in row[0]
        assert any(row[1].startswith("契約") for row in files)
        assert any(row[1].startswith("選定評価") for row in files)
    assert "evidence_pack" in _downloads(app)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("契約書（写し）.pdf", "契約書（写し）.pdf"),
        ("..", "file"),
        ("a:b*c?.txt", "a_b_c_.txt"),
        ("\x00\x1f.pdf", "__.pdf"),
    ],
)
def test_safe_filename_keeps_one_entry_in_the_zip(name, expected):
    assert safe_filename(name) == expected

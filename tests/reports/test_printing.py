"""Printing (#18 item 10): landscape register, download names, findings table, one time zone in the pack."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from urllib.parse import unquote

import pytest

from oversight.audits.models import Finding
from oversight.extensions import db
from oversight.pdf.flowables import break_line
from oversight.pdf.fonts import register_fonts
from tests.reports.helpers import pdf_pages, require_poppler, run, seed_demo, write

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@pytest.fixture
def demo(app):
    seed_demo(app)
    with app.app_context():
        finding = db.session.scalars(
            db.select(Finding).where(Finding.verified_by_id.is_not(None)).order_by(Finding.id)
        ).first()
        return {
            "vendor_id": finding.vendor_id,
            "vendor_name": finding.vendor.name,
            "due_on": finding.due_on.isoformat(),
            "verifier_name": finding.verified_by.name,
            "verifier_email": finding.verified_by.email,
        }


def _disposition(response) -> tuple[str, str]:
    header = response.headers["Content-Disposition"]
    fallback = re.search(r'filename="([^"]*)"', header).group(1)
    return fallback, unquote(header.split("filename*=UTF-8''")[1])


def test_vendor_pdf_name_has_the_vendor_name_and_date_with_an_ascii_fallback(client, login_as, demo):
    login_as("viewer")
    response = client.get(f"/reports/vendors/{demo['vendor_id']}.pdf")
    fallback, name = _disposition(response)
    assert re.fullmatch(rf"委託先監督記録_{re.escape(demo['vendor_name'])}_\d{{4}}-\d{{2}}-\d{{2}}\.pdf", name)
    assert re.fullmatch(rf"vendor-file_{demo['vendor_id']}_\d{{4}}-\d{{2}}-\d{{2}}\.pdf", fallback)
    pack = client.get(f"/reports/vendors/{demo['vendor_id']}/pack.zip")
    fallback, name = _disposition(pack)
    assert name.startswith(f"証跡パック_{demo['vendor_name']}_") and name.endswith(".zip")
    assert fallback.startswith("evidence-pack_") and fallback.isascii()


def test_register_is_a4_landscape(client, login_as, demo, tmp_path):
    require_poppler()
    login_as("viewer")
    path = write(tmp_path, "register.pdf", client.get("/reports/register.pdf").data)
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", run("pdfinfo", str(path)))
    width, height = float(size.group(1)), float(size.group(2))
    assert (round(width), round(height)) == (842, 595)


def test_register_keeps_corporate_numbers_and_lights_whole(client, login_as, demo, tmp_path):
    require_poppler()
    login_as("viewer")
    pages = pdf_pages(write(tmp_path, "register.pdf", client.get("/reports/register.pdf").data))
    text = "\n".join(pages)
    assert re.search(r"\b\d{13}\b", text)  # a corporate number on one line
    assert "この状態では監査対象外" in text and "承認済の評価なし" in text


def test_vendor_pdf_findings_show_whole_dates_and_names_not_emails(client, login_as, demo, tmp_path):
    require_poppler()
    login_as("viewer")
    pages = pdf_pages(write(tmp_path, "vendor.pdf", client.get(f"/reports/vendors/{demo['vendor_id']}.pdf").data))
    table = next(page for page in pages if "確認者" in page)
    table = table[table.index("確認者") :]
    row = next(line for line in table.splitlines() if demo["due_on"] in line)
    assert DATE.findall(row) and demo["verifier_name"] in row
    # Our people by name, also in the activity section (the vendor's contacts keep their addresses).
    assert demo["verifier_email"] not in "".join(pages) and "@example.com" not in "".join(pages)


def test_a_line_breaks_between_units_not_inside_a_date_or_address():
    font = register_fonts()
    lines = break_line("期限は2026-11-07、確認者 procurement@example.com さくら給与", 120, font, 8.5)
    assert len(lines) > 1
    assert any("2026-11-07" in line for line in lines)
    assert any("procurement@example.com" in line for line in lines)
    # Only a unit wider than a whole line is cut inside.
    assert break_line("procurement@example.com", 60, font, 8.5) == ["procurement@", "example.com"]


def test_evidence_pack_times_are_jst_with_the_zone_stated(client, login_as, demo):
    login_as("manager")
    response = client.get(f"/reports/vendors/{demo['vendor_id']}/pack.zip")
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        rows = list(csv.reader(io.StringIO(archive.read("index.csv").decode("utf-8-sig"))))
        column = rows[0].index("uploaded_at (JST)")
        stamps = [row[column] for row in rows[1:]]
        assert stamps and all(re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} JST", stamp) for stamp in stamps)
        pdf = next(name for name in archive.namelist() if name.endswith(".pdf"))
        index_time = archive.getinfo("index.csv").date_time
        assert archive.getinfo(pdf).date_time == index_time
    generated = re.search(rb"/CreationDate \(D:(\d{12})", archive_pdf(response.data))
    assert generated is not None
    # The ZIP's entry times are the PDF's own generation time in JST (+09:00), not the server's zone.
    assert generated.group(1).decode() == "{:04d}{:02d}{:02d}{:02d}{:02d}{:02d}".format(*index_time)[:12]


def archive_pdf(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(next(name for name in archive.namelist() if name.endswith(".pdf")))

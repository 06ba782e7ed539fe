"""Procurement opens the import from the subcontracting page, fills the subcontractors' template with two rows
(one naming an unregistered subcontractor), sees the error under its column, fixes it, imports, and finds the
subcontractors in the index: the one the register shows as consented waits for legal (issue #20, item 1)."""

from __future__ import annotations

import io
import os
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from oversight.extensions import db
from oversight.vendors.corporate_number import with_check_digit
from tests.browser.helpers import shoot
from tests.contracts.helpers import drafted
from tests.vendors.factories import create_vendor

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("IMPORT_SHOTS")  # a directory: screenshots of each step at 1280 and 390 px
SUBCONTRACTOR = with_check_digit("701000108890")


def _shoot(page, name: str) -> None:
    shoot(page, SHOTS, f"sub-{name}")


def _filled(template: bytes, second_name: str) -> bytes:
    book = load_workbook(io.BytesIO(template))
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    sheet.delete_rows(2)  # the example row

    def row(**values):
        sheet.append([values.get(name, "") for name in header])

    row(
        契約番号="IMPJ-001",
        再委託先法人番号=SUBCONTRACTOR,
        再委託する事務の範囲="源泉徴収票の印刷",
        特定個人情報等の範囲="源泉徴収票の記載事項",
        委託の状況="委託済み",
        許諾の状況="許諾済",
        許諾日="R6.4.1",
        許諾の有効期限="2027/3/31",
        許諾書類="再委託承諾書 第5号",
    )
    row(
        契約番号="IMPJ-001",
        再委託先名称=second_name,
        再委託する事務の範囲="封入・発送",
        特定個人情報等の範囲="源泉徴収票",
        委託の状況="予定",
        許諾の状況="申請中",
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_subcontractors_template_fill_preview_fix_import(app, page, make_user, sign_in, tmp_path):
    with app.app_context():
        contractor = create_vendor(name="株式会社ジャーニー給与", corporate_number="")
        create_vendor(name="ジャーニー印刷株式会社", corporate_number=SUBCONTRACTOR)
        create_vendor(name="株式会社ジャーニー封入", corporate_number="")
        db.session.flush()
        drafted(vendor=contractor, number="IMPJ-001", start_on=date(2025, 4, 1), end_on=date(2027, 3, 31))
        db.session.commit()
    buyer = make_user("procurement", name="調達 次郎")
    sign_in(buyer)
    page.goto("/subcontracts/")
    page.get_by_test_id("import-link").click()
    expect(page.locator("h1")).to_have_text("再委託先の取込")
    _shoot(page, "1-upload")
    with page.expect_download() as download_info:
        page.get_by_test_id("template-xlsx").click()
    template = Path(download_info.value.path()).read_bytes()

    wrong = tmp_path / "再委託.xlsx"
    wrong.write_bytes(_filled(template, "株式会社未登録封入"))
    page.locator("input[type=file]").set_input_files(str(wrong))
    page.get_by_role("button", name="内容を確認").click()
    expect(page.locator("h1")).to_have_text("取込内容の確認")
    expect(page.get_by_test_id("import-row-2")).to_have_attribute("data-outcome", "create")
    expect(page.get_by_test_id("import-row-2")).to_contain_text("法務の確認と管理責任者の判断を待つ許諾申請")
    expect(page.get_by_test_id("import-row-3")).to_have_attribute("data-outcome", "error")
    expect(page.get_by_test_id("import-row-3")).to_contain_text("再委託先名称")
    expect(page.get_by_test_id("import-confirm")).to_be_disabled()
    _shoot(page, "2-preview-error")

    page.get_by_role("link", name="別のファイルをアップロード").click()
    fixed = tmp_path / "再委託-修正.xlsx"
    fixed.write_bytes(_filled(template, "ジャーニー封入"))
    page.locator("input[type=file]").set_input_files(str(fixed))
    page.get_by_role("button", name="内容を確認").click()
    expect(page.get_by_test_id("total-create")).to_have_text("2")
    _shoot(page, "3-preview-ok")
    page.get_by_test_id("import-confirm").click()
    expect(page.locator(".alert-success")).to_contain_text("再委託先の記録 2件")
    table = page.get_by_test_id("all")
    expect(table).to_contain_text("ジャーニー印刷株式会社")
    expect(table).to_contain_text("株式会社ジャーニー封入")
    _shoot(page, "4-index")
    page.goto("/subcontracts/?section=awaiting_legal")
    expect(page.get_by_test_id("awaiting-legal")).to_contain_text("ジャーニー印刷株式会社")
    # Legal finds the register's facts in the request, to check against the consent document.
    page.get_by_role("link", name="ジャーニー印刷株式会社").click()
    expect(page.locator("main")).to_contain_text("【台帳から取込・要確認】")
    expect(page.locator("main")).to_contain_text("許諾書類：再委託承諾書 第5号")
    _shoot(page, "5-node")

"""Procurement downloads the import template, fills two rows (one wrong), sees the preview explain the
error, fixes the file, imports it, and finds the vendors in the register (issue #20)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from oversight.vendors.corporate_number import with_check_digit
from tests.browser.helpers import shoot

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("IMPORT_SHOTS")  # a directory: screenshots of each step at 1280 and 390 px


def _shoot(page, name: str) -> None:
    shoot(page, SHOTS, name)


def _filled(template: bytes, second_number: str) -> bytes:
    book = load_workbook(io.BytesIO(template))
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    sheet.delete_rows(2)  # the example row

    def row(**values):
        sheet.append([values.get(name, "") for name in header])

    row(
        名称="株式会社ひまわり社労士",
        法人番号=with_check_digit("301000108896"),
        リスク区分="高",
        Pマーク有効期限="R8.3.31",
    )
    row(名称="株式会社あおぞら", 法人番号=second_number, リスク区分="中", 取扱場所="国内")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_template_fill_preview_fix_import(page, make_user, sign_in, tmp_path):
    buyer = make_user("procurement", name="調達 太郎")
    sign_in(buyer)
    page.goto("/vendors/")
    page.get_by_test_id("import-link").click()
    expect(page.locator("h1")).to_have_text("委託先の一括取込")
    _shoot(page, "1-upload")
    with page.expect_download() as download_info:
        page.get_by_test_id("template-xlsx").click()
    template = Path(download_info.value.path()).read_bytes()

    wrong = tmp_path / "台帳.xlsx"
    wrong.write_bytes(_filled(template, "1234567890123"))  # a wrong check digit
    page.locator("input[type=file]").set_input_files(str(wrong))
    page.get_by_role("button", name="内容を確認").click()
    expect(page.locator("h1")).to_have_text("取込内容の確認")
    expect(page.get_by_test_id("import-row-2")).to_have_attribute("data-outcome", "create")
    expect(page.get_by_test_id("import-row-3")).to_have_attribute("data-outcome", "error")
    expect(page.get_by_test_id("import-row-3")).to_contain_text("法人番号")
    expect(page.get_by_test_id("import-confirm")).to_be_disabled()
    _shoot(page, "2-preview-error")

    page.get_by_role("link", name="別のファイルをアップロード").click()
    fixed = tmp_path / "台帳-修正.xlsx"
    fixed.write_bytes(_filled(template, with_check_digit("401000108897")))
    page.locator("input[type=file]").set_input_files(str(fixed))
    page.get_by_role("button", name="内容を確認").click()
    expect(page.get_by_test_id("total-create")).to_have_text("2")
    _shoot(page, "3-preview-ok")
    page.get_by_test_id("import-confirm").click()
    expect(page.locator(".alert-success")).to_contain_text("新規登録2件")
    table = page.get_by_test_id("vendor-table")
    expect(table).to_contain_text("株式会社ひまわり社労士")
    expect(table).to_contain_text("株式会社あおぞら")
    _shoot(page, "4-register")

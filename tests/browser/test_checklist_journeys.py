"""Checklist template administration in a real browser."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_admin_copies_edits_and_publishes_a_contract_checklist(page, make_user, sign_in):
    sign_in(make_user("admin"))
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto("/admin/checklists/")
    page.get_by_role("button", name="標準チェックリストを読み込む").click()
    expect(page.locator("#kind-contract")).to_contain_text("委託契約条項チェックリスト")

    page.locator("#kind-contract").get_by_role("button", name="下書きにコピー").click()
    expect(page.locator("h1")).to_contain_text("v2")
    page.locator("tr", has_text="C09").get_by_role("link", name="編集").click()
    page.fill("textarea[name=text_ja]", "特定個人情報を取り扱う従業者を名簿で特定する")
    page.check("input[name=is_required]")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".alert-success")).to_contain_text("C09")

    page.get_by_role("button", name="公開").click()
    expect(page.get_by_test_id("status-published")).to_be_visible()
    expect(page.locator("tr", has_text="C09")).to_contain_text("名簿で特定する")

    page.goto("/admin/checklists/")
    expect(page.locator("#kind-contract")).to_contain_text("廃止")


def test_my_number_warning_keeps_the_input_until_confirmed(page, make_user, sign_in):
    sign_in(make_user("admin"))
    page.goto("/admin/checklists/")
    page.get_by_role("button", name="標準チェックリストを読み込む").click()
    page.locator("#kind-audit").get_by_role("button", name="下書きにコピー").click()
    page.locator("tr", has_text="A03").get_by_role("link", name="編集").click()
    page.fill("textarea[name=guidance_ja]", "記入例：１２３４－５６７８－９０１８")
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_test_id("my-number-warning")).to_be_visible()
    expect(page.locator("textarea[name=guidance_ja]")).to_have_value("記入例：１２３４－５６７８－９０１８")
    expect(page.locator(".invalid-feedback")).to_contain_text("個人番号（マイナンバー）と思われる12桁の数字")
    page.check("input[name=confirm_not_my_number]")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".alert-success")).to_contain_text("A03")

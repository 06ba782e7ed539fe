"""Procurement registers a vendor and submits an evaluation with evidence; a manager approves it."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import sign_out

pytestmark = pytest.mark.browser

TEXTS = {
    "ja": {"registered": "を登録しました", "submitted": "承認申請しました", "approved": "承認済", "valid": "有効"},
    "en": {
        "registered": "was registered",
        "submitted": "submitted for approval",
        "approved": "Approved",
        "valid": "Valid",
    },
}


def _sign_out(page):
    sign_out(page)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_register_evaluate_approve_and_see_green(page, make_user, sign_in, language):
    texts = TEXTS[language]
    buyer = make_user("procurement", language=language, name="調達 太郎")
    manager = make_user("manager", language=language, name="責任 花子")

    sign_in(buyer)
    page.goto("/vendors/new")
    page.fill("input[name=name]", "株式会社さくら給与計算センター")
    page.fill("input[name=name_kana]", "サクラキュウヨケイサンセンター")
    page.fill("input[name=corporate_number]", "７１２３-４５６７-８９０１２")
    page.fill("textarea[name=entrusted_work]", "給与計算、年末調整")
    page.fill("textarea[name=data_scope]", "従業員の個人番号、氏名")
    page.select_option("select[name=risk_tier]", "high")
    page.select_option("select[name=is_entrustment]", "yes")
    page.fill("textarea[name=entrustment_reason]", "給与計算で個人番号を取り扱う")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text(texts["registered"])
    expect(page.locator("main")).to_contain_text("7123456789012")
    expect(page.get_by_test_id("light-selection").first).to_have_attribute("data-state", "red")

    page.get_by_test_id("start-evaluation").click()
    page.wait_for_url(re.compile(r".*/evaluations/\d+/edit"))
    selects = page.locator("#answers-form select[name^=answer_]")
    expect(selects).to_have_count(30)
    for index in range(selects.count()):
        selects.nth(index).select_option("conforming")
    page.get_by_test_id("save-answers").click()
    expect(page.get_by_test_id("completeness")).to_have_text("30/30")

    evidence = page.get_by_test_id("evidence-form")
    s26 = evidence.locator("select[name=item_id] option", has_text="S26").get_attribute("value")
    evidence.locator("select[name=item_id]").select_option(s26)
    evidence.locator("input[type=file]").set_input_files(
        files=[
            {"name": "pmark-certificate.txt", "mimeType": "text/plain", "buffer": "Pマーク登録証（写し）\n".encode()}
        ]
    )
    evidence.locator("button[type=submit]").click()
    expect(page.get_by_test_id("item-S26")).to_contain_text("pmark-certificate.txt")

    page.get_by_test_id("save-and-submit").click()  # saves the answers, then asks for the decision
    page.select_option("select[name=decision]", "approve")
    page.get_by_test_id("submit-evaluation").click()
    expect(page.locator(".alert-success")).to_contain_text(texts["submitted"])
    evaluation_url = page.url
    _sign_out(page)

    sign_in(manager)
    page.goto(evaluation_url)
    page.fill("form[action$='/approve'] textarea[name=note]", "問題ありません")
    page.get_by_test_id("approve").click()
    expect(page.get_by_test_id("evaluation-status")).to_have_text(texts["approved"])
    expect(page.get_by_test_id("valid-until")).not_to_have_text("—")

    page.locator(".breadcrumb a").nth(1).click()
    light = page.get_by_test_id("light-selection").first
    expect(light).to_have_attribute("data-state", "green")
    expect(light).to_contain_text(texts["valid"])
    page.goto("/vendors/?selection=green")
    expect(page.get_by_test_id("vendor-table")).to_contain_text("株式会社さくら給与計算センター")

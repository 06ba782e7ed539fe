"""A contract from draft to the deletion certificate, in the browser and in Japanese.

Procurement drafts and submits; legal finds C05 missing and returns it; the next round carries the
finding and shows what changed once legal fixes it; legal clears, a manager approves, procurement
records the signature. A manager terminates the contract early; procurement records the deletion
certificate and a second manager confirms it. The 契約 and 返却・廃棄 lights follow every step.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from oversight.core.timeutil import local_today
from oversight.extensions import db
from tests.browser.helpers import sign_out
from tests.contracts.helpers import PDF_BYTES, approve_selection
from tests.vendors.factories import create_vendor

pytestmark = pytest.mark.browser


def _sign_out(page):
    sign_out(page)


def _light(page, key):
    return page.get_by_test_id(f"light-{key}").first


def _judge(page, **results):
    """On the review page: every clause present unless ``results`` says otherwise; then save."""
    selects = page.locator("#review-form select[name^=result_]")
    expect(selects).to_have_count(19)
    for index in range(selects.count()):
        selects.nth(index).select_option("present")
    for code, result in results.items():
        page.get_by_test_id(f"clause-{code}").locator("select").select_option(result)
    page.get_by_test_id("save-clauses").click()
    expect(page.locator(".alert-success")).to_be_visible()


def _draft_and_submit(page, vendor_url: str, today) -> str:
    """Procurement drafts the contract from the vendor page and submits it; returns the contract URL."""
    page.goto(vendor_url)
    expect(_light(page, "contract")).to_have_attribute("data-state", "red")
    page.get_by_test_id("draft-contract").click()
    page.fill("input[name=number]", "K-J-001")
    page.fill("input[name=title]", "給与計算業務委託契約")
    page.fill("textarea[name=scope]", "給与計算、年末調整")
    page.fill("textarea[name=data_scope]", "従業員の氏名、住所、個人番号")
    page.fill("input[name=start_on]", (today - timedelta(days=60)).isoformat())
    page.fill("input[name=end_on]", (today + timedelta(days=300)).isoformat())
    page.fill("input[name=incident_notice_hours]", "24")
    page.get_by_test_id("save-contract").click()
    expect(page.get_by_test_id("contract-status")).to_have_text("起案")
    contract_url = page.url
    page.fill("textarea[name=note]", "先方ひな形です。")
    page.get_by_test_id("submit-contract").click()
    expect(page.get_by_test_id("contract-status")).to_have_text("法務審査中")
    expect(_light(page, "contract")).to_have_attribute("data-state", "amber")
    return contract_url


def _legal_returns_for_c05(page, contract_url: str) -> None:
    page.goto("/contracts/worklist")
    page.get_by_test_id("awaiting-legal").get_by_role("link", name="K-J-001").click()
    page.wait_for_url(re.compile(r".*/contracts/\d+/review"))
    _judge(page, C05="missing")
    expect(page.get_by_test_id("blocking")).to_contain_text("C05")
    page.goto(contract_url)
    expect(_light(page, "contract")).to_have_attribute("data-state", "red")
    expect(page.get_by_test_id("result-C05")).to_have_text("規定なし")
    page.get_by_test_id("clear-review").click()
    expect(page.locator(".alert-danger").first).to_contain_text("C05")
    page.goto(contract_url)
    comment = page.locator("form[action$='/review/return'] textarea[name=comment]")
    comment.fill("C05（漏えい時の責任）を追加してください。")
    page.get_by_test_id("return-review").click()
    expect(page.get_by_test_id("contract-status")).to_have_text("差戻し")
    expect(page.get_by_test_id("round-comment")).to_contain_text("C05")


def _legal_fixes_c05_and_clears(page, contract_url: str) -> None:
    page.goto(contract_url)
    page.get_by_test_id("review-clauses").click()
    c05 = page.get_by_test_id("clause-C05")
    expect(c05.locator("select")).to_have_value("missing")
    c05.locator("select").select_option("present")
    c05.locator("input[name^=clause_number_]").fill("第9条")
    c05.locator("textarea[name^=quote_]").fill("乙は漏えい等事案について責任を負う。")
    page.get_by_test_id("save-clauses").click()
    page.goto(contract_url)
    changes = page.get_by_test_id("round-changes")
    expect(changes).to_contain_text("第1回からの変更点")
    expect(changes.get_by_test_id("change-C05").first).to_contain_text("規定なし")
    expect(changes).to_contain_text("第9条")
    page.get_by_test_id("clear-review").click()
    expect(page.get_by_test_id("round-outcome")).to_have_text("法務承認済")


def _sign(page, contract_url: str, today) -> None:
    page.goto(contract_url)
    page.fill("input[name=signed_on]", (today - timedelta(days=55)).isoformat())
    page.locator("form[action$='/sign'] input[type=file]").set_input_files(
        files=[{"name": "署名済契約書.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    page.get_by_test_id("sign-contract").click()
    expect(page.get_by_test_id("contract-status")).to_have_text("締結済")
    expect(page.get_by_test_id("documents")).to_contain_text("署名済契約書.pdf")
    expect(_light(page, "contract")).to_have_attribute("data-state", "green")
    expect(_light(page, "disposal")).to_have_attribute("data-state", "green")


def _terminate_25_days_ago(page, contract_url: str, today) -> str:
    """Deletion is then due in 5 days: 返却・廃棄 amber, 契約 red. Returns the disposal item's URL."""
    page.goto(contract_url)
    page.locator("summary", has_text="中途解約").click()
    page.fill("input[name=ended_on]", (today - timedelta(days=25)).isoformat())
    page.fill("textarea[name=reason]", "委託業務の内製化")
    page.get_by_test_id("terminate-contract").click()
    expect(page.get_by_test_id("contract-status")).to_have_text("終了")
    expect(_light(page, "contract")).to_have_attribute("data-state", "red")
    expect(_light(page, "disposal")).to_have_attribute("data-state", "amber")
    page.get_by_test_id("contract-disposals").get_by_role("link").first.click()
    expect(page.get_by_test_id("due-on")).to_have_text((today + timedelta(days=5)).isoformat())
    return page.url


def _record_certificate(page, disposal_url: str, today) -> None:
    page.goto(disposal_url)
    form = page.get_by_test_id("certificate-form")
    form.locator("select[name=method]").select_option("erasure")
    form.locator("input[name=completed_on]").fill(today.isoformat())
    form.locator("textarea[name=data_items]").fill("給与計算データ一式")
    form.locator("textarea[name=media]").fill("サーバーHDD")
    form.locator("input[name=media_quantity]").fill("2")
    form.locator("input[name=responsible_person]").fill("情報システム部長")
    form.locator("input[name=covers_backups]").check()
    form.locator("input[name=irrecoverable]").check()
    form.locator("input[type=file]").set_input_files(
        files=[{"name": "削除証明書.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    page.get_by_test_id("record-certificate").click()
    expect(page.get_by_test_id("disposal-state")).to_have_text("確認待ち")
    expect(page.get_by_test_id("evidence-list")).to_contain_text("削除証明書.pdf")


def test_contract_review_signature_end_and_deletion(page, sign_in, make_user, app):
    today = local_today()
    procurement = make_user("procurement", name="調達 花子")
    legal = make_user("legal", name="法務 一郎")
    manager = make_user("manager", name="責任 三郎")
    second_manager = make_user("manager", name="責任 四郎")
    with app.app_context():
        vendor = create_vendor(name="株式会社ジャーニー給与")
        db.session.flush()
        approve_selection(vendor, valid_until=today + timedelta(days=300))
        db.session.commit()
        vendor_url = f"/vendors/{vendor.id}"

    sign_in(procurement)
    contract_url = _draft_and_submit(page, vendor_url, today)
    _sign_out(page)

    sign_in(legal)
    _legal_returns_for_c05(page, contract_url)
    _sign_out(page)

    sign_in(procurement)
    page.goto(contract_url)
    page.fill("textarea[name=note]", "第9条を追加しました。")
    page.get_by_test_id("submit-contract").click()
    expect(page.get_by_test_id("round-meta")).to_contain_text("第2回")
    _sign_out(page)

    sign_in(legal)
    _legal_fixes_c05_and_clears(page, contract_url)
    _sign_out(page)

    sign_in(manager)
    page.goto(contract_url)
    page.get_by_test_id("approve-contract").click()
    expect(page.get_by_test_id("contract-status")).to_have_text("承認済")
    _sign_out(page)

    sign_in(procurement)
    _sign(page, contract_url, today)
    _sign_out(page)

    sign_in(manager)
    disposal_url = _terminate_25_days_ago(page, contract_url, today)
    _sign_out(page)

    sign_in(procurement)
    _record_certificate(page, disposal_url, today)
    _sign_out(page)

    sign_in(second_manager)
    page.goto(disposal_url)
    page.get_by_test_id("confirm-disposal").click()
    expect(page.get_by_test_id("disposal-state")).to_have_text("確認済")
    page.goto(contract_url)
    expect(page.get_by_test_id("contract-status")).to_have_text("データ返却・廃棄完了")
    expect(_light(page, "disposal")).to_have_attribute("data-state", "green")
    page.goto(vendor_url)
    expect(_light(page, "disposal")).to_have_attribute("data-state", "green")
    expect(page.get_by_test_id("vendor-contracts")).to_contain_text("K-J-001")

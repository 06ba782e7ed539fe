"""The lists' vendor filter in a browser: suggestions while typing (an ARIA combobox, keyboard and mouse),
the chosen vendor shown by name with a link that removes it, and the same filter without scripts.

With ``SHOTS_DIR`` set, screenshots of the contract list with the suggestions open and with a vendor chosen
are written there (desktop and phone width).
"""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from oversight.extensions import db
from tests.browser.helpers import shoot
from tests.browser.test_accessibility import AXE, AXE_URL, RUN_AXE, WCAG_21_AA
from tests.contracts.helpers import drafted, user
from tests.vendors.factories import create_vendor

pytestmark = pytest.mark.browser



def _contracts(app) -> dict[str, int]:
    with app.app_context():
        procurement = user("procurement", email="drafter@example.com")
        names = {
            "asahi": ("株式会社アサヒ計算センター", "アサヒケイサンセンター", "年末調整業務"),
            "asahi2": ("朝日データ入力株式会社", "アサヒデータニュウリョク", "データ入力業務"),
            "sakura": ("さくら給与サービス株式会社", "サクラキュウヨサービス", "給与計算業務"),
        }
        ids = {}
        for key, (name, kana, title) in names.items():
            vendor = create_vendor(name=name, name_kana=kana)
            db.session.flush()
            drafted(vendor=vendor, actor=procurement, title=title)
            ids[key] = vendor.id
        db.session.commit()
        return ids


def _shoot(page, name: str) -> None:
    shoot(page, os.environ.get("SHOTS_DIR"), name, height=700, full_page=False)


def _rows(page):
    return page.get_by_test_id("contract-table").locator("tbody tr")


def test_typing_suggests_vendors_and_a_chosen_one_filters_the_list(app, page, make_user, sign_in):
    ids = _contracts(app)
    sign_in(make_user("procurement", name="調達 花子"))
    page.goto("/contracts/")
    field = page.get_by_role("combobox", name="委託先")
    expect(field).to_have_attribute("aria-expanded", "false")
    field.press_sequentially("あさひ")
    listbox = page.get_by_role("listbox", name="委託先")
    options = listbox.get_by_role("option")
    expect(options).to_have_count(2)
    expect(field).to_have_attribute("aria-expanded", "true")
    expect(page.locator("[data-vendor-combobox] [role=status]")).to_contain_text("候補の委託先が 2 件あります")

    page.route(f"**{AXE_URL}", lambda route: route.fulfill(path=AXE, content_type="text/javascript"))
    page.add_script_tag(url=AXE_URL)
    assert page.evaluate(RUN_AXE, WCAG_21_AA) == []  # with the suggestions open
    field.press("ArrowDown")
    expect(field).to_have_attribute("aria-activedescendant", re.compile(r"-suggestions-0$"))
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    _shoot(page, "vendor-filter-suggestions")
    field.press("ArrowDown")
    field.press("Enter")  # chooses the highlighted vendor, the form is not sent yet
    expect(listbox).to_be_hidden()
    expect(field).to_have_value("朝日データ入力株式会社")
    assert "vendor_id" not in page.url
    field.press("Enter")  # now the form is sent
    page.wait_for_url(re.compile(rf".*vendor_id={ids['asahi2']}"))
    expect(_rows(page)).to_have_count(1)
    expect(page.get_by_test_id("chosen-vendor")).to_have_text("朝日データ入力株式会社")
    _shoot(page, "vendor-filter-chosen")

    page.get_by_label("状態").select_option("draft")  # another filter keeps the chosen vendor
    page.get_by_role("button", name="絞り込み").click()
    page.wait_for_url(re.compile(r".*status=draft"))
    expect(page.get_by_test_id("chosen-vendor")).to_have_text("朝日データ入力株式会社")
    page.get_by_role("link", name="委託先「朝日データ入力株式会社」の絞り込みを解除").click()
    expect(_rows(page)).to_have_count(3)
    assert "vendor_id" not in page.url and "status=draft" in page.url


def test_a_click_chooses_and_typing_again_goes_back_to_the_text(app, page, make_user, sign_in):
    _contracts(app)
    sign_in(make_user("procurement"))
    page.goto("/contracts/")
    field = page.get_by_role("combobox", name="委託先")
    field.press_sequentially("さくら")
    page.get_by_role("option", name=re.compile("さくら給与サービス株式会社")).click()
    expect(field).to_have_value("さくら給与サービス株式会社")
    expect(page.locator("input[type=hidden][name=vendor_id]")).to_have_count(1)
    field.fill("計算")  # the text typed now filters: the vendor chosen before is dropped
    expect(page.locator("input[type=hidden][name=vendor_id]")).to_have_count(0)
    page.get_by_role("button", name="絞り込み").click()
    page.wait_for_url(re.compile(r".*vendor=%E8%A8%88%E7%AE%97"))
    expect(_rows(page)).to_have_count(1)
    expect(_rows(page)).to_contain_text("年末調整業務")


def test_without_scripts_the_text_field_filters(app, browser, live_server, make_user):
    _contracts(app)
    procurement = make_user("procurement")
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url, locale="ja-JP")
    page = context.new_page()
    try:
        page.goto("/auth/login")
        page.fill("input[name=email]", procurement.email)
        page.fill("input[name=password]", procurement.password)
        page.locator("form[action$='/auth/login'] button[type=submit]").click()
        page.wait_for_url("**/dashboard")
        page.goto("/contracts/")
        field = page.get_by_label("委託先")
        expect(field).not_to_have_attribute("role", "combobox")
        field.fill("あさひけいさん")
        field.press("Enter")
        expect(_rows(page)).to_have_count(1)
        expect(_rows(page)).to_contain_text("年末調整業務")
    finally:
        context.close()

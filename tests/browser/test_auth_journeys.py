"""Sign-in journeys in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import open_user_menu

pytestmark = pytest.mark.browser


def test_sign_in_in_japanese_switch_to_english_and_sign_out(page, make_user):
    user = make_user("viewer", name="山田 花子")
    page.goto("/auth/login")
    expect(page.locator("h1")).to_have_text("ログイン")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", user.password)
    page.locator("form[action$='/auth/login'] button[type=submit]").click()
    page.wait_for_url("**/dashboard")
    expect(page.locator("main")).to_contain_text("山田 花子 さん、ようこそ。")

    open_user_menu(page)
    page.locator("button[lang=en]").click()
    page.wait_for_url("**/dashboard")
    expect(page.locator("main")).to_contain_text("Welcome, 山田 花子.")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    open_user_menu(page)
    page.get_by_test_id("logout").click()
    page.wait_for_url(re.compile(r".*/auth/login$"))
    expect(page.locator(".alert")).to_contain_text("You have signed out.")
    page.goto("/dashboard")
    expect(page).to_have_url(re.compile(r".*/auth/login\?next="))


def test_five_bad_passwords_lock_the_account_even_for_the_right_one(page, make_user):
    user = make_user("viewer")
    page.goto("/auth/login")
    for attempt in range(6):
        page.fill("input[name=email]", user.email)
        page.fill("input[name=password]", user.password if attempt == 5 else f"wrong-password-{attempt}")
        page.locator("form[action$='/auth/login'] button[type=submit]").click()
        page.wait_for_load_state()
        expect(page.locator(".alert-danger")).to_contain_text("ログインできませんでした。")
    expect(page).to_have_url(re.compile(r".*/auth/login$"))
    page.goto("/dashboard")
    expect(page).to_have_url(re.compile(r".*/auth/login"))


def test_visitor_switches_the_sign_in_page_to_english(page):
    page.goto("/auth/login")
    page.get_by_test_id("language-switch").locator("button[lang=en]").click()
    expect(page.locator("h1")).to_have_text("Sign in")

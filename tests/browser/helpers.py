"""Steps several browser journeys share."""

import re

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError


def open_user_menu(page) -> None:
    """Open the user menu in the navbar.

    A click that lands before Bootstrap's dropdown script is ready does nothing, so
    wait for the page to load and click again until the menu is shown.
    """
    page.wait_for_load_state("load")
    menu = page.locator("[data-testid=user-menu] + .dropdown-menu")
    for _ in range(5):
        page.get_by_test_id("user-menu").click()
        try:
            menu.wait_for(state="visible", timeout=2000)
            return
        except PlaywrightTimeoutError:
            continue
    menu.wait_for(state="visible", timeout=2000)


def sign_out(page) -> None:
    """Sign out through the user menu, as a person would, and wait for the sign-in page."""
    open_user_menu(page)
    page.get_by_test_id("logout").click()
    page.wait_for_url(re.compile(r".*/auth/login"))

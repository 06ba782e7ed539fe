"""Steps several browser journeys share."""

import re
from pathlib import Path

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


WIDTHS = {"desktop": 1280, "phone": 390}


def shoot(page, folder: str | None, name: str, *, height: int = 900, full_page: bool = True,
          fits_width: bool = False) -> None:
    """Screenshots of the page at desktop and phone width into ``folder`` (nothing when it is unset), named
    ``<name>-<desktop|phone>.png``; ``fits_width`` also asserts the page scrolls no wider than the window.
    The window is set back to desktop width afterwards."""
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=f"{folder}/{name}-{label}.png", full_page=full_page)
        if fits_width:
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, label)
    page.set_viewport_size({"width": 1280, "height": 900})

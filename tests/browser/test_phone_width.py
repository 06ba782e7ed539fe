"""On a phone (390 × 844) every list page fits the screen: wide tables scroll inside their own box
instead of widening the page (the vendor list was 749 px wide)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from oversight.demo.users import DEMO_PASSWORD
from tests.reports.helpers import seed_demo

pytestmark = pytest.mark.browser

PHONE_WIDTH = 390
PAGES = [
    "/dashboard",
    "/dashboard/due",
    "/dashboard/calendar",
    "/vendors/",
    "/evaluations/",
    "/contracts/",
    "/subcontracts/",
    "/subcontracts/new",
    "/disposals/",
    "/audits/",
    "/audits/records",
    "/audits/findings",
    "/incidents/",
    "/admin/users",
    "/admin/checklists/",
    "/activity/",
    "/reminders/outbox",
]
# Tables without an ancestor that scrolls sideways (or that scroll themselves).
UNBOXED_TABLES = """() => [...document.querySelectorAll('table')].filter(table => {
    for (let box = table; box; box = box.parentElement) {
        if (['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) return false;
    }
    return true;
}).map(table => table.dataset.testid || table.className)"""


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": PHONE_WIDTH, "height": 844}}


def _page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_list_pages_fit_a_phone_and_their_tables_scroll_inside(app, page, sign_in):
    seed_demo(app)
    sign_in(SimpleNamespace(email="admin@example.com", password=DEMO_PASSWORD))
    vendor_page = None
    for path in PAGES:
        assert page.goto(path).status == 200, path
        assert _page_width(page) <= PHONE_WIDTH, path
        assert page.evaluate(UNBOXED_TABLES) == [], path
        if path == "/vendors/":
            table = page.get_by_test_id("vendor-table")
            assert table.evaluate("table => table.parentElement.scrollWidth") > PHONE_WIDTH  # it scrolls
            vendor_page = table.locator("tbody a").first.get_attribute("href")
    page.goto(vendor_page)
    assert _page_width(page) <= PHONE_WIDTH and page.evaluate(UNBOXED_TABLES) == [], vendor_page

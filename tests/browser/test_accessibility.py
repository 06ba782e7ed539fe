"""WCAG 2.1 AA in the browser (issue #18, items 12 and 13).

axe-core (``tests/browser/vendor/axe-core``, the npm package's ``axe.min.js``, pinned and kept in the
repository: no CDN, no npm at test time) checks every main page and the main form pages for two roles,
and any serious or critical violation fails. The page's Content Security Policy allows scripts from the
app's own origin only, so the test serves axe under the app's address (a Playwright route) instead of
switching the policy off. Keyboard use: the skip link is the first Tab stop, the navigation shows
a focus ring, and a field reached with Tab is never hidden under the sticky save bar.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from oversight.demo.users import DEMO_PASSWORD
from tests.htmlcheck import checked_pages

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_URL = "/__tests__/axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return results.violations
    .filter((violation) => ['serious', 'critical'].includes(violation.impact))
    .map((violation) => ({
      rule: violation.id,
      impact: violation.impact,
      nodes: violation.nodes.slice(0, 5).map((node) => node.target.join(' ') + ': ' + node.failureSummary),
    }));
}"""


@pytest.fixture
def demo(app):
    """The demo data set (``flask demo seed``): every page has records to show."""
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output


@pytest.fixture
def axe(page):
    """``axe(page)``: the serious and critical WCAG 2.1 A/AA violations of the page shown."""
    page.route(f"**{AXE_URL}", lambda route: route.fulfill(path=AXE, content_type="text/javascript"))

    def run() -> list[dict]:
        page.add_script_tag(url=AXE_URL)
        return page.evaluate(RUN_AXE, WCAG_21_AA)

    return run


def sign_in_as(page, email: str) -> None:
    page.goto("/auth/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("form[action$='/auth/login'] button[type=submit]").click()
    page.wait_for_url("**/dashboard")


def test_the_sign_in_page_has_no_serious_violations(page, axe):
    page.goto("/auth/login")
    assert axe() == []


@pytest.mark.parametrize("email", ["admin@example.com", "procurement@example.com"])
def test_main_pages_have_no_serious_or_critical_violations(app, page, axe, demo, email):
    sign_in_as(page, email)
    found = {}
    for name, url in checked_pages(app).items():
        page.goto(url)
        if violations := axe():
            found[f"{name} ({url})"] = violations
    assert found == {}


def test_the_first_tab_stop_skips_to_the_content(page, make_user, sign_in):
    sign_in(make_user("procurement"))
    page.goto("/vendors/")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text("本文へスキップ")
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/vendors/#main$"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_navigation_links_show_a_focus_ring(page, make_user, sign_in):
    sign_in(make_user("procurement"))
    page.goto("/vendors/")
    for _ in range(3):  # the skip link, the brand, the first entry of the main navigation
        page.keyboard.press("Tab")
    ring = page.evaluate(
        """() => {
          const link = document.activeElement, style = getComputedStyle(link);
          const bar = getComputedStyle(link.closest('nav')).backgroundColor;
          return {nav: link.classList.contains('nav-link'), width: style.outlineWidth,
                  style: style.outlineStyle, colour: style.outlineColor, bar};
        }"""
    )
    assert ring["nav"] and ring["style"] == "solid" and ring["width"] == "3px"
    assert ring["colour"] != ring["bar"]


def test_a_field_reached_with_tab_is_not_hidden_under_the_save_bar(app, page, demo):
    page.set_viewport_size({"width": 390, "height": 700})
    page.emulate_media(reduced_motion="reduce")  # Bootstrap scrolls smoothly otherwise: measure where it ends
    sign_in_as(page, "procurement@example.com")
    page.goto(checked_pages(app)["evaluation answers"])
    page.locator("#answers-form select").first.focus()
    hidden = []
    for _ in range(12):
        page.keyboard.press("Tab")
        covered = page.evaluate(
            """() => {
              const field = document.activeElement, bar = field.form && field.form.querySelector('.sticky-actions');
              if (!bar || bar.contains(field)) return null;
              return field.getBoundingClientRect().bottom > bar.getBoundingClientRect().top + 1 ? field.name : null;
            }"""
        )
        if covered:
            hidden.append(covered)
    assert hidden == []

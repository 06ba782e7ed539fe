"""Printing a record page (print stylesheet) and the page guide in the browser (#18 items 9 and 10a)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from oversight.contracts.models import Contract
from oversight.demo.users import DEMO_PASSWORD
from oversight.extensions import db
from oversight.vendors.models import Vendor
from tests.reports.helpers import pdf_pages, require_poppler, seed_demo

pytestmark = pytest.mark.browser
# Where the PDFs and their PNGs are kept to be looked at (e.g. /work/tmp/shots-x); a temporary folder by default.
SHOTS = os.environ.get("PRINT_SHOTS_DIR")


@pytest.fixture
def records(app, page, sign_in):
    seed_demo(app)
    with app.app_context():
        vendor = db.session.scalar(db.select(Vendor).where(Vendor.name == "株式会社さくら給与計算センター"))
        contract = db.session.scalars(db.select(Contract).where(Contract.vendor_id == vendor.id)).first()
        found = {"vendor": f"/vendors/{vendor.id}", "contract": f"/contracts/{contract.id}", "name": vendor.name}
    sign_in(SimpleNamespace(email="admin@example.com", password=DEMO_PASSWORD))
    return found


def _folder(tmp_path: Path) -> Path:
    folder = Path(SHOTS) if SHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("kind", ["vendor", "contract"])
def test_a_printed_record_page_shows_the_record_without_navigation_or_controls(page, records, tmp_path, kind):
    require_poppler()
    page.goto(records[kind])
    page.emulate_media(media="print")
    for selector in (".app-navbar", ".page-guide", ".skip-link", "footer.footer"):
        assert page.locator(selector).first.is_hidden(), selector
    assert all(not button.is_visible() for button in page.locator("main button, main .btn").all())
    assert all(not form.is_visible() for form in page.locator("main form").all())
    assert page.locator("h1").is_visible()
    colour = page.evaluate("getComputedStyle(document.querySelector('h1')).color")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert colour == "rgb(0, 0, 0)" and background in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)")
    path = _folder(tmp_path) / f"print-{kind}.pdf"
    page.pdf(path=str(path), format="A4", print_background=True)
    text = "\n".join(pdf_pages(path))
    assert records["name"] in text
    assert "このページについて" not in text and "サインアウト" not in text
    pngs = str(path.with_suffix(""))
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "2", str(path), pngs], check=True)


def test_the_guide_is_closed_and_opens_on_click(page, records):
    page.goto(records["contract"])
    guide = page.get_by_test_id("page-guide")
    assert guide.get_attribute("open") is None
    assert not page.get_by_text("次に対応する人").is_visible()
    guide.locator("summary").click()
    assert page.get_by_text("次に対応する人").is_visible()
    assert guide.get_by_role("link", name="用語集").is_visible()


def test_the_closed_guide_is_one_line_at_phone_width(page, records, tmp_path):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(records["vendor"])
    guide = page.get_by_test_id("page-guide")
    assert guide.bounding_box()["height"] < 48
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    guide.locator("summary").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(_folder(tmp_path) / "guide-phone.png"), full_page=False)

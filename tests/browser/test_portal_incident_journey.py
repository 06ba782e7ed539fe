"""A vendor's contact gives notice of an incident through the portal: the form (with a mistake first, so the
page shows the messages and keeps what was typed), the alert to the manager at a real SMTP server, the
status on the portal's home page, the incident in the staff list marked as coming through the portal.
axe-core checks the portal pages on the way, also at phone width.

With ``PORTAL_SHOTS=<folder>`` the pages are also saved as screenshots at 1280 and 390 px.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from oversight.core.timeutil import to_local, utcnow
from oversight.extensions import db
from oversight.incidents.models import Incident
from oversight.vendors.models import VendorContact
from tests.browser.test_portal_journey import _shot, run_axe  # noqa: F401 (the fixture)
from tests.portal.helpers import fresh_token
from tests.subcontracts.helpers import Team

pytestmark = pytest.mark.browser


def _contact_with_contract(app) -> str:
    """A contractor with a signed contract, its contact, and a fresh portal link for the contact."""
    with app.app_context():
        team = Team()
        team.contractor.manager_id = team.manager.id
        contact = VendorContact(vendor=team.contractor, name="山田 花子", email="hanako@sakura.example")
        db.session.add(contact)
        db.session.flush()
        token = fresh_token(contact)
        db.session.commit()
        return token


def test_incident_notice_through_the_vendor_portal(app, page, make_user, sign_in, smtp_server, run_axe):  # noqa: F811
    axe = run_axe
    token = _contact_with_contract(app)
    found = {}
    page.goto(f"/portal/link/{token}")
    expect(page).to_have_url(re.compile(r".*/portal/$"))
    found["home"] = axe()
    page.get_by_test_id("new-consent-request").click()
    expect(page.get_by_test_id("consent-request-form")).to_be_visible()
    found["consent request"] = axe()
    _shot(page, "portal-consent-request")
    page.goto("/portal/")
    page.get_by_test_id("new-incident-notice").click()

    form = page.get_by_test_id("incident-notice-form")
    form.locator("input[name=title]").fill("給与明細の誤送付")
    form.locator("textarea[name=description]").fill("封入機の設定誤りで、他人の明細を同封した。")
    form.locator("input[name=people]").fill("150")
    # No date and time, no data: the page says so next to the fields and keeps the rest.
    page.get_by_test_id("incident-notice-submit").click()
    expect(page.locator("#incident-notice-knew_at-error")).to_be_visible()
    expect(page.locator("#incident-notice-data_items-error")).to_be_visible()
    expect(form.locator("input[name=title]")).to_have_value("給与明細の誤送付")
    found["notice with errors"] = axe()
    page.set_viewport_size({"width": 390, "height": 900})
    found["notice at 390 px"] = axe()
    page.set_viewport_size({"width": 1280, "height": 900})
    _shot(page, "portal-incident-notice")

    knew_at = to_local(utcnow()) - timedelta(hours=2)
    form.locator("input[name=knew_at]").fill(knew_at.strftime("%Y-%m-%dT%H:%M"))
    form.locator("textarea[name=data_items]").fill("氏名、住所、給与額")
    page.get_by_test_id("incident-notice-submit").click()
    expect(page).to_have_url(re.compile(r".*/portal/$"))
    expect(page.get_by_test_id("portal-incidents")).to_contain_text("給与明細の誤送付")
    expect(page.get_by_test_id("portal-incidents")).to_contain_text("対応中")
    found["home with the notice"] = axe()
    _shot(page, "portal-home-notice")
    assert {name: violations for name, violations in found.items() if violations} == {}

    # The managers were alerted at once, at a real SMTP server.
    addresses = {message["To"].addresses[0].addr_spec for message in smtp_server.messages}
    assert "manager@example.com" in addresses
    page.get_by_test_id("portal-sign-out").click()

    with app.app_context():
        incident = db.session.scalar(db.select(Incident))
        assert incident.vendor_knew_at is not None and incident.reported_by_label.startswith("山田 花子")
    sign_in(make_user("manager", name="管理 花子"))
    page.goto("/incidents/")
    expect(page.get_by_test_id("incident-from-portal")).to_be_visible()
    page.get_by_role("link", name="給与明細の誤送付").click()
    expect(page.get_by_test_id("incident-from-portal")).to_contain_text("山田 花子")
    _shot(page, "staff-incident-from-portal")

"""The in-app guide of every page and the glossary (#18 item 9)."""

from __future__ import annotations

import re

import pytest

from oversight.auth.roles import ALL_ROLES
from oversight.web.glossary import EXPLANATIONS
from oversight.web.help import GUIDES
from tests.web.test_glossary import _terms

# GET routes that do not render a page of the app: downloads (CSV, Excel, PDF, ZIP, ICS), files, redirects,
# the sign-in page (no navigation, nobody signed in yet) and the glossary (the guides link to it).
NOT_PAGES = frozenset({
    "static", "bootstrap.static", "favicon", "evidence.download", "dashboard.root", "dashboard.feed_ics",
    "auth.login", "help.glossary", "auth.oidc_start", "auth.oidc_callback",
    "activity.export", "admin.export_users", "vendors.export", "evaluations.export", "contracts.export",
    "audits.export_records", "audits.export_findings", "audits.export_schedule", "subcontracts.export",
    "disposals.export", "incidents.export", "imports.template", "vendors.suggest",
    # The vendor portal has its own layout, for the vendor's contacts: no staff guide.
    "portal.home", "portal.new_link", "portal.open_link", "portal.report", "portal.download",
    "portal.consent_request", "portal.incident_notice",
    "reports.register", "reports.vendor_file", "reports.evidence_pack", "reports.clause_checklist",
    "reports.audit_report", "reports.disposal_record", "incidents.report_pdf", "incidents.notice_pdf",
})  # fmt: skip


def _page_endpoints(app) -> set[str]:
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        # The API answers machines; its documentation page is Swagger UI's own, without the app's layout.
        if "GET" in rule.methods and not rule.endpoint.startswith(("bench.", "api."))
    } - NOT_PAGES


def test_every_page_has_a_guide(app):
    assert sorted(_page_endpoints(app) - GUIDES.keys()) == []


def test_every_guide_belongs_to_a_page(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert sorted(GUIDES.keys() - endpoints) == [] and not GUIDES.keys() & NOT_PAGES


def test_every_guide_says_purpose_next_actor_and_basis():
    for endpoint, guide in GUIDES.items():
        assert str(guide.purpose) and str(guide.next_actor) and str(guide.basis), endpoint


@pytest.mark.parametrize("path", ["/dashboard", "/vendors/", "/contracts/", "/admin/users"])
def test_the_guide_is_a_closed_details_box_in_japanese(client, login_as, path):
    login_as("admin", "manager")
    page = client.get(path).get_data(as_text=True)
    box = re.search(r'<details class="page-guide[^"]*"[^>]*>(.*?)</details>', page, re.S)
    assert box is not None and " open" not in box.group(0).split(">", 1)[0]
    assert "<summary>このページについて</summary>" in box.group(1)
    assert "次に対応する人" in box.group(1) and "根拠" in box.group(1)
    assert "/help/glossary" in box.group(1)


def test_the_guide_cites_the_law_and_the_guideline(client, login_as):
    login_as("procurement", language="en")
    page = client.get("/subcontracts/").get_data(as_text=True)
    assert "About this page" in page and "My Number Act Art. 10" in page and "Guideline 4-2-(1)" in page
    assert "/help/glossary" in page.split("</main>")[1]  # the footer links to the glossary too


def test_the_sign_in_page_has_no_guide(client):
    assert 'class="page-guide' not in client.get("/auth/login").get_data(as_text=True)


def test_every_glossary_term_is_on_the_glossary_page_with_its_labels(client, login_as):
    login_as("viewer")
    page = client.get("/help/glossary").get_data(as_text=True)
    assert '<th scope="col">用語</th>' in page and '<th scope="col">読み</th>' in page
    for row in _terms():
        assert f">{row['用語']}</th>" in page, row["用語"]
        assert row["UI (English)"].replace("'", "&#39;") in page, row["UI (English)"]


def test_every_glossary_term_has_a_reading_and_an_explanation():
    terms = [row["用語"] for row in _terms()]
    assert sorted(set(terms) - EXPLANATIONS.keys()) == []
    assert sorted(EXPLANATIONS.keys() - set(terms)) == []


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_may_read_the_glossary(client, login_as, role):
    login_as(role)
    assert client.get("/help/glossary").status_code == 200


def test_the_glossary_needs_a_signed_in_user(client):
    assert client.get("/help/glossary").status_code == 302

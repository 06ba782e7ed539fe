"""The Japanese pages show no raw codes or English words (issue #18, item 2).

The demo data set (``flask demo seed``) is loaded, each Japanese demo user signs in and opens the main
pages (``tests/htmlcheck.checked_pages``: dashboard, lists and detail pages of every duty, the activity
log, the outbox, the admin pages); every text node outside ``<script>``/``<style>`` is scanned for ASCII
identifiers: ``snake_case``, ``dotted.codes``, ``lead-30``-like stage codes and English words.
What the users typed themselves and is code-like by nature (e-mail addresses, URLs, contract numbers,
checklist codes such as A01) is taken out before the scan; the few English words the Japanese UI uses
on purpose are listed in ``ALLOWED`` with the reason.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser

import pytest

from oversight.demo import cli as demo_cli
from oversight.demo.users import DEMO_PASSWORD, DEMO_USERS
from oversight.reminders import services as reminder_services
from tests.htmlcheck import checked_pages

# Not read: scripts and styles; <code> marks a technical key on purpose (the settings page's keys, for admins).
SKIPPED = {"script", "style", "template", "code"}
# Code-like text that is data, not a label: e-mail addresses, URLs, file names, IP addresses.
DATA_LIKE = re.compile(
    r"[\w.+-]+@[\w.-]+"  # e-mail address
    r"|https?://\S+"  # URL
    r"|[\w-]+\.[a-z]{2,4}\b"  # a file name (certificate.pdf)
    r"|(?<!\S)/[\w/.?=&%-]*"  # a URL path (an access refusal's summary)
    r"|\b\d+(?:\.\d+){3}\b"  # an IP address
    r"|\{[A-Z]+(?::0\d)?\}",  # a pattern token the admin types ({YYYY}, {SEQ:03}: the contract number pattern)
    re.IGNORECASE,
)
IDENTIFIER = re.compile(
    r"\b[A-Za-z][A-Za-z0-9]*(?:[_.][A-Za-z0-9]+)+\b"  # snake_case or dotted.code (audits.audit_due, A01.result)
    r"|\b[a-z]+-\d+\b"  # a stage code (lead-30, overdue-1)
    r"|\b[A-Za-z]{3,}\b"  # an English word (conforming, requested, True, Certificate)
)
# English the Japanese UI shows on purpose.
ALLOWED = {
    "PDF", "CSV", "XLSX", "Excel", "DOCX", "JPEG", "PNG", "TXT", "ZIP",  # file formats, named so in Japanese too
    "URL", "ID", "IP", "GET", "POST",  # technical terms (an access refusal records the HTTP method)
    "HTTP",  # a webhook delivery's error: 受信側が HTTP 500 を返しました (the status is named so in Japanese too)
    "English",  # the language switcher names each language in itself (日本語 / English)
    "ISMS", "ISO", "IEC", "JIS",  # certification standards (ISMS, ISO/IEC 27001)
    "Oversight",  # the product's name
    "iCalendar", "iCal",  # the calendar feed's format
    "SMTP",
    "SHA",  # the checksum's name (SHA-256) in an upload's log entry
    "API",  # APIアクセストークン: the API is called so in Japanese too
    "Webhook", "JSON",  # the webhooks' page: technical terms called so in Japanese too
    "Unicode", "Shift",  # the NTA's names of its corporate-number files: CSV・Unicode, CSV・Shift-JIS
}


class TextNodes(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in {"br", "img", "input", "meta", "link", "hr", "wbr", "source", "col", "area", "base"}:
            # Text marked lang="en" is English on purpose (the glossary's English labels).
            self.stack.append((tag, dict(attrs).get("lang") == "en"))

    def handle_endtag(self, tag):
        if tag in {name for name, _english in self.stack}:
            while self.stack and self.stack.pop()[0] != tag:
                pass

    def handle_data(self, data):
        skipped = any(name in SKIPPED or english for name, english in self.stack)
        if not skipped and data.strip():
            self.texts.append(data.strip())


def ascii_identifiers(html: str, data_like: re.Pattern = DATA_LIKE) -> set[str]:
    """The raw codes and English words in the text nodes of ``html``."""
    parser = TextNodes()
    parser.feed(html)
    found = set()
    for text in parser.texts:
        for match in IDENTIFIER.finditer(data_like.sub(" ", text)):
            if match.group() not in ALLOWED:
                found.add(match.group())
    return found


def test_the_scan_finds_codes_and_english_words_but_not_data():
    html = (
        "<p>status: requested → reviewed</p><td>lead-30</td><td>audits.audit_due</td><td>A01.result</td>"
        "<td>True</td><td>Certificate</td><script>var x_y = 1;</script><a href='/a_b'>監査</a>"
        "<td>ops@example.com https://example.com/x_y 報告書.pdf PDF</td>"
    )
    assert ascii_identifiers(html) == {
        "status", "requested", "reviewed", "lead-30", "audits.audit_due", "A01.result", "True", "Certificate"
    }


TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)  # 08:30 on 2026-11-26 in Tokyo


@pytest.fixture
def demo(app, monkeypatch, smtp_server):
    """The demo data set, and one reminder sweep over it (the outbox has a row for every rule)."""
    monkeypatch.setattr(demo_cli, "local_today", lambda: TODAY)
    result = app.test_cli_runner().invoke(demo_cli.seed, [])
    assert result.exit_code == 0, result.output
    with app.app_context():
        sweep = reminder_services.send_due_reminders(TODAY, NOW)
        assert sweep.rule_errors == [] and sweep.failed == []


JAPANESE_USERS = [email for email, _name, _roles, language in DEMO_USERS if language == "ja"]


def _demo_words(app) -> re.Pattern:
    """What the demo data itself holds in ASCII: vendor and contract names and numbers, people's names."""
    from sqlalchemy import text

    from oversight.extensions import db

    with app.app_context():
        values = [
            *db.session.execute(text("SELECT number FROM contracts")).scalars(),
            *db.session.execute(text("SELECT name FROM vendors")).scalars(),
            *db.session.execute(text("SELECT number FROM vendor_certifications")).scalars(),
            *db.session.execute(text("SELECT name FROM users")).scalars(),
            *db.session.execute(text("SELECT certificate_number FROM disposal_items")).scalars(),
            *db.session.execute(text("SELECT reference FROM incident_steps")).scalars(),
        ]
    values = sorted({value for value in values if value}, key=len, reverse=True)
    return re.compile("|".join([DATA_LIKE.pattern, *map(re.escape, values)]), re.IGNORECASE)


def test_japanese_pages_show_no_raw_codes_or_english(app, client, demo):
    data_like = _demo_words(app)
    pages = checked_pages(app)
    # A filtered register download, so the activity log holds one (its filters used to be a query string).
    client.post("/auth/login", data={"email": "procurement@example.com", "password": DEMO_PASSWORD})
    register = client.get("/reports/register.pdf", query_string={"status": "active", "risk_tier": "high"})
    assert register.status_code == 200
    client.post("/auth/logout")
    found: dict[str, set[str]] = {}
    for email in JAPANESE_USERS:
        response = client.post("/auth/login", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302
        for name, url in pages.items():
            response = client.get(url)
            if response.status_code != 200:
                continue
            if words := ascii_identifiers(response.get_data(as_text=True), data_like):
                found.setdefault(f"{name} ({url})", set()).update(words)
        client.post("/auth/logout")
    assert found == {}, "\n".join(f"{k}: {sorted(v)}" for k, v in sorted(found.items()))

"""Helpers for portal tests: a vendor with contacts, a request, a signed-in contact."""

from __future__ import annotations

import re
from datetime import timedelta

from oversight.core.timeutil import local_today, utcnow
from oversight.extensions import db
from oversight.portal import services
from oversight.portal.models import PERIODIC_REPORT
from oversight.vendors.models import VendorContact
from tests.vendors.factories import create_vendor

LINK = re.compile(r"https?://[^\s]+/portal/link/[A-Za-z0-9_\-]+")


def vendor_with_contact(name: str, contact_name: str = "山田 花子", email: str = "hanako@vendor-a.example"):
    """A vendor and one contact with an e-mail address (flushed)."""
    vendor = create_vendor(name=name)
    contact = VendorContact(vendor=vendor, name=contact_name, email=email, department="総務部")
    db.session.add(contact)
    db.session.flush()
    return vendor, contact


def send_request(vendor, contact, actor=None):
    """A periodic-report request to ``contact`` (sends the e-mail: needs an SMTP server or logs it)."""
    return services.create_request(
        vendor,
        kind=PERIODIC_REPORT,
        contact_ids=[contact.id],
        due_on=local_today() + timedelta(days=30),
        message="今期の定期報告をお願いします。",
        actor=actor,
        now=utcnow(),
    )


def fresh_token(contact) -> str:
    return services.issue_link(contact, actor=None, now=utcnow())


def link_path(url: str) -> str:
    return "/portal/" + url.split("/portal/", 1)[1]


def links_in(message) -> list[str]:
    return LINK.findall(message.get_body(("plain",)).get_content())


def full_answers(items, answer: str = "conforming", **overrides) -> dict:
    """Form data answering every item (``answer_<code>``/``comment_<code>``)."""
    data = {}
    for item in items:
        key = "".join(ch if ch.isalnum() else "_" for ch in item.code)
        data[f"answer_{key}"] = overrides.get(item.code, answer)
        data[f"comment_{key}"] = f"{item.code} の回答"
    return data

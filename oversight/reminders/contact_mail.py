"""The e-mail of the reminder sweep to a vendor contact (the vendor portal's requests): each request once,
with a fresh sign-in link. The sweep (``services``) claims the log rows, sends and records the answer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from oversight.extensions import db
from oversight.portal import notices
from oversight.portal import services as portal_services
from oversight.portal.models import PortalRequest
from oversight.vendors.models import VendorContact


class ContactMailError(RuntimeError):
    """The contact can no longer be mailed (no e-mail address any more): the rows wait and are retried."""


@dataclass(frozen=True)
class ContactMessage:
    to: list[tuple[str, str]]
    address: str
    subject: str
    text: str


def compose(contact_id: int, reminders: Iterable[tuple[int, str]], today: date, now: datetime) -> ContactMessage:
    """The e-mail for ``reminders`` ((request id, stage) pairs) to one contact; issues the link (flushed)."""
    contact = db.session.get(VendorContact, contact_id)
    if contact is None or not contact.email:
        raise ContactMailError(f"vendor contact {contact_id} has no e-mail address")
    stages: dict[int, str] = {}
    for request_id, stage in reminders:
        if stages.get(request_id) != notices.OPENED:  # a new request is announced as such
            stages[request_id] = stage
    requests = db.session.scalars(
        db.select(PortalRequest).where(PortalRequest.id.in_(stages)).order_by(PortalRequest.due_on, PortalRequest.id)
    ).all()
    token = portal_services.issue_link(contact, actor=None, now=now)
    subject, text = notices.reminder_mail(
        contact, contact.vendor, [(request, stages[request.id]) for request in requests],
        portal_services.link_url(token), today,
    )
    return ContactMessage([(contact.name, contact.email)], contact.email, subject, text)

"""Reminder rules of the vendor portal: the vendor's contacts before and after a request falls due, and
the vendor's owner when a request is long overdue (listed in ``oversight/features.py``).

The contacts' reminders go through the reminder log like every other reminder (one row per contact and
stage, a failed send retried); the sweep mails each contact one message with a fresh sign-in link
(``oversight.reminders.services``, text from ``portal.notices``). A request opened by the schedule of
recurring reports (``portal.recurring``) is announced the same way, at the stage ``opened``.

A vendor whose relationship has ended (:func:`vendor_has_ended`: ended, rejected or archived, or every
contract of its own ended) is no longer reminded, nor is its owner: its open requests wait on the page. The
one exception is the return/deletion certificate, which the end of a contract calls for: it is reminded
until the vendor is archived.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import Session

from oversight.admin.reminder_settings import stage_policy
from oversight.contracts.models import CLOSED, Contract
from oversight.core.due import DigestKind, DueItem, days_late, label_code, reminded_ids, reminder_stage, stage_horizon
from oversight.core.timeutil import to_local
from oversight.portal import settings
from oversight.portal.models import (
    ANSWERABLE,
    DELETION_CERTIFICATE,
    KIND_LABELS,
    SENT,
    PortalRequest,
    portal_request_contacts,
)
from oversight.vendors.models import ARCHIVED, ENDED, REJECTED, Vendor, VendorContact

KIND = "portal_request"
CONTACT_RULE = "portal.contact_reminder"
ESCALATION_RULE = "portal.owner_escalation"
OPENED = "opened"  # the stage that announces a request opened by the schedule
ENDED_STATUSES = (ENDED, REJECTED, ARCHIVED)


def vendor_has_ended() -> ColumnElement[bool]:
    """SQL on ``Vendor``: the relationship is over — the vendor is ended, rejected or archived, or it has
    contracts of its own and every one of them has ended (a subcontractor without contracts is not ended)."""
    own = select(Contract.id).where(Contract.vendor_id == Vendor.id)
    return or_(
        Vendor.status.in_(ENDED_STATUSES),
        and_(own.exists(), ~own.where(Contract.status.not_in(CLOSED)).exists()),
    )


def still_reminded() -> ColumnElement[bool]:
    """SQL on ``PortalRequest`` joined with its ``Vendor``: the request is still reminded — its vendor has not
    ended, or it asks for the return/deletion certificate and the vendor is not archived."""
    return or_(
        ~vendor_has_ended(),
        and_(PortalRequest.kind == DELETION_CERTIFICATE, Vendor.status != ARCHIVED),
    )


def _title(vendor_name: str, kind: str, request_id: int) -> str:
    return f"{vendor_name} — {label_code(KIND_LABELS.get(kind, kind))} #{request_id}"


def _lead_already_passed_when_sent(request, stage: str) -> bool:
    """True for a lead stage whose day had come before the request was sent: its e-mail said as much."""
    lead = int(stage.split("-")[1])
    return to_local(request.created_at).date() >= request.due_on - timedelta(days=lead)


def contact_reminders(session: Session, today: date) -> Iterator[DueItem]:
    """Each open request's contacts, at each lead time before its due date, on it and when overdue;
    and a request the schedule opened, once, to announce it (not for a vendor that has ended)."""
    policy = stage_policy(settings.REMINDER_LEAD_DAYS)
    query = (
        select(
            PortalRequest.id, PortalRequest.kind, PortalRequest.status, PortalRequest.due_on,
            PortalRequest.created_at, PortalRequest.scheduled_for, Vendor.name.label("vendor_name"),
        )
        .join(Vendor, Vendor.id == PortalRequest.vendor_id)
        .where(
            PortalRequest.status.in_(ANSWERABLE),
            still_reminded(),
            or_(
                PortalRequest.due_on <= stage_horizon(today, policy),
                and_(PortalRequest.scheduled_for.is_not(None), PortalRequest.status == SENT),
            ),
        )
        .order_by(PortalRequest.id)
    )
    found: dict[int, set[int]] = {}
    for request_id, contact_id in session.execute(_contacts_with_email()):
        found.setdefault(request_id, set()).add(contact_id)
    for request in session.execute(query):
        contacts = frozenset(found.get(request.id, ()))
        stage = reminder_stage(request.due_on, today, policy)
        if stage is not None and stage.startswith("lead-") and _lead_already_passed_when_sent(request, stage):
            stage = None
        stages = [OPENED] if request.scheduled_for is not None and request.status == SENT else []
        stages += [stage] if stage is not None else []
        for each in stages if contacts else ():
            yield DueItem(
                rule=CONTACT_RULE,
                kind=KIND,
                object_type="portal_request",
                object_id=request.id,
                title=_title(request.vendor_name, request.kind, request.id),
                due_on=request.due_on,
                stage=each,
                days_late=days_late(request.due_on, today),
                url_path=f"/requests/{request.id}",
                contacts=contacts,
            )


def _contacts_with_email() -> Select:
    """(request id, contact id) of each open request's contacts that have an e-mail address.

    Not the ``contacts`` relationship nor the requests' ids as a list: ordered by contact (the relationship), or
    given a few thousand ids, SQLite walked every contact and probed the link table with each request (0.5 s a
    batch of 500 requests, 5 s a sweep at 5,000 vendors); reached from the open requests, it takes milliseconds.
    """
    return (
        select(portal_request_contacts.c.request_id, VendorContact.id)
        .join(PortalRequest, PortalRequest.id == portal_request_contacts.c.request_id)
        .join(VendorContact, VendorContact.id == portal_request_contacts.c.contact_id)
        .where(PortalRequest.status.in_(ANSWERABLE), VendorContact.email != "")
    )


def owner_escalation(session: Session, today: date) -> Iterator[DueItem]:
    """A request still unanswered ``portal.escalation_days`` after its due date: once, to the vendor's owner."""
    latest_due = today - timedelta(days=settings.escalation_days())
    query = (
        select(PortalRequest.id, PortalRequest.kind, PortalRequest.due_on, Vendor.name, Vendor.owner_id)
        .join(Vendor, Vendor.id == PortalRequest.vendor_id)
        .where(PortalRequest.status.in_(ANSWERABLE), PortalRequest.due_on <= latest_due,
               Vendor.owner_id.is_not(None), still_reminded())
        .order_by(PortalRequest.id)
    )
    for row in session.execute(query):
        yield DueItem(
            rule=ESCALATION_RULE,
            kind=KIND,
            object_type="portal_request",
            object_id=row.id,
            title=_title(row.name, row.kind, row.id),
            due_on=row.due_on,
            stage="overdue-1",
            days_late=days_late(row.due_on, today),
            url_path=f"/requests/{row.id}",
            recipients=reminded_ids(row.owner_id),
            escalate=True,
        )


RULES = (contact_reminders, owner_escalation)
DIGEST_KINDS = (DigestKind(KIND, _l("Requests to vendors overdue"), order=65),)

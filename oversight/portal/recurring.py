"""Recurring periodic reports (定期報告) by risk tier, opened by the daily job.

Each active vendor with a contact who has an e-mail address, and with a contract that has not ended (or no
contract of its own yet), reports every
``portal.report_interval_months.<tier>`` months (high 3, medium 6, low 12): the next report falls due
that long after the due date of its latest periodic-report request, and the daily job opens it
``portal.report_open_days`` days ahead (a vendor that never had one is asked at once, due that many days
later). While a periodic report of the vendor is still open (not accepted), no next one is opened; when the
schedule has slipped past the due date, the next report is due ``report_open_days`` after the day it opens.

The request is created with the system as the actor; its e-mail to the contacts (with a fresh link) goes
out through the reminder log (``portal.rules``, stage ``opened``), so a failed send is retried. A unique
constraint on (vendor, kind, ``scheduled_for``) keeps a second job, in this or another process, from
opening the same report twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import case, exists, func, select
from sqlalchemy.exc import IntegrityError

from oversight.audits.schedule import add_months
from oversight.extensions import db
from oversight.portal import rules, services, settings
from oversight.portal.models import ACCEPTED, PERIODIC_REPORT, PortalRequest
from oversight.vendors.models import ACTIVE, Vendor, VendorContact

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NextReport:
    """When a vendor's next periodic report falls due and when the daily job opens it."""

    due_on: date
    opens_on: date
    is_waiting: bool = False  # a periodic report is still open: the next one waits until it is accepted


def plan(latest_due: date | None, interval_months: int, open_days: int, today: date) -> NextReport:
    """The next report after one due on ``latest_due`` (None: the vendor never had one)."""
    if latest_due is None:
        return NextReport(today + timedelta(days=open_days), today)
    due_on = add_months(latest_due, interval_months)
    opens_on = due_on - timedelta(days=open_days)
    if due_on <= today:  # the schedule slipped (job not run, report accepted late): a fresh notice period
        return NextReport(today + timedelta(days=open_days), today)
    return NextReport(due_on, opens_on)


def _reporting_vendors(vendor_id: int | None = None):
    """Active vendors with a contact who has an e-mail address, not ended (``rules.vendor_has_ended``): their
    tier, latest report due date and number of periodic reports still open (one statement)."""
    reports = (
        select(
            PortalRequest.vendor_id,
            func.max(PortalRequest.due_on).label("latest_due"),
            func.sum(case((PortalRequest.status != ACCEPTED, 1), else_=0)).label("open_count"),
        )
        .where(PortalRequest.kind == PERIODIC_REPORT)
        .group_by(PortalRequest.vendor_id)
        .subquery()
    )
    has_contact = exists().where(VendorContact.vendor_id == Vendor.id, VendorContact.email != "")
    query = (
        select(Vendor.id, Vendor.risk_tier, reports.c.latest_due, reports.c.open_count)
        .outerjoin(reports, reports.c.vendor_id == Vendor.id)
        .where(Vendor.status == ACTIVE, has_contact, ~rules.vendor_has_ended())
        .order_by(Vendor.id)
    )
    return query.where(Vendor.id == vendor_id) if vendor_id is not None else query


def next_report(vendor: Vendor, today: date) -> NextReport | None:
    """The vendor's next recurring report, or None when it gets none (not active, no contact by e-mail)."""
    row = db.session.execute(_reporting_vendors(vendor.id)).first()
    if row is None:
        return None
    found = plan(row.latest_due, settings.report_interval_months(row.risk_tier), settings.report_open_days(), today)
    return NextReport(found.due_on, found.opens_on, is_waiting=bool(row.open_count))


def open_due_reports(*, today: date, now: datetime) -> int:
    """Open the next periodic report of every vendor due per its tier (the daily job); the number opened.

    Another job that opened the same reports first (a second scheduler by mistake) makes the insert fail on
    the unique constraint: this run then opens nothing and leaves its transaction rolled back.
    """
    open_days = settings.report_open_days()
    intervals: dict[str, int] = {}
    due = []
    for row in db.session.execute(_reporting_vendors()).all():
        if row.open_count:
            continue
        if row.risk_tier not in intervals:
            intervals[row.risk_tier] = settings.report_interval_months(row.risk_tier)
        found = plan(row.latest_due, intervals[row.risk_tier], open_days, today)
        if found.opens_on <= today:
            due.append((row.id, found.due_on))
    try:
        for vendor_id, due_on in due:
            _open(db.session.get(Vendor, vendor_id), due_on, now)
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        log.info("Recurring periodic reports: another run opened them first; nothing opened by this one")
        return 0
    if due:
        log.info("Recurring periodic reports opened: %d", len(due))
    return len(due)


def _open(vendor: Vendor, due_on: date, now: datetime) -> PortalRequest:
    """Create the scheduled request (system as the actor); the sweep that follows mails the contacts."""
    with force_locale("ja"):
        message = _("This is your regular periodic report on the handling of My Number data.")
    request = services.create_request(
        vendor,
        kind=PERIODIC_REPORT,
        contact_ids=[contact.id for contact in services.contacts_with_email(vendor)],
        due_on=due_on,
        message=str(message),
        actor=None,
        now=now,
        notify=False,
    )
    request.scheduled_for = due_on
    return request

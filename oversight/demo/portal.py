"""Demo requests through the vendor portal: a periodic report sent, one submitted, one returned with a
comment and one accepted (which opened a periodic-report audit being recorded). No e-mail is sent."""

from __future__ import annotations

from datetime import date, timedelta

from oversight.core.timeutil import utcnow
from oversight.extensions import db
from oversight.portal import services
from oversight.portal.models import PERIODIC_REPORT
from oversight.vendors.models import Vendor, VendorContact

AUDITOR = "auditor@example.com"


def _answers(request, *, partial: str | None = None) -> dict:
    items = {
        item.code: {"answer": "conforming", "comment": ""} for item in services.report_items(request)
    }
    if partial is not None and partial in items:
        items[partial] = {"answer": "partial", "comment": "教育記録の一部が未整備です。"}
    return {"items": items, "incidents": "前回報告以降、漏えい等の事案はありません。"}


def seed_portal(users: dict, vendors: list[Vendor], *, today: date) -> None:
    """Four vendors, one request each in another state; the caller commits."""
    auditor = users[AUDITOR]
    now = utcnow()
    contacts = {
        contact.vendor_id: contact
        for contact in db.session.scalars(
            db.select(VendorContact).where(VendorContact.email != "").order_by(VendorContact.id.desc())
        )
    }
    chosen = [vendor for vendor in vendors if vendor.status == "active" and vendor.id in contacts][:4]
    for index, vendor in enumerate(chosen):
        contact = contacts[vendor.id]
        request = services.create_request(
            vendor,
            kind=PERIODIC_REPORT,
            contact_ids=[contact.id],
            due_on=today + timedelta(days=14 + 7 * index),
            message="今期（上期）の取扱状況について定期報告をお願いします。",
            actor=auditor,
            now=now,
            notify=False,
        )
        if index == 0:
            continue
        actor = services.actor_for(contact, vendor)
        services.submit(request, _answers(request, partial="A08"), actor=actor, now=now)
        if index == 2:
            services.return_submission(
                request,
                comments={"A08": "未整備の教育記録の範囲と、整備の予定日を記載してください。"},
                note="",
                actor=auditor,
                now=now,
            )
        elif index == 3:
            services.accept(request, note="確認しました。", actor=auditor, today=today, now=now)
        db.session.flush()
    _seed_overdue(auditor, [vendor for vendor in vendors if vendor.status == "active" and vendor.id in contacts
                            and vendor not in chosen][:1], contacts, today=today, now=now)


def _seed_overdue(auditor, vendors: list[Vendor], contacts: dict, *, today: date, now) -> None:
    """A request three weeks overdue: the sweep reminds its contact and tells the vendor's owner."""
    for vendor in vendors:
        request = services.create_request(
            vendor, kind=PERIODIC_REPORT, contact_ids=[contacts[vendor.id].id], due_on=now.date() + timedelta(days=30),
            message="前期の定期報告が未提出です。至急ご提出ください。", actor=auditor, now=now, notify=False,
        )
        request.due_on = today - timedelta(days=21)
        db.session.flush()

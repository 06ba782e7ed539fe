"""Recurring periodic reports by risk tier: the plan, the daily job at the tier boundaries, exactly once."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from oversight import scheduler
from oversight.activity.models import ActivityLog
from oversight.admin import settings as admin_settings
from oversight.core.timeutil import local_today
from oversight.extensions import db
from oversight.portal import recurring
from oversight.portal.models import ACCEPTED, PERIODIC_REPORT, SENT, PortalRequest
from oversight.reminders.models import ReminderLog
from oversight.vendors.models import ACTIVE, ENDED, Vendor, VendorContact
from tests.portal.helpers import link_path, links_in, vendor_with_contact
from tests.vendors.factories import create_vendor

ANCHOR = date(2026, 1, 31)  # the due date of each vendor's last report


def _now(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def _vendor(tier: str, *, latest_due: date | None = ANCHOR, status: str = ACTIVE, name: str | None = None):
    vendor, contact = vendor_with_contact(name or f"株式会社{tier}", email=f"{tier}@vendor.example")
    vendor.risk_tier, vendor.status = tier, status
    if latest_due is not None:
        db.session.add(PortalRequest(kind=PERIODIC_REPORT, vendor=vendor, status=ACCEPTED, due_on=latest_due,
                                     message="", contacts=[contact]))
    db.session.flush()
    return vendor


def _run(day: date) -> int:
    opened = recurring.open_due_reports(today=day, now=_now(day))
    db.session.commit()
    return opened


def _scheduled() -> list[tuple[str, date]]:
    rows = db.session.scalars(
        db.select(PortalRequest).where(PortalRequest.scheduled_for.is_not(None)).order_by(PortalRequest.id)
    )
    return [(request.vendor.risk_tier, request.due_on) for request in rows]


@pytest.mark.parametrize(
    ("tier", "due_on", "opens_on"),
    [("high", date(2026, 4, 30), date(2026, 3, 31)),
     ("medium", date(2026, 7, 31), date(2026, 7, 1)),
     ("low", date(2027, 1, 31), date(2027, 1, 1))],
)
def test_each_tier_is_opened_on_its_day_and_not_the_day_before(app_ctx, tier, due_on, opens_on):
    _vendor(tier)
    db.session.commit()
    assert _run(opens_on - timedelta(days=1)) == 0
    assert _scheduled() == []
    assert _run(opens_on) == 1
    assert _scheduled() == [(tier, due_on)]
    request = db.session.scalar(db.select(PortalRequest).where(PortalRequest.scheduled_for == due_on))
    assert (request.status, request.created_by_id, request.scheduled_for) == (SENT, None, due_on)
    assert [contact.email for contact in request.contacts] == [f"{tier}@vendor.example"]
    assert request.template_id is not None
    # the system is the actor in the log
    log = db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "portal.request_send"))
    assert (log.actor_id, log.actor_label, log.object_id) == (None, "", request.id)


def test_running_twice_opens_once_and_the_next_waits_for_acceptance(app_ctx):
    _vendor("high")
    db.session.commit()
    day = date(2026, 3, 31)
    assert _run(day) == 1
    assert _run(day) == 0
    assert _run(day + timedelta(days=40)) == 0  # the open report is overdue: no second one on top
    assert len(_scheduled()) == 1
    request = db.session.scalar(db.select(PortalRequest).where(PortalRequest.scheduled_for.is_not(None)))
    request.status = ACCEPTED
    db.session.commit()
    # the next report is due three months after this one (2026-07-30), opened 30 days ahead
    assert _run(date(2026, 6, 29)) == 0
    assert _run(date(2026, 6, 30)) == 1
    assert _scheduled()[-1] == ("high", date(2026, 7, 30))


def test_the_same_scheduled_report_cannot_be_stored_twice(app_ctx):
    vendor = _vendor("high")
    for _ in range(2):
        db.session.add(PortalRequest(kind=PERIODIC_REPORT, vendor=vendor, status=SENT, due_on=date(2026, 4, 30),
                                     scheduled_for=date(2026, 4, 30), message=""))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_racing_job_that_lost_opens_nothing(app_ctx, monkeypatch):
    # Another process opened the report after this job read the vendors: its insert hits the constraint.
    vendor = _vendor("high")
    db.session.commit()
    day = date(2026, 3, 31)
    real_open = recurring._open

    def open_after_the_other_process(found, due_on, now):
        db.session.add(PortalRequest(kind=PERIODIC_REPORT, vendor_id=vendor.id, status=SENT, due_on=due_on,
                                     scheduled_for=due_on, message=""))
        db.session.commit()
        return real_open(found, due_on, now)

    monkeypatch.setattr(recurring, "_open", open_after_the_other_process)
    assert recurring.open_due_reports(today=day, now=_now(day)) == 0
    assert len(_scheduled()) == 1


def test_only_active_vendors_with_a_contact_by_email_get_reports(app_ctx):
    _vendor("high", status=ENDED, name="終了した会社")
    without = create_vendor(name="連絡先なし", status=ACTIVE)
    db.session.add(VendorContact(vendor=without, name="電話 のみ", email="", phone="03-0000-0000"))
    first = _vendor("low", latest_due=None, name="初めての会社")
    db.session.commit()
    day = date(2026, 3, 31)
    assert _run(day) == 1
    assert _scheduled() == [("low", day + timedelta(days=30))]  # never reported: asked at once
    assert recurring.next_report(without, day) is None
    assert recurring.next_report(first, day).is_waiting


def test_the_interval_and_lead_settings_move_the_schedule(app_ctx):
    _vendor("medium")
    admin_settings.save_settings(
        {"portal.report_interval_months.medium": 2, "portal.report_open_days": 10}, actor=None,
        state=admin_settings.edit_state({}),
    )
    db.session.commit()
    assert _run(date(2026, 3, 20)) == 0
    assert _run(date(2026, 3, 21)) == 1
    assert _scheduled() == [("medium", date(2026, 3, 31))]


def test_a_slipped_schedule_gives_a_fresh_notice_period():
    found = recurring.plan(date(2025, 1, 31), 3, 30, date(2026, 3, 31))
    assert found == recurring.NextReport(date(2026, 4, 30), date(2026, 3, 31))


def test_the_daily_job_opens_and_mails_the_report_once(app, client, smtp_server):
    with app.app_context():
        vendor = _vendor("high", latest_due=None)
        db.session.commit()
        vendor_id = vendor.id
    scheduler.run_daily(app)
    scheduler.run_daily(app)
    [message] = smtp_server.messages
    assert message["To"].addresses[0].addr_spec == "high@vendor.example"
    body = message.get_body(("plain",)).get_content()
    assert "定期報告" in body and "新しい依頼" in body
    with app.app_context():
        [request] = db.session.scalars(db.select(PortalRequest).where(PortalRequest.vendor_id == vendor_id)).all()
        assert request.due_on == local_today() + timedelta(days=30)
        assert [row.stage for row in db.session.scalars(db.select(ReminderLog))] == ["opened"]
        request_id = request.id
    assert client.get(link_path(links_in(message)[0])).status_code == 302
    assert client.get(f"/portal/requests/{request_id}").status_code == 200


def test_the_requests_tab_shows_the_next_report(app, client, login_as):
    with app.app_context():
        vendor_id = _vendor("high", latest_due=local_today() + timedelta(days=10)).id
        db.session.commit()
    login_as("auditor")
    html = client.get(f"/requests/vendor/{vendor_id}").get_data(as_text=True)
    assert "次回の定期報告" in html
    with app.app_context():
        expected = recurring.next_report(db.session.get(Vendor, vendor_id), local_today())
    assert expected.due_on.isoformat() in html and expected.opens_on.isoformat() in html


def test_an_active_vendor_whose_contracts_all_ended_gets_no_more_reports(app_ctx):
    from oversight.disposals import services as disposal_services
    from tests.contracts.helpers import people, signed

    day = date(2026, 12, 1)
    procurement, legal, manager = people()
    ended = signed(procurement, legal, manager, end_on=day + timedelta(days=200))
    running = signed(procurement, legal, manager, end_on=day + timedelta(days=200))
    for contract, name in ((ended, "ended"), (running, "running")):
        contract.vendor.status = ACTIVE
        db.session.add(VendorContact(vendor=contract.vendor, name=name, email=f"{name}@vendor.example"))
    disposal_services.terminate_contract(ended, ended_on=day - timedelta(days=3), reason="契約解除",
                                         actor=procurement, today=day)
    db.session.commit()
    assert recurring.next_report(ended.vendor, day) is None
    assert _run(day) == 1
    assert [request.vendor_id for request in db.session.scalars(db.select(PortalRequest))] == [running.vendor_id]

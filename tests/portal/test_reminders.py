"""Reminders of the vendor portal: the vendor's contacts before and after a request falls due (with a fresh
sign-in link), the vendor's owner when it is long overdue; through the reminder log, over real SMTP."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from oversight.extensions import db
from oversight.portal import rules
from oversight.portal.models import ACCEPTED, SUBMITTED, PortalLink, PortalRequest
from oversight.reminders import services
from oversight.reminders.models import FAILED, SENT, ReminderLog
from oversight.vendors.models import VendorContact
from tests.portal.helpers import link_path, links_in, vendor_with_contact

TODAY = date(2026, 12, 1)
NOW = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)  # 08:30 on 2026-12-01 in Tokyo
ADDRESS = "hanako@vendor-a.example"


@pytest.fixture
def overdue_request(app, make_user):
    """A factory: a request to vendor A's contact due ``days`` from TODAY (negative: overdue), sent long ago."""
    def make(days: int, *, status: str | None = None, owner=True) -> dict:
        owner_user = make_user("procurement", email="owner@example.com", name="委託先 担当") if owner else None
        with app.app_context():
            vendor, contact = vendor_with_contact("株式会社A")
            vendor.owner_id = owner_user.id if owner_user else None
            request = PortalRequest(kind="periodic_report", vendor=vendor, status=status or "sent",
                                    due_on=TODAY + timedelta(days=days), message="", contacts=[contact])
            db.session.add(request)
            db.session.flush()
            request.created_at = NOW - timedelta(days=60)
            db.session.commit()
            return {"request_id": request.id, "contact_id": contact.id, "owner_id": owner_user and owner_user.id}
    return make


def _sweep(app, today=TODAY, now=NOW):
    with app.app_context():
        result = services.send_due_reminders(today, now)
        assert result.rule_errors == []
        return result


def _rows(app, **where) -> list[ReminderLog]:
    with app.app_context():
        query = db.select(ReminderLog).filter_by(**where).order_by(ReminderLog.id)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return rows


def _to(message) -> str:
    return message["To"].addresses[0].addr_spec


def test_a_contact_is_reminded_before_the_due_date_in_japanese_with_a_fresh_link(
    app, client, smtp_server, overdue_request
):
    request = overdue_request(7)
    _sweep(app)
    [message] = smtp_server.messages
    assert _to(message) == ADDRESS
    assert message["Subject"] == "【テスト株式会社】委託先ポータル：ご依頼の期日のお知らせ"
    body = message.get_body(("plain",)).get_content()
    assert "山田 花子" in body and "2026-12-08" in body and "期日まであと7日" in body
    [row] = _rows(app, contact_id=request["contact_id"])
    assert (row.stage, row.status, row.recipient_id) == ("lead-7", SENT, None)
    # the link is new and signs the contact in to their vendor's portal
    [url] = links_in(message)
    response = client.get(link_path(url))
    assert response.status_code == 302 and response.headers["Location"].endswith("/portal/")
    assert client.get(f"/portal/requests/{request['request_id']}").status_code == 200


def test_a_second_sweep_the_same_day_sends_nothing_again(app, smtp_server, overdue_request):
    overdue_request(1)
    _sweep(app)
    _sweep(app)
    _sweep(app, now=NOW + timedelta(hours=3))
    assert len(smtp_server.messages) == 1
    assert len(_rows(app)) == 1
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(PortalLink.id))) == 1


def test_an_overdue_request_reminds_the_contact_again_each_repeat_period(app, smtp_server, overdue_request):
    overdue_request(-1, owner=False)
    _sweep(app)
    _sweep(app, today=TODAY + timedelta(days=3), now=NOW + timedelta(days=3))
    _sweep(app, today=TODAY + timedelta(days=7), now=NOW + timedelta(days=7))
    assert [row.stage for row in _rows(app)] == ["overdue-1", "overdue-2"]
    assert len(smtp_server.messages) == 2
    assert "期日を1日過ぎています" in smtp_server.messages[0].get_body(("plain",)).get_content()


def test_the_owner_is_told_when_a_request_is_overdue_by_the_escalation_days(app, smtp_server, overdue_request):
    request = overdue_request(-13)
    _sweep(app)
    assert _rows(app, rule=rules.ESCALATION_RULE) == []
    assert {_to(message) for message in smtp_server.messages} == {ADDRESS}
    smtp_server.clear()

    _sweep(app, today=TODAY + timedelta(days=1), now=NOW + timedelta(days=1))  # 14 days overdue
    [row] = _rows(app, rule=rules.ESCALATION_RULE)
    assert (row.recipient_id, row.is_escalation, row.status) == (request["owner_id"], True, SENT)
    [message] = smtp_server.messages
    assert _to(message) == "owner@example.com"
    assert "株式会社A" in message.get_body(("plain",)).get_content()
    # once only
    _sweep(app, today=TODAY + timedelta(days=2), now=NOW + timedelta(days=2))
    assert len(_rows(app, rule=rules.ESCALATION_RULE)) == 1


def test_a_refused_reminder_is_retried_and_its_unsent_link_not_kept(app, client, smtp_server, overdue_request):
    overdue_request(0, owner=False)
    smtp_server.handler.refused.add(ADDRESS)
    result = _sweep(app)
    assert [digest.status for digest in result.failed] == [FAILED]
    [row] = _rows(app)
    assert row.status == FAILED and row.last_error
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(PortalLink.id))) == 0

    smtp_server.handler.refused.clear()
    with app.app_context():
        retry = services.retry_failed(NOW + timedelta(minutes=15))
    assert [digest.status for digest in retry.digests] == [SENT]
    [message] = smtp_server.messages
    assert "本日が期日" in message.get_body(("plain",)).get_content()
    assert client.get(link_path(links_in(message)[0])).status_code == 302
    assert [row.status for row in _rows(app)] == [SENT]


@pytest.mark.parametrize("status", [SUBMITTED, ACCEPTED])
def test_a_submitted_or_accepted_request_reminds_nobody(app, smtp_server, overdue_request, status):
    overdue_request(-30, status=status)
    _sweep(app)
    assert _rows(app) == [] and smtp_server.messages == []


def test_only_the_requests_own_contacts_with_an_address_are_reminded(app, overdue_request):
    """The rule reads each open request's contacts itself (not the relationship): a contact of the request
    without an e-mail address, a contact of the vendor the request does not name, and the contacts of an
    accepted request are left out."""
    request = overdue_request(-3, owner=False)
    with app.app_context():
        kept = db.session.get(PortalRequest, request["request_id"])
        no_address = VendorContact(vendor=kept.vendor, name="住所なし", email="", department="総務部")
        not_named = VendorContact(vendor=kept.vendor, name="別の担当", email="other@vendor-a.example",
                                  department="総務部")
        db.session.add_all([no_address, not_named])
        kept.contacts.append(no_address)
        other_vendor, other_contact = vendor_with_contact("株式会社B", email="b@vendor-b.example")
        db.session.add(PortalRequest(kind="periodic_report", vendor=other_vendor, status=ACCEPTED,
                                     due_on=TODAY - timedelta(days=3), message="", contacts=[other_contact]))
        db.session.commit()
        items = list(rules.contact_reminders(db.session, TODAY))
    assert [(item.object_id, item.stage, item.contacts) for item in items] == [
        (request["request_id"], "overdue-1", frozenset({request["contact_id"]}))
    ]


def test_a_request_sent_inside_a_lead_time_is_not_reminded_of_it(app, smtp_server, overdue_request):
    request = overdue_request(5, owner=False)
    with app.app_context():  # sent two days ago, due in five: its e-mail already said so
        db.session.get(PortalRequest, request["request_id"]).created_at = NOW - timedelta(days=2)
        db.session.commit()
    _sweep(app)
    assert smtp_server.messages == []
    _sweep(app, today=TODAY + timedelta(days=4), now=NOW + timedelta(days=4))
    assert [row.stage for row in _rows(app)] == ["lead-1"]


def test_the_lead_days_setting_decides_when_contacts_are_reminded(app, smtp_server, overdue_request):
    from oversight.admin import settings as admin_settings

    overdue_request(10, owner=False)
    _sweep(app)
    assert smtp_server.messages == []
    with app.app_context():
        admin_settings.save_settings({"portal.reminder_lead_days": "14,3"}, actor=None,
                                     state=admin_settings.edit_state({}))
        db.session.commit()
    _sweep(app)
    assert [row.stage for row in _rows(app)] == ["lead-14"]


def test_the_outbox_shows_a_contacts_reminder(app, client, smtp_server, overdue_request, login_as):
    overdue_request(1, owner=False)
    _sweep(app)
    login_as("admin")
    html = client.get("/reminders/outbox").get_data(as_text=True)
    assert "山田 花子" in html and ADDRESS in html and "委託先の担当者" in html


@pytest.mark.postgresql
def test_concurrent_sweeps_record_and_send_each_contacts_reminder_once(app, smtp_server):
    from oversight.core import registry
    from oversight.core.due import collect_due
    from tests.reminders.test_concurrency import _run_in_threads

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("row locks (FOR UPDATE SKIP LOCKED) need PostgreSQL; SQLite serialises writers anyway")
        for number in range(6):
            vendor, contact = vendor_with_contact(f"株式会社{number}", email=f"c{number}@vendor.example")
            db.session.add(PortalRequest(kind="periodic_report", vendor=vendor, status="sent", due_on=TODAY,
                                         message="", contacts=[contact], created_at=NOW - timedelta(days=30)))
        db.session.commit()

    def record() -> int:
        inserted = services.record_due(collect_due(db.session, TODAY, registry.current().reminder_rules()), NOW)
        db.session.commit()
        return inserted

    assert sum(_run_in_threads(app, record, count=3)) == 6
    results = _run_in_threads(app, lambda: services.deliver_pending(TODAY, NOW), count=4)
    assert sum(len(result.digests) for result in results) == 6
    assert sorted(envelope.rcpt_tos[0] for envelope in smtp_server.envelopes) == [
        f"c{number}@vendor.example" for number in range(6)
    ]
    assert {row.status for row in _rows(app)} == {SENT}
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(PortalLink.id))) == 6


def _ended_vendor(app) -> dict:
    """A vendor whose only contract was ended early (its return/deletion item opened), with a contact, an owner,
    and two requests 20 days overdue: a periodic report and the return/deletion certificate."""
    from oversight.disposals import services as disposal_services
    from oversight.vendors.models import VendorContact
    from tests.contracts.helpers import people, signed

    with app.app_context():
        procurement, legal, manager = people()
        contract = signed(procurement, legal, manager, end_on=TODAY + timedelta(days=200))
        disposal_services.terminate_contract(contract, ended_on=TODAY - timedelta(days=3), reason="契約解除",
                                             actor=procurement, today=TODAY)
        [item] = disposal_services.items_of_contract(contract)
        vendor = contract.vendor
        vendor.owner_id = procurement.id
        contact = VendorContact(vendor=vendor, name="山田 花子", email=ADDRESS)
        requests = [
            PortalRequest(kind=kind, vendor=vendor, status="sent", due_on=TODAY - timedelta(days=20), message="",
                          contacts=[contact], subject_id=subject)
            for kind, subject in (("periodic_report", None), ("deletion_certificate", item.id))
        ]
        db.session.add_all(requests)
        db.session.flush()
        for request in requests:
            request.created_at = NOW - timedelta(days=60)
        db.session.commit()
        return {"vendor_id": vendor.id, "report_id": requests[0].id, "certificate_id": requests[1].id}


def test_a_vendor_whose_contracts_ended_is_reminded_only_of_its_deletion_certificate(app, smtp_server):
    ended = _ended_vendor(app)
    _sweep(app)
    rows = _rows(app)
    assert {row.object_id for row in rows} == {ended["certificate_id"]}
    assert {row.rule for row in rows} == {rules.CONTACT_RULE, rules.ESCALATION_RULE}
    assert {_to(message) for message in smtp_server.messages} == {ADDRESS, "procurement@example.com"}


def test_an_archived_vendor_is_no_longer_reminded(app, smtp_server, overdue_request):
    from oversight.vendors.models import ARCHIVED, Vendor

    ended = _ended_vendor(app)
    active = overdue_request(-20)
    with app.app_context():
        for vendor_id in (ended["vendor_id"], db.session.get(PortalRequest, active["request_id"]).vendor_id):
            db.session.get(Vendor, vendor_id).status = ARCHIVED
        db.session.commit()
    _sweep(app)
    assert _rows(app) == [] and smtp_server.messages == []

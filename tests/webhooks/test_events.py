"""Each event type, recorded by the real service (or daily job) in the transaction of its change; the
time-based ones once per item and stage however often the daily job runs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from oversight.audits import timed_events as audit_events
from oversight.auth.models import User
from oversight.auth.roles import MANAGER, PROCUREMENT
from oversight.contracts import timed_events as contract_events
from oversight.core.timeutil import local_today, utcnow
from oversight.disposals import services as disposal_services
from oversight.disposals import timed_events as disposal_events
from oversight.evaluations import services as evaluation_services
from oversight.events import types as event_types
from oversight.events.models import Event
from oversight.extensions import db
from oversight.incidents import timed_events as incident_events
from oversight.portal import services as portal_services
from oversight.portal.models import QUESTIONNAIRE
from oversight.subcontracts import services as subcontract_services
from tests.audits import helpers as audit_helpers
from tests.contracts.helpers import NOW, TODAY, approve_selection, cleared, people, signed, user
from tests.disposals.test_services import CERTIFICATE
from tests.evaluations import helpers as evaluation_helpers
from tests.incidents.factories import create_incident
from tests.portal.helpers import vendor_with_contact
from tests.subcontracts.helpers import Team
from tests.vendors.factories import create_vendor


def _events(kind: str | None = None) -> list[Event]:
    query = db.select(Event).order_by(Event.id)
    if kind:
        query = query.where(Event.type == kind)
    return list(db.session.scalars(query))


def test_a_vendor_light_changed_is_recorded_when_the_stored_light_changes(app_ctx):
    vendor = create_vendor()
    db.session.commit()
    assert _events() == []  # a vendor judged for the first time has no change to report
    approve_selection(vendor)
    db.session.commit()
    [changed] = _events(event_types.VENDOR_LIGHT_CHANGED)
    assert changed.payload["vendor_id"] == vendor.id
    selection = changed.payload["lights"]["selection"]
    assert selection["after"] == "green" and selection["before"] != "green"
    assert set(changed.payload["lights"]) == {"selection"}
    vendor.name = vendor.name + "（新）"  # no light changes
    db.session.commit()
    assert len(_events(event_types.VENDOR_LIGHT_CHANGED)) == 1


def test_a_rolled_back_change_leaves_no_event(app_ctx):
    procurement, legal, manager = people()
    contract = cleared(procurement, legal)
    approve_selection(contract.vendor)
    db.session.commit()
    before = len(_events())
    from oversight.contracts import services as contract_services

    contract_services.approve_contract(contract, actor=manager, note="", today=TODAY, now=NOW)
    db.session.rollback()
    assert len(_events()) == before


def test_contract_approved_and_signed(app_ctx):
    procurement, legal, manager = people()
    contract = signed(procurement, legal, manager, signed_on=date(2026, 3, 20))
    db.session.commit()
    [approved] = _events(event_types.CONTRACT_APPROVED)
    [signed_event] = _events(event_types.CONTRACT_SIGNED)
    assert approved.payload == {"contract_id": contract.id, "vendor_id": contract.vendor_id,
                                "number": contract.number, "approved_at": NOW.isoformat()}
    assert signed_event.payload["signed_on"] == "2026-03-20" and signed_event.payload["contract_id"] == contract.id
    assert approved.event_id != signed_event.event_id


def test_evaluation_decided(app_ctx):
    submitter = evaluation_helpers.user(PROCUREMENT, email="p@example.com")
    decider = evaluation_helpers.user(MANAGER, email="m@example.com")
    evaluation = evaluation_helpers.submitted(submitter)
    evaluation_services.approve(evaluation, actor=decider, note="", today=TODAY, now=NOW)
    db.session.commit()
    [decided] = _events(event_types.EVALUATION_DECIDED)
    assert decided.payload["evaluation_id"] == evaluation.id and decided.payload["decision"] == evaluation.status
    assert decided.payload["vendor_id"] == evaluation.vendor_id and decided.payload["valid_until"]


def test_consent_decided(app_ctx):
    team = Team()
    consent = team.consented(team.node())
    refused = team.reviewed(team.node())
    subcontract_services.refuse(refused, reason="安全管理措置が不十分", actor=team.manager, now=NOW)
    db.session.commit()
    decided = _events(event_types.CONSENT_DECIDED)
    assert [(item.payload["consent_id"], item.payload["decision"]) for item in decided] == [
        (consent.id, "approved"), (refused.id, "refused")
    ]
    assert decided[0].payload["contract_id"] == team.contract.id


def test_disposal_confirmed(app_ctx):
    from tests.contracts.helpers import pdf

    procurement, legal, manager = people()
    contract = signed(procurement, legal, manager, end_on=date(2027, 3, 31))
    disposal_services.close_ended_contracts(date(2027, 4, 1))
    item = disposal_services.items_of_contract(contract)[0]
    disposal_services.record_certificate(
        item, CERTIFICATE, file_storage=pdf("cert.pdf"), actor=procurement, now=NOW, today=date(2027, 4, 20)
    )
    disposal_services.confirm(item, actor=manager, note="", now=NOW)
    db.session.commit()
    [confirmed] = _events(event_types.DISPOSAL_CONFIRMED)
    assert confirmed.payload == {"disposal_id": item.id, "contract_id": contract.id, "vendor_id": item.vendor_id,
                                 "confirmed_at": NOW.isoformat()}


def test_incident_opened(app_ctx):
    actor = user(PROCUREMENT, email="p@example.com")
    incident = create_incident(actor)
    db.session.commit()
    [opened] = _events(event_types.INCIDENT_OPENED)
    assert opened.payload["incident_id"] == incident.id and opened.payload["vendor_id"] == incident.vendor_id


def test_portal_submission_received(app_ctx, smtp_server):
    vendor, contact = vendor_with_contact("株式会社Q", email="q@vendor-q.example")
    request = portal_services.create_request(
        vendor, kind=QUESTIONNAIRE, contact_ids=[contact.id], due_on=local_today() + timedelta(days=10),
        message="自己評価をお願いします。", actor=None, now=utcnow(),
    )
    answers = {"items": {item.code: {"answer": "conforming"} for item in portal_services.report_items(request)}}
    submission = portal_services.submit(request, answers, actor=portal_services.actor_for(contact, vendor), now=NOW)
    db.session.commit()
    [received] = _events(event_types.PORTAL_SUBMISSION_RECEIVED)
    assert received.payload == {"request_id": request.id, "vendor_id": vendor.id, "kind": QUESTIONNAIRE,
                                "submission": submission.number, "submitted_at": NOW.isoformat()}


def _run(job, day: date) -> int:
    count = job(today=day, now=datetime.combine(day, datetime.min.time(), tzinfo=UTC))
    db.session.commit()
    return count


def test_contract_ending_once_per_stage(app_ctx):
    procurement, legal, manager = people()
    end_on = TODAY + timedelta(days=60)  # lead times by default: 90 and 30 days
    contract = signed(procurement, legal, manager, start_on=date(2026, 4, 1), end_on=end_on)
    db.session.commit()
    assert _run(contract_events.ending_events, TODAY) == 1
    assert _run(contract_events.ending_events, TODAY) == 0  # the second sweep of the day
    assert _run(contract_events.ending_events, TODAY + timedelta(days=1)) == 0  # still lead-90
    assert _run(contract_events.ending_events, end_on - timedelta(days=30)) == 1
    assert _run(contract_events.ending_events, end_on) == 1
    stages = [(event.payload["contract_id"], event.payload["stage"]) for event in _events(event_types.CONTRACT_ENDING)]
    assert stages == [(contract.id, "lead-90"), (contract.id, "lead-30"), (contract.id, "due")]


def test_finding_overdue_once_per_stage(app_ctx):
    auditor = audit_helpers.user("auditor", email="a@example.com")
    vendor = audit_helpers.active_vendor()
    audit = audit_helpers.recording(vendor, auditor)
    finding = audit_helpers.finding(audit, auditor, due_on=date(2026, 12, 31))
    db.session.commit()
    assert _run(audit_events.overdue_events, date(2026, 12, 30)) == 0  # before its due date: no event
    assert _run(audit_events.overdue_events, date(2027, 1, 1)) == 1
    assert _run(audit_events.overdue_events, date(2027, 1, 1)) == 0
    assert _run(audit_events.overdue_events, date(2027, 1, 8)) == 1  # a repeat period later: overdue-2
    payloads = [event.payload for event in _events(event_types.FINDING_OVERDUE)]
    assert [(item["finding_id"], item["stage"], item["days_late"]) for item in payloads] == [
        (finding.id, "overdue-1", 1), (finding.id, "overdue-2", 8)
    ]


def test_disposal_overdue_once_per_stage(app_ctx):
    procurement, legal, manager = people()
    contract = signed(procurement, legal, manager, end_on=date(2027, 3, 31))
    disposal_services.close_ended_contracts(date(2027, 4, 1))
    item = disposal_services.items_of_contract(contract)[0]
    db.session.commit()
    late = item.due_on + timedelta(days=1)
    assert _run(disposal_events.overdue_events, item.due_on) == 0
    assert _run(disposal_events.overdue_events, late) == 1
    assert _run(disposal_events.overdue_events, late) == 0
    [overdue] = _events(event_types.DISPOSAL_OVERDUE)
    assert overdue.payload["disposal_id"] == item.id and overdue.payload["stage"] == "overdue-1"


def test_incident_deadline_near_once_per_report_and_stage(app, make_user):
    owner = make_user(PROCUREMENT)
    make_user(MANAGER)
    with app.app_context():
        incident = create_incident(db.session.get(User, owner.id), owner_id=owner.id)
        db.session.commit()
        assert _run(incident_events.deadline_events, date(2026, 11, 6)) == 2  # 速報 lead-1, 確報 lead-30
        assert _run(incident_events.deadline_events, date(2026, 11, 6)) == 0
        assert _run(incident_events.deadline_events, date(2026, 11, 7)) == 1  # 速報 due today
        assert _run(incident_events.deadline_events, date(2026, 11, 9)) == 0  # 速報 passed: not "near"
        near = [(event.payload["report"], event.payload["stage"]) for event in
                _events(event_types.INCIDENT_DEADLINE_NEAR)]
        assert sorted(near) == [("final", "lead-30"), ("preliminary", "due"), ("preliminary", "lead-1")]
        assert {event.payload["incident_id"] for event in _events(event_types.INCIDENT_DEADLINE_NEAR)} == {incident.id}


def test_the_daily_job_records_the_time_based_events(app, make_user):
    """The scheduler's daily run calls the duty features' event jobs (listed in oversight/features.py)."""
    from oversight.core import registry

    jobs = {job.__module__ + "." + job.__qualname__ for job in registry.of(app).daily_jobs()}
    assert {
        "oversight.contracts.timed_events.ending_events", "oversight.audits.timed_events.overdue_events",
        "oversight.disposals.timed_events.overdue_events", "oversight.incidents.timed_events.deadline_events",
    } <= jobs


@pytest.mark.parametrize("kind", event_types.SUBSCRIBABLE)
def test_every_subscribable_type_has_a_test_above(kind):
    tested = {
        event_types.VENDOR_LIGHT_CHANGED, event_types.EVALUATION_DECIDED, event_types.CONTRACT_APPROVED,
        event_types.CONTRACT_SIGNED, event_types.CONTRACT_ENDING, event_types.CONSENT_DECIDED,
        event_types.FINDING_OVERDUE, event_types.DISPOSAL_OVERDUE, event_types.DISPOSAL_CONFIRMED,
        event_types.INCIDENT_OPENED, event_types.INCIDENT_DEADLINE_NEAR, event_types.PORTAL_SUBMISSION_RECEIVED,
    }
    assert kind in tested

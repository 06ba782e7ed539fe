from datetime import date

from oversight.audits.models import PERIODIC_REPORT, Audit
from oversight.demo.checklists import seed_checklists
from oversight.demo.contracts import seed_contracts
from oversight.demo.portal import seed_portal
from oversight.demo.subcontracts import seed_subcontracts
from oversight.demo.users import seed_users
from oversight.demo.vendor_initiated import seed_vendor_initiated
from oversight.demo.vendors import seed_vendors
from oversight.extensions import db
from oversight.incidents.models import Incident
from oversight.portal.models import PortalLink, PortalRequest
from oversight.subcontracts.models import REQUESTED, SubcontractConsent


def test_demo_requests_show_every_state_of_the_periodic_report(app_ctx):
    today = date(2026, 11, 26)
    users = seed_users()
    seed_checklists()
    vendors = seed_vendors(users, today=today)
    seed_portal(users, vendors, today=today)
    db.session.commit()
    requests = db.session.scalars(db.select(PortalRequest).where(PortalRequest.kind == "periodic_report")).all()
    assert {request.status for request in requests} == {"sent", "submitted", "returned", "accepted"}
    assert len({request.vendor_id for request in requests}) == 5
    # one request three weeks overdue, for the contacts' reminders and the owner's escalation
    assert [request.due_on for request in requests if request.due_on < today] == [date(2026, 11, 5)]
    accepted = next(request for request in requests if request.status == "accepted")
    assert db.session.get(Audit, accepted.audit_id).kind == PERIODIC_REPORT
    assert db.session.scalar(db.select(db.func.count(PortalLink.id))) == 0  # no link was mailed


def test_demo_has_a_vendor_initiated_consent_request_and_incident_notice(app_ctx):
    today = date(2026, 11, 26)
    users = seed_users()
    seed_checklists()
    vendors = seed_vendors(users, today=today)
    seed_contracts(users, vendors, today=today)
    seed_subcontracts(users, vendors, today=today)
    seed_vendor_initiated(users, vendors, today=today)
    db.session.commit()
    [consent] = db.session.scalars(db.select(SubcontractConsent).where(SubcontractConsent.requested_by_label != ""))
    [incident] = db.session.scalars(db.select(Incident).where(Incident.reported_by_label != ""))
    assert consent.status == REQUESTED and consent.safety_measures and consent.requested_by_contact_id
    assert incident.is_open and incident.vendor_knew_at < incident.vendor_notified_at
    assert incident.reported_by_contact_id == consent.requested_by_contact_id


def test_demo_requests_of_the_other_kinds(app_ctx):
    from oversight.demo.audits import seed_audits
    from oversight.demo.contracts import seed_contracts
    from oversight.disposals.models import DisposalItem
    from oversight.evaluations.models import Evaluation

    today = date(2026, 11, 26)
    users = seed_users()
    seed_checklists()
    vendors = seed_vendors(users, today=today)
    seed_contracts(users, vendors, today=today)
    seed_audits(users, vendors, today=today)
    seed_portal(users, vendors, today=today)
    db.session.commit()
    requests = db.session.scalars(db.select(PortalRequest)).all()
    by_kind = {}
    for request in requests:
        by_kind.setdefault(request.kind, set()).add(request.status)
    assert by_kind["questionnaire"] == {"sent", "accepted"}
    assert by_kind["deletion_certificate"] == {"submitted"}
    assert by_kind["certification_renewal"] == {"sent", "submitted"}
    assert by_kind["corrective_plan"] == {"submitted"}
    accepted = next(request for request in requests if request.kind == "questionnaire" and request.evaluation_id)
    evaluation = db.session.get(Evaluation, accepted.evaluation_id)
    assert any(answer.vendor_answer == "partial" for answer in evaluation.answers)
    certificate = next(request for request in requests if request.kind == "deletion_certificate")
    assert db.session.get(DisposalItem, certificate.subject_id).recorded_at is None  # waits for procurement

from datetime import date

from oversight.audits.models import PERIODIC_REPORT, Audit
from oversight.demo.checklists import seed_checklists
from oversight.demo.portal import seed_portal
from oversight.demo.users import seed_users
from oversight.demo.vendors import seed_vendors
from oversight.extensions import db
from oversight.portal.models import PortalLink, PortalRequest


def test_demo_requests_show_every_state_of_the_periodic_report(app_ctx):
    today = date(2026, 11, 26)
    users = seed_users()
    seed_checklists()
    vendors = seed_vendors(users, today=today)
    seed_portal(users, vendors, today=today)
    db.session.commit()
    requests = db.session.scalars(db.select(PortalRequest)).all()
    assert {request.status for request in requests} == {"sent", "submitted", "returned", "accepted"}
    assert len({request.vendor_id for request in requests}) == 5
    # one request three weeks overdue, for the contacts' reminders and the owner's escalation
    assert [request.due_on for request in requests if request.due_on < today] == [date(2026, 11, 5)]
    accepted = next(request for request in requests if request.status == "accepted")
    assert db.session.get(Audit, accepted.audit_id).kind == PERIODIC_REPORT
    assert db.session.scalar(db.select(db.func.count(PortalLink.id))) == 0  # no link was mailed

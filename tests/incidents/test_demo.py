from datetime import date

from oversight.demo.checklists import seed_checklists
from oversight.demo.incidents import seed_incidents
from oversight.demo.users import seed_users
from oversight.demo.vendors import seed_vendors
from oversight.extensions import db
from oversight.incidents import status
from oversight.incidents.services import load_incident


def test_demo_has_one_reportable_open_incident_and_one_closed_below_threshold(app_ctx):
    today = date(2026, 11, 26)
    users = seed_users()
    seed_checklists()
    vendors = seed_vendors(users, today=today)
    incidents = seed_incidents(users, vendors, today=today)
    db.session.commit()
    open_one, closed_one = (load_incident(incident.id) for incident in incidents)
    assert open_one.is_open and status.reportability(open_one).is_reportable
    assert status.reportability(open_one).people == 240
    assert not closed_one.is_open and not status.reportability(closed_one).is_reportable
    assert [row.incident.id for row in status.open_incidents(today)] == [open_one.id]

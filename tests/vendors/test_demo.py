from datetime import date

from oversight.demo.checklists import seed_checklists
from oversight.demo.users import seed_users
from oversight.demo.vendors import seed_vendors
from oversight.evaluations.models import STATUS_LABELS as EVALUATION_STATUSES
from oversight.evaluations.models import Evaluation
from oversight.extensions import db
from oversight.status.lights import duty_lights
from oversight.vendors.corporate_number import is_valid
from oversight.vendors.models import STATUS_LABELS as VENDOR_STATUSES


def test_demo_vendors_cover_every_status_and_light(app_ctx):
    users = seed_users()
    seed_checklists()
    today = date(2026, 11, 26)
    vendors = seed_vendors(users, today=today)
    db.session.commit()
    assert len(vendors) >= 25
    assert {vendor.status for vendor in vendors} == set(VENDOR_STATUSES)
    assert all(is_valid(vendor.corporate_number) for vendor in vendors if vendor.corporate_number)
    statuses = {evaluation.status for evaluation in db.session.scalars(db.select(Evaluation))}
    assert statuses == set(EVALUATION_STATUSES)
    states = {light.state for light in duty_lights("selection", [vendor.id for vendor in vendors], today).values()}
    assert states == {"green", "amber", "red"}

from datetime import date, timedelta

import pytest

from oversight.demo.checklists import seed_checklists
from oversight.demo.users import seed_users
from oversight.demo.vendors import seed_vendors
from oversight.evaluations.lights import AMBER, GREEN, RED, light_condition, lights_for
from oversight.extensions import db
from oversight.vendors.models import Vendor

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize("offset", [0, 20, 40, 400])
def test_sql_filter_agrees_with_the_pure_function(app_ctx, offset):
    seed_checklists()
    seed_vendors(seed_users(), today=TODAY)
    db.session.commit()
    day = TODAY + timedelta(days=offset)
    ids = list(db.session.scalars(db.select(Vendor.id)))
    expected = lights_for(ids, day)
    for state in (GREEN, AMBER, RED):
        found = set(db.session.scalars(db.select(Vendor.id).where(light_condition(state, day))))
        assert found == {vendor_id for vendor_id, light in expected.items() if light.state == state}, state


def test_page_of_lights_takes_one_query(app_ctx, count_queries):
    seed_checklists()
    seed_vendors(seed_users(), today=TODAY)
    db.session.commit()
    ids = list(db.session.scalars(db.select(Vendor.id)))
    with count_queries() as counter:
        lights_for(ids, TODAY)
    assert counter.count == 1

from datetime import date, timedelta

import pytest

from oversight.core.lights import AMBER, GREEN, RED
from oversight.demo.checklists import seed_checklists
from oversight.demo.users import seed_users
from oversight.demo.vendors import seed_vendors
from oversight.extensions import db
from oversight.status.lights import duty_lights
from oversight.vendors.models import Vendor
from tests.status.filters import condition

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize("offset", [0, 20, 40, 400])
def test_filter_selects_the_vendors_shown_in_that_colour(app_ctx, offset):
    seed_checklists()
    seed_vendors(seed_users(), today=TODAY)
    db.session.commit()
    day = TODAY + timedelta(days=offset)
    ids = list(db.session.scalars(db.select(Vendor.id)))
    expected = duty_lights("selection", ids, day)
    for state in (GREEN, AMBER, RED):
        found = set(db.session.scalars(db.select(Vendor.id).where(condition("selection", state, day))))
        assert found == {vendor_id for vendor_id, light in expected.items() if light.state == state}, state


def test_page_of_lights_takes_one_statement_whatever_the_number(app_ctx, count_queries):
    seed_checklists()
    seed_vendors(seed_users(), today=TODAY)
    db.session.commit()
    ids = list(db.session.scalars(db.select(Vendor.id)))
    with count_queries() as few:
        duty_lights("selection", ids[:2], TODAY)
    with count_queries() as many:
        duty_lights("selection", ids, TODAY)
    assert few.count == many.count <= 2  # the audit settings the statement is keyed on, and the lights

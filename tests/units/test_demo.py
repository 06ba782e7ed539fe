"""The demo data shows two business units: a member of the second company sees only its vendors."""

from __future__ import annotations

from oversight.demo.units import UNIT_USERS
from oversight.demo.users import DEMO_PASSWORD
from oversight.extensions import db
from oversight.units.models import BusinessUnit, vendor_units
from oversight.vendors.models import Vendor


def test_demo_has_two_companies_and_a_member_sees_only_the_second(app, client):
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    assert "logistics-manager@example.com" in result.output
    with app.app_context():
        units = {unit.code: unit.id for unit in db.session.scalars(db.select(BusinessUnit))}
        assert {"default", "logistics", "logistics-hr"} <= set(units)
        own = set(db.session.scalars(
            db.select(vendor_units.c.vendor_id).where(vendor_units.c.unit_id == units["logistics"])
        ))
        others = set(db.session.scalars(db.select(Vendor.name).where(Vendor.id.not_in(own))))
        mine = set(db.session.scalars(db.select(Vendor.name).where(Vendor.id.in_(own))))
    assert own and others
    client.post("/auth/login", data={"email": UNIT_USERS[0][0], "password": DEMO_PASSWORD})
    page = client.get("/vendors/?status=all").get_data(as_text=True)
    assert any(name in page for name in mine)
    assert not [name for name in others if name in page]

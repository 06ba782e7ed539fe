"""A role held in a unit counts for that unit's records (and those of the units below it) only."""

from __future__ import annotations

from datetime import date

import pytest

from oversight.audits import permissions as audit_permissions
from oversight.audits.models import SUBMITTED, Audit
from oversight.auth.models import User, UserRole
from oversight.auth.roles import MANAGER, VIEWER
from oversight.contracts import permissions as contract_permissions
from oversight.contracts.models import SIGNED, Contract
from oversight.extensions import db
from oversight.incidents import permissions as incident_permissions
from oversight.incidents.models import OPEN, Incident
from oversight.units import services as unit_services
from oversight.units.models import COMPANY, DEPARTMENT, BusinessUnit


@pytest.fixture
def units(app_ctx):
    hr = unit_services.create_unit({"code": "hr", "name": "人事", "kind": COMPANY}, actor=None)
    payroll = unit_services.create_unit(
        {"code": "hr-payroll", "name": "給与", "kind": DEPARTMENT, "parent_id": hr.id}, actor=None
    )
    sales = unit_services.create_unit({"code": "sales", "name": "営業", "kind": COMPANY}, actor=None)
    db.session.flush()
    return hr.id, payroll.id, sales.id


def _person(*links: tuple[str, int | None]) -> User:
    return User(id=100, email="p@example.com", name="p", is_enabled=True,
                role_links=[UserRole(role=role, unit_id=unit_id) for role, unit_id in links])


def test_a_manager_in_one_unit_is_a_viewer_in_another(units):
    hr, payroll, sales = units
    person = _person((MANAGER, hr), (VIEWER, sales))
    signed = {"status": SIGNED, "signed_on": date(2026, 4, 1)}
    assert contract_permissions.can_terminate(person, Contract(unit_id=hr, **signed))
    assert contract_permissions.can_terminate(person, Contract(unit_id=payroll, **signed))  # below hr
    assert not contract_permissions.can_terminate(person, Contract(unit_id=sales, **signed))
    assert incident_permissions.can_manage(person, Incident(unit_id=hr, status=OPEN))
    assert not incident_permissions.can_manage(person, Incident(unit_id=sales, status=OPEN))
    assert audit_permissions.can_sign_off(person, Audit(unit_id=payroll, status=SUBMITTED))
    assert not audit_permissions.can_sign_off(person, Audit(unit_id=sales, status=SUBMITTED))


def test_a_group_wide_role_holds_in_every_unit(units):
    _hr, _payroll, sales = units
    person = _person((MANAGER, None))
    contract = Contract(unit_id=sales, status=SIGNED, signed_on=date(2026, 4, 1))
    assert contract_permissions.can_terminate(person, contract)


def test_the_scope_of_a_unit_member_covers_the_units_below(units):
    hr, payroll, sales = units
    assert unit_services.scope_for_user(_person((VIEWER, hr))).unit_ids == {hr, payroll}
    assert unit_services.scope_for_user(_person((VIEWER, sales), (MANAGER, None))).is_group_wide
    assert unit_services.scope_for_user(_person()).unit_ids == frozenset()


def test_an_administrator_is_never_given_a_unit_role(units):
    hr, _payroll, _sales = units
    user = User(email="x@example.com", name="x", password_hash="x", role_links=[])
    db.session.add(user)
    db.session.flush()
    with pytest.raises(unit_services.UnitError):
        unit_services.add_member(db.session.get(BusinessUnit, hr), user, "admin", actor=None)
    unit_services.add_member(db.session.get(BusinessUnit, hr), user, MANAGER, actor=None)
    assert [(link.role, link.unit_id) for link in user.role_links] == [(MANAGER, hr)]

"""A portal request about a unit's record belongs to that unit; one about the vendor itself to every unit of the
vendor; the vendor's contact sees all of them in the portal (docs/units.md)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from oversight.auth.models import User, UserRole
from oversight.auth.roles import PROCUREMENT
from oversight.contracts.models import SIGNED, Contract
from oversight.disposals.models import DisposalItem
from oversight.extensions import db
from oversight.portal import permissions as portal_permissions
from oversight.portal import services as portal_services
from oversight.portal.models import DELETION_CERTIFICATE, QUESTIONNAIRE, SUBMITTED, PortalRequest
from oversight.units import scope as unit_scope
from oversight.units import services as unit_services
from oversight.units.models import COMPANY
from oversight.vendors.models import VendorContact
from tests.contracts.helpers import NOW
from tests.vendors.factories import create_vendor


def _world():
    unit_a = unit_services.create_unit({"code": "ua", "name": "部門A", "kind": COMPANY}, actor=None)
    unit_b = unit_services.create_unit({"code": "ub", "name": "部門B", "kind": COMPANY}, actor=None)
    shared = create_vendor(name="共有の委託先")
    db.session.flush()
    unit_services.set_vendor_units(shared, [unit_a.id, unit_b.id], actor=None)
    contact = VendorContact(vendor_id=shared.id, name="窓口", email="contact@example.com")
    db.session.add(contact)
    contract = Contract(vendor_id=shared.id, unit_id=unit_a.id, number="A-1", title="部門Aの契約",
                        start_on=date(2025, 1, 1), end_on=date(2026, 10, 31), status=SIGNED,
                        signed_on=date(2024, 12, 20))
    db.session.add(contract)
    db.session.flush()
    item = DisposalItem(contract_id=contract.id, vendor_id=shared.id, opened_on=date(2026, 11, 1),
                        due_on=date(2026, 12, 1))
    db.session.add(item)
    db.session.flush()
    certificate = portal_services.create_request(
        shared, kind=DELETION_CERTIFICATE, contact_ids=[contact.id], due_on=date(2026, 12, 20), message="",
        actor=None, now=NOW, subject_id=item.id, notify=False,
    )
    about_vendor = PortalRequest(kind=QUESTIONNAIRE, vendor_id=shared.id, status="sent", due_on=date(2026, 12, 20))
    db.session.add(about_vendor)
    db.session.flush()
    return unit_a.id, unit_b.id, shared, certificate, about_vendor


def test_a_request_about_a_units_record_is_that_units(app_ctx):
    unit_a, unit_b, shared, certificate, about_vendor = _world()
    assert certificate.unit_id == unit_a and about_vendor.unit_id is None
    certificate_id, about_vendor_id, shared_id = certificate.id, about_vendor.id, shared.id
    db.session.commit()
    db.session.expunge_all()
    with unit_scope.activate(unit_scope.Scope(frozenset({unit_b}))):
        seen = set(db.session.scalars(select(PortalRequest.id).where(PortalRequest.vendor_id == shared_id)))
        assert seen == {about_vendor_id}
        assert db.session.get(PortalRequest, certificate_id) is None
    with unit_scope.activate(unit_scope.Scope(frozenset({unit_a}))):
        seen = set(db.session.scalars(select(PortalRequest.id).where(PortalRequest.vendor_id == shared_id)))
        assert seen == {about_vendor_id, certificate_id}
    # The contact's portal reads as the group: every request of the vendor.
    with unit_scope.whole_group():
        vendor = db.session.get(type(shared), shared_id)
        assert {found.id for found in portal_services.requests_of(vendor)} >= {certificate_id, about_vendor_id}


def test_the_reviewer_of_a_units_request_holds_the_role_in_that_unit(app_ctx):
    unit_a, unit_b, _shared, certificate, about_vendor = _world()
    certificate.status = about_vendor.status = SUBMITTED
    in_b = User(email="b@example.com", name="b", password_hash="x",
                role_links=[UserRole(role=PROCUREMENT, unit_id=unit_b)])
    in_a = User(email="a@example.com", name="a", password_hash="x",
                role_links=[UserRole(role=PROCUREMENT, unit_id=unit_a)])
    db.session.add_all([in_a, in_b])
    db.session.flush()
    assert portal_permissions.can_review(in_a, certificate)
    assert not portal_permissions.can_review(in_b, certificate)
    assert portal_permissions.reviews(in_b, about_vendor) and portal_permissions.reviews(in_a, about_vendor)

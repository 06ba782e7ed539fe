"""A portal request about a unit's record belongs to that unit; one about the vendor itself to every unit of the
vendor; the vendor's contact sees all of them in the portal (docs/units.md)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from oversight.auth.models import User, UserRole
from oversight.auth.passwords import hash_password
from oversight.auth.roles import PROCUREMENT, VIEWER
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
from tests.conftest import TEST_PASSWORD
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


def test_the_review_inbox_lists_only_what_its_reader_may_decide(app, client):
    """The dashboard's inbox of vendor submissions uses the review's predicate in SQL: procurement of unit A who
    is a viewer in unit B sees B's submissions on their pages but is not asked to review them."""
    with app.app_context():
        unit_a, unit_b, shared, certificate, about_vendor = _world()
        vendor_b = create_vendor(name="部門Bだけの委託先")
        db.session.flush()
        unit_services.set_vendor_units(vendor_b, [unit_b], actor=None)
        contract_b = Contract(vendor_id=shared.id, unit_id=unit_b, number="B-1", title="部門Bの契約",
                              start_on=date(2025, 1, 1), end_on=date(2026, 10, 31), status=SIGNED,
                              signed_on=date(2024, 12, 20))
        db.session.add(contract_b)
        db.session.flush()
        item_b = DisposalItem(contract_id=contract_b.id, vendor_id=shared.id, opened_on=date(2026, 11, 1),
                              due_on=date(2026, 12, 1))
        db.session.add(item_b)
        db.session.flush()
        contact_id = db.session.scalar(select(VendorContact.id).where(VendorContact.vendor_id == shared.id))
        certificate_b = portal_services.create_request(
            shared, kind=DELETION_CERTIFICATE, contact_ids=[contact_id], due_on=date(2026, 12, 20), message="",
            actor=None, now=NOW, subject_id=item_b.id, notify=False,
        )
        questionnaire_b = PortalRequest(kind=QUESTIONNAIRE, vendor_id=vendor_b.id, status=SUBMITTED,
                                        due_on=date(2026, 12, 20))
        db.session.add(questionnaire_b)
        certificate.status = certificate_b.status = about_vendor.status = SUBMITTED
        reader = User(email="a@example.com", name="a", password_hash=hash_password(TEST_PASSWORD),
                      role_links=[UserRole(role=PROCUREMENT, unit_id=unit_a), UserRole(role=VIEWER, unit_id=unit_b)])
        group = User(email="g@example.com", name="g", password_hash=hash_password(TEST_PASSWORD),
                     role_links=[UserRole(role=PROCUREMENT, unit_id=None)])
        db.session.add_all([reader, group])
        db.session.flush()
        requests = {certificate.id: "mine", about_vendor.id: "mine", certificate_b.id: "b", questionnaire_b.id: "b"}
        # The two forms of the predicate agree, request by request.
        for found in (certificate, about_vendor, certificate_b, questionnaire_b):
            assert portal_permissions.can_review(reader, found) == (requests[found.id] == "mine")
            assert portal_permissions.can_review(group, found)
        db.session.commit()

    def inbox(email: str) -> tuple[set[int], object]:
        reader_client = app.test_client()
        reader_client.post("/auth/login", data={"email": email, "password": TEST_PASSWORD})
        page = reader_client.get("/dashboard/work")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        return {request_id for request_id in requests if f'href="/requests/{request_id}"' in html}, reader_client

    listed, reader_client = inbox("a@example.com")
    assert listed == {request_id for request_id, whose in requests.items() if whose == "mine"}
    assert inbox("g@example.com")[0] == set(requests)
    # The reader still sees unit B's requests (a viewer there): the inbox is narrower than what they may read.
    for request_id, whose in requests.items():
        if whose == "b":
            assert reader_client.get(f"/requests/{request_id}").status_code == 200

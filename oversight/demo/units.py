"""Demo data: a second group company beside 本社, with its own vendors, people and one shared vendor."""

from __future__ import annotations

from sqlalchemy import delete, insert, select, update

from oversight.audits.models import Audit
from oversight.auth import services as auth_services
from oversight.auth.models import UserRole
from oversight.auth.roles import MANAGER, PROCUREMENT, VIEWER
from oversight.contracts.models import Contract
from oversight.demo.users import DEMO_PASSWORD
from oversight.extensions import db
from oversight.incidents.models import Incident
from oversight.units import services as unit_services
from oversight.units.models import COMPANY, DEPARTMENT, vendor_units
from oversight.vendors.models import Vendor

# Who works only in the second company: they see its vendors and records, not 本社's.
UNIT_USERS = (
    ("logistics-manager@example.com", "物流 管理者", MANAGER),
    ("logistics-procurement@example.com", "物流 調達", PROCUREMENT),
    ("logistics-viewer@example.com", "物流 閲覧者", VIEWER),
)
SECOND_UNIT = ("logistics", "オーバーサイト物流株式会社")


def seed_units(vendors: list[Vendor]) -> None:
    """Move every third demo vendor (with its contracts, audits and incidents) to a second company with a
    人事部 department below it, and let the first vendor serve both (unit-neutral entry, a contract in
    each). The caller commits."""
    unit_services.default_unit()
    company = unit_services.create_unit(
        {"code": SECOND_UNIT[0], "name": SECOND_UNIT[1], "kind": COMPANY, "parent_id": None}, actor=None
    )
    unit_services.create_unit(
        {"code": "logistics-hr", "name": "人事部", "kind": DEPARTMENT, "parent_id": company.id}, actor=None
    )
    moved = [vendor.id for index, vendor in enumerate(vendors) if index % 3 == 2]
    db.session.execute(delete(vendor_units).where(vendor_units.c.vendor_id.in_(moved)))
    db.session.execute(insert(vendor_units), [{"vendor_id": vendor_id, "unit_id": company.id} for vendor_id in moved])
    for model in (Contract, Audit, Incident):
        db.session.execute(update(model).where(model.vendor_id.in_(moved)).values(unit_id=company.id))
    shared = vendors[0]
    unit_services.add_vendor_to_unit(shared.id, company.id)
    contracts = list(db.session.scalars(select(Contract).where(Contract.vendor_id == shared.id).order_by(Contract.id)))
    if len(contracts) > 1:  # the shared vendor's last contract is the second company's, the others 本社's
        contracts[-1].unit_id = company.id
    for email, name, role in UNIT_USERS:
        user = auth_services.create_user(
            email=email, name=name, password=DEMO_PASSWORD, roles=[], language="ja", actor=None
        )
        user.role_links = [UserRole(role=role, unit_id=company.id)]
    db.session.flush()

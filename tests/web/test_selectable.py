"""Vendor and user dropdowns offer what may be chosen now, and keep what an edited record already names."""

from __future__ import annotations

import re

import pytest

from oversight.auth import services as auth_services
from oversight.auth.models import User
from oversight.extensions import db
from oversight.vendors import services as vendor_services
from oversight.vendors.models import ARCHIVED, ENDED, REJECTED, Vendor
from tests.incidents.factories import create_incident
from tests.vendors.factories import create_vendor


def _options(html: str, field: str) -> list[str]:
    select = re.search(rf'<select[^>]*id="[\w-]*-{field}"[^>]*>(.*?)</select>', html, re.S)
    assert select, field
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1))


@pytest.fixture
def register(app, make_user):
    """Vendors in every status that matters and users enabled, disabled, with and without a role."""
    with app.app_context():
        for name, status in (
            ("現役株式会社", "active"),
            ("候補株式会社", "candidate"),
            ("終了処理中株式会社", "terminating"),
            ("終了株式会社", ENDED),
            ("不採用株式会社", REJECTED),
            ("保管株式会社", ARCHIVED),
        ):
            vendor = create_vendor(name=name, name_kana="")
            vendor.status = status
        db.session.commit()
        ids = {vendor.name: vendor.id for vendor in db.session.scalars(db.select(Vendor))}
    people = {
        "manager": make_user("manager", name="在籍 管理者"),
        "former manager": make_user("manager", name="退職 管理者"),
        "auditor": make_user("auditor", name="在籍 監査"),
        "former auditor": make_user("auditor", name="退職 監査"),
        "clerk": make_user("procurement", name="在籍 調達"),
    }
    with app.app_context():
        for key in ("former manager", "former auditor"):
            db.session.get(User, people[key].id).is_enabled = False
        db.session.commit()
    return ids, people


SELECTABLE = {"現役株式会社", "候補株式会社", "終了処理中株式会社"}


def test_selectable_vendors_leave_out_ended_rejected_and_archived_but_keep_the_current_one(app, register):
    ids, _ = register
    with app.app_context():
        assert {vendor.name for vendor in vendor_services.selectable_vendors()} == SELECTABLE
        kept = vendor_services.selectable_vendors(keep=(ids["終了株式会社"], None))
        assert {vendor.name for vendor in kept} == SELECTABLE | {"終了株式会社"}


def test_selectable_users_leave_out_disabled_users_but_keep_the_current_one(app, register):
    _, people = register
    with app.app_context():
        names = {user.name for user in auth_services.selectable_users()}
        assert "退職 管理者" not in names and {"在籍 管理者", "在籍 監査", "在籍 調達"} <= names
        managers = {user.name for user in auth_services.selectable_users(role="manager")}
        assert managers == {"在籍 管理者"}
        kept = auth_services.selectable_users(role="manager", keep=(people["former manager"].id,))
        assert {user.name for user in kept} == {"在籍 管理者", "退職 管理者"}


def test_the_vendor_form_offers_enabled_users_and_keeps_a_disabled_owner_when_editing(app, client, login_as, register):
    ids, people = register
    with app.app_context():
        vendor = db.session.get(Vendor, ids["現役株式会社"])
        vendor.owner_id = people["former manager"].id
        db.session.commit()
    login_as("procurement")
    new = _options(client.get("/vendors/new").get_data(as_text=True), "owner_id")
    assert "退職 管理者" not in new and "在籍 調達" in new
    edit_page = client.get(f"/vendors/{ids['現役株式会社']}/edit").get_data(as_text=True)
    assert "退職 管理者" in _options(edit_page, "owner_id")
    assert "退職 監査" not in _options(edit_page, "manager_id")


def test_the_incident_form_hides_ended_vendors_but_keeps_the_one_an_incident_names(app, client, login_as, register):
    ids, people = register
    with app.app_context():
        actor = db.session.get(User, people["manager"].id)
        incident = create_incident(
            actor, vendor=db.session.get(Vendor, ids["終了株式会社"]), owner_id=people["former manager"].id
        )
        db.session.commit()
        incident_id = incident.id
    login_as("manager")
    new = client.get("/incidents/new").get_data(as_text=True)
    assert set(_options(new, "vendor_id")) - {"選択してください…"} == SELECTABLE
    assert "退職 管理者" not in _options(new, "owner_id")
    edit_page = client.get(f"/incidents/{incident_id}/edit").get_data(as_text=True)
    assert "終了株式会社" in _options(edit_page, "vendor_id")
    assert "不採用株式会社" not in _options(edit_page, "vendor_id")
    assert "退職 管理者" in _options(edit_page, "owner_id")


def test_the_audit_form_offers_selectable_vendors_and_enabled_auditors(app, client, login_as, register):
    login_as("auditor")
    html = client.get("/audits/new").get_data(as_text=True)
    offered = set(_options(html, "vendor_id"))
    assert offered >= SELECTABLE and not offered & {"終了株式会社", "不採用株式会社", "保管株式会社"}
    assert "在籍 監査" in html and "退職 監査" not in html


def test_the_subcontract_chain_offers_selectable_vendors_only(app, register):
    from datetime import date

    from oversight.contracts.models import Contract
    from oversight.subcontracts import services as subcontract_services

    ids, _ = register
    with app.app_context():
        contract = Contract(
            vendor_id=ids["現役株式会社"], number="K-2026-001", title="委託契約",
            start_on=date(2026, 1, 1), end_on=date(2027, 1, 1),
        )
        db.session.add(contract)
        db.session.flush()
        offered = {vendor.name for vendor in subcontract_services.candidate_vendors(contract)}
        assert offered == SELECTABLE - {"現役株式会社"}

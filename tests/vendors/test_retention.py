"""Records of supervision outlive the relationship: no cascade from vendors or contracts to oversight
records (the database refuses, RESTRICT, on SQLite and PostgreSQL alike), and archiving instead of deleting."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from oversight.activity.models import ActivityLog
from oversight.contracts.models import DISPOSED, Contract
from oversight.core import registry
from oversight.core.due import collect_due
from oversight.evaluations.models import Evaluation
from oversight.extensions import SQLITE_DEFAULT_CACHE_KIB, db
from oversight.incidents.models import Incident
from oversight.status import archive
from oversight.vendors import services
from oversight.vendors.models import ARCHIVED, ENDED, REJECTED, Vendor, VendorCertification
from tests.contracts.helpers import approve_selection, user
from tests.incidents.factories import create_contract, create_incident
from tests.vendors.factories import create_vendor

TODAY = date(2026, 11, 20)


@pytest.fixture
def manager(app_ctx):
    return user("manager", email="retention-manager@example.com")


def test_sqlite_connections_enforce_foreign_keys(app_ctx):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only: PostgreSQL always enforces foreign keys")
    assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_sqlite_connections_keep_the_configured_page_cache(app, app_ctx):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only: PostgreSQL's buffer cache is the server's")
    assert app.config["SQLITE_CACHE_KIB"] == SQLITE_DEFAULT_CACHE_KIB
    assert db.session.execute(text("PRAGMA cache_size")).scalar() == -SQLITE_DEFAULT_CACHE_KIB


@pytest.fixture
def supervised(app_ctx, manager):
    """A vendor with a contract, a selection evaluation, an incident and a certification."""
    vendor = create_vendor()
    db.session.flush()
    contract = create_contract(vendor)
    approve_selection(vendor)
    create_incident(manager, vendor=vendor, contract_id=contract.id)
    services.add_certification(
        vendor, {"kind": "pmark", "number": "P-1", "expires_on": date(2027, 3, 31)}, actor=manager
    )
    db.session.commit()
    return vendor.id, contract.id


def _counts(vendor_id: int) -> tuple[int, ...]:
    return tuple(
        db.session.scalar(db.select(db.func.count()).select_from(model).where(model.vendor_id == vendor_id))
        for model in (Contract, Evaluation, Incident, VendorCertification)
    )


def test_deleting_a_vendor_row_with_records_is_refused_by_the_database(supervised):
    vendor_id, _ = supervised
    with pytest.raises(IntegrityError):
        db.session.execute(text("DELETE FROM vendors WHERE id = :id"), {"id": vendor_id})
        db.session.flush()
    db.session.rollback()
    assert db.session.get(Vendor, vendor_id) is not None
    assert _counts(vendor_id) == (1, 1, 1, 1)


def test_deleting_a_contract_row_with_records_is_refused_by_the_database(supervised):
    vendor_id, contract_id = supervised
    with pytest.raises(IntegrityError):
        db.session.execute(text("DELETE FROM contracts WHERE id = :id"), {"id": contract_id})
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(db.select(Incident.contract_id).where(Incident.vendor_id == vendor_id)) == contract_id


def test_deleting_a_vendor_through_the_orm_takes_nothing_along(supervised):
    vendor_id, _ = supervised
    db.session.delete(db.session.get(Vendor, vendor_id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert _counts(vendor_id) == (1, 1, 1, 1)


# --- archive -------------------------------------------------------------------------------------


def _ended_vendor(manager, *, status=ENDED) -> Vendor:
    vendor = create_vendor()
    db.session.flush()
    vendor.status = status
    db.session.flush()
    return vendor


def test_an_ended_vendor_with_nothing_outstanding_is_archived_logged_and_read_only(app_ctx, manager):
    vendor = _ended_vendor(manager)
    create_contract(vendor, status=DISPOSED)
    archive.move_vendor(vendor, ARCHIVED, reason="取引終了から保存期間中", actor=manager)
    db.session.commit()
    assert vendor.status == ARCHIVED
    log = db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "vendor.status"))
    assert log.changes == {"status": [ENDED, ARCHIVED]}
    with pytest.raises(services.VendorRuleError):
        services.update_vendor(vendor, {"name": "改名"}, actor=manager)
    with pytest.raises(services.VendorRuleError):
        services.add_contact(vendor, {"name": "担当"}, actor=manager)
    assert services.allowed_moves(ARCHIVED) == []
    items = collect_due(db.session, TODAY, registry.current().reminder_rules())
    assert not [item for item in items if vendor.name in item.title]


def test_archiving_is_refused_while_something_is_outstanding(app_ctx, manager):
    vendor = _ended_vendor(manager, status=REJECTED)
    create_contract(vendor)  # still in force
    assert len(archive.outstanding(vendor)) == 1
    with pytest.raises(services.VendorRuleError):
        archive.move_vendor(vendor, ARCHIVED, reason="誤登録", actor=manager)
    assert vendor.status == REJECTED


def test_only_ended_or_not_adopted_vendors_are_archived_and_only_through_the_check(app_ctx, manager):
    vendor = create_vendor()
    db.session.flush()
    with pytest.raises(services.VendorRuleError):
        archive.move_vendor(vendor, ARCHIVED, reason="不要", actor=manager)
    vendor.status = ENDED
    with pytest.raises(services.VendorRuleError):
        services.change_status(vendor, ARCHIVED, reason="不要", actor=manager)


def test_archived_vendors_are_hidden_from_the_default_list_and_shown_by_the_filter(app, client, login_as):
    with app.app_context():
        create_vendor(name="株式会社現役")
        gone = create_vendor(name="株式会社保存のみ")
        db.session.flush()
        gone.status = ARCHIVED
        db.session.commit()
    login_as("procurement")
    page = client.get("/vendors/").get_data(as_text=True)
    assert "株式会社現役" in page and "株式会社保存のみ" not in page
    page = client.get("/vendors/?status=archived").get_data(as_text=True)
    assert "株式会社保存のみ" in page and "株式会社現役" not in page


def test_archiving_through_the_status_page(app, client, login_as):
    with app.app_context():
        vendor = create_vendor(name="株式会社終了済")
        db.session.flush()
        vendor.status = ENDED
        db.session.commit()
        vendor_id = vendor.id
    login_as("procurement")
    response = client.post(f"/vendors/{vendor_id}/status", data={"status": ARCHIVED, "reason": "保存期間中"})
    assert response.status_code == 302
    page = client.get(f"/vendors/{vendor_id}").get_data(as_text=True)
    assert 'data-testid="archived-note"' in page
    assert f"/vendors/{vendor_id}/edit" not in page

"""The read scope: one mechanism, and no open door when a scope is missing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from oversight.auth.models import User
from oversight.extensions import db
from oversight.units import scope as unit_scope
from oversight.units import services as unit_services
from oversight.units.models import COMPANY
from oversight.vendors.models import Vendor
from tests.vendors.factories import create_vendor


def test_a_read_of_unit_bound_data_without_a_scope_raises_in_testing(app_ctx):
    create_vendor()
    with unit_scope.activate(None):
        with pytest.raises(unit_scope.MissingScopeError):
            db.session.scalars(select(Vendor)).all()
        db.session.scalars(select(User)).all()  # not bound to a unit: no scope needed


def test_without_a_scope_production_reads_nothing_and_logs_the_bug(app_ctx, monkeypatch, caplog):
    create_vendor()
    monkeypatch.setattr(unit_scope._installed, "strict", lambda: False)
    with unit_scope.activate(None):
        assert db.session.scalar(select(func.count()).select_from(Vendor)) == 0
    missing = [record for record in caplog.records if record.name == "oversight.units.scope"]
    assert [record.levelname for record in missing] == ["ERROR"]
    assert "no unit scope" in missing[0].getMessage()
    caplog.clear()
    with unit_scope.activate(None):
        db.session.scalars(select(User)).all()  # not bound to a unit: nothing to report
    assert not [record for record in caplog.records if record.name == "oversight.units.scope"]
    assert db.session.scalar(select(func.count()).select_from(Vendor)) == 1  # the whole group


def test_a_unit_scope_sees_its_vendors_and_the_default_unit_holds_existing_ones(app_ctx):
    mine = create_vendor(name="自部門の委託先")
    other_unit = unit_services.create_unit({"code": "other", "name": "他社", "kind": COMPANY}, actor=None)
    theirs = create_vendor(name="他部門の委託先")
    unit_services.set_vendor_units(theirs, [other_unit.id], actor=None)
    db.session.flush()
    default = unit_services.default_unit()
    assert unit_services.unit_ids_of_vendor(mine.id) == [default.id]
    theirs_id = theirs.id
    db.session.expunge_all()  # a detail page starts from an empty session
    with unit_scope.activate(unit_scope.Scope(frozenset({default.id}))):
        names = set(db.session.scalars(select(Vendor.name)))
        assert db.session.get(Vendor, theirs_id) is None  # db.get_or_404: 404
    assert "自部門の委託先" in names and "他部門の委託先" not in names


def test_a_count_over_a_unit_bound_table_without_a_scope_raises_too(app_ctx):
    with unit_scope.activate(None), pytest.raises(unit_scope.MissingScopeError):
        db.session.scalar(select(func.count()).select_from(Vendor))
    with unit_scope.activate(None), pytest.raises(unit_scope.MissingScopeError):
        db.session.scalar(select(func.count()).select_from(select(Vendor.id).subquery()))


def test_a_whole_group_check_leaves_no_other_units_record_for_session_get(app_ctx):
    """The uniqueness check of a 法人番号 reads the whole group; the other unit's vendor it finds (which the
    refusal keeps, for its message) must not stay in the session, where ``session.get`` (``db.get_or_404``)
    would answer it without a statement, so without the reader's scope."""
    from oversight.vendors import services as vendor_services
    from tests.vendors.factories import vendor_values

    other_unit = unit_services.create_unit({"code": "other", "name": "他社", "kind": COMPANY}, actor=None)
    theirs = create_vendor(name="他部門の委託先")
    unit_services.set_vendor_units(theirs, [other_unit.id], actor=None)
    mine = create_vendor(name="自部門の委託先")
    db.session.flush()
    number, theirs_id, mine_id = theirs.corporate_number, theirs.id, mine.id
    default_id = unit_services.default_unit().id
    db.session.commit()
    db.session.expunge_all()  # a request starts from an empty session
    with unit_scope.activate(unit_scope.Scope(frozenset({default_id}))):
        mine = db.session.get(Vendor, mine_id)
        with pytest.raises(vendor_services.DuplicateCorporateNumberError) as refused:
            vendor_services.create_vendor(vendor_values(corporate_number=number), actor=None)
        db.session.rollback()  # as the registration page does, keeping the refusal for its message
        assert "他部門の委託先" in str(refused.value.message)
        assert db.session.get(Vendor, theirs_id) is None  # db.get_or_404: 404
        assert db.session.get(Vendor, mine_id) is mine  # what the reader had loaded stays
    assert db.session.get(Vendor, theirs_id) is not None  # the whole group


def test_scopes_taken_in_turn_each_see_their_own_units_vendors(app_ctx):
    """The conditions are built once per set of units and reused: a scope never sees another's vendors,
    whichever was read before it, through the ORM or through the list filters' column reads (the vendor
    filter's suggestions and its chosen vendor)."""
    from oversight.vendors import services as vendor_services

    mine = create_vendor(name="既定部門の委託先")
    other_unit = unit_services.create_unit({"code": "other2", "name": "他社2", "kind": COMPANY}, actor=None)
    theirs = create_vendor(name="他部門の委託先2")
    unit_services.set_vendor_units(theirs, [other_unit.id], actor=None)
    db.session.flush()
    ids = {"既定部門の委託先": mine.id, "他部門の委託先2": theirs.id}
    default = unit_services.default_unit()
    seen = []
    for unit_id in (default.id, other_unit.id, default.id, other_unit.id):
        db.session.expunge_all()
        with unit_scope.activate(unit_scope.Scope(frozenset({unit_id}))):
            orm = set(db.session.scalars(select(Vendor.name)))
            suggested = {row.name for row in vendor_services.suggestions("委託先")[0]}
            chosen = {name for name, vendor_id in ids.items() if vendor_services.filter_vendor(vendor_id)}
        assert orm == suggested == chosen
        seen.append(orm)
    assert seen[0] == seen[2] == {"既定部門の委託先"} and seen[1] == seen[3] == {"他部門の委託先2"}
    with unit_scope.activate(unit_scope.GROUP):
        assert {row.name for row in vendor_services.suggestions("委託先")[0]} == seen[0] | seen[1]


def test_a_vendor_or_contract_key_in_a_scope_condition_is_no_index_key_on_sqlite_only():
    """SQLite must not probe a (contract_id, vendor_id) index with every pair of a unit's contracts and its
    vendors: the scope's key is written ``+column`` there; PostgreSQL gets the plain column."""
    from sqlalchemy.dialects import postgresql, sqlite

    from oversight.scoping import unindexed, visible_vendor_ids
    from oversight.subcontracts.models import Subcontract

    condition = unindexed(Subcontract.vendor_id).in_(visible_vendor_ids((1,)))
    on_sqlite = str(condition.compile(dialect=sqlite.dialect()))
    on_postgresql = str(condition.compile(dialect=postgresql.dialect()))
    assert on_sqlite.startswith("+subcontracts.vendor_id IN (")
    assert on_postgresql.startswith("subcontracts.vendor_id IN (")


def test_a_unit_members_reads_test_vendor_and_contract_keys_unindexed_on_sqlite(app_ctx):
    """The scope's conditions on a vendor, contract or subcontract key reach SQLite as ``+key IN (…)``."""
    from sqlalchemy import event

    from oversight.subcontracts import waiting

    if db.engine.dialect.name != "sqlite":
        pytest.skip("the SQLite form of the scope's conditions")
    unit = unit_services.create_unit({"code": "plan", "name": "計画確認部", "kind": COMPANY}, actor=None)
    db.session.commit()
    seen: list[str] = []

    def remember(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        with unit_scope.activate(unit_scope.Scope(frozenset({unit.id}))):
            db.session.execute(waiting.query()).all()
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    statement = next(text for text in seen if "subcontract_consents" in text)
    assert "+vendors_1.id IN (" in statement and "+vendors_2.id IN (" in statement
    assert "+subcontract_consents.subcontract_id IN (" in statement
    assert "+subcontracts.contract_id IN (" in statement

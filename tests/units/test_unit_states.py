"""The stored per-(vendor, unit) lights (``vendor_unit_states``, ``status.store``): kept in the transaction
that changes a record and at the day boundary, checked by ``mismatches()``, and what a unit-bound reader's
filters, counts, exports, PDF and digest read, so that they agree with the rows and pages of that reader.

A vendor is shared by units A and B: A's contract is complete and in force; B's ended two months ago and
its return/deletion is overdue. A member of A, a member of B, a reader holding roles in both (two root
units: the worst of the two) and a group-wide reader each see one colour per light everywhere.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from oversight.auth.models import User, UserRole
from oversight.auth.passwords import hash_password
from oversight.auth.roles import MANAGER
from oversight.contracts.lights import IN_FORCE
from oversight.contracts.models import ENDED, SIGNED, Contract
from oversight.core.lights import SEVERITY
from oversight.core.timeutil import local_today, utcnow
from oversight.disposals.models import DisposalItem
from oversight.extensions import db
from oversight.reminders import services as reminders
from oversight.status import lights as status_lights
from oversight.status import store
from oversight.status.models import VendorUnitState
from oversight.units import scope as unit_scope
from oversight.units import services as unit_services
from oversight.units.models import COMPANY, DEPARTMENT, vendor_units
from oversight.vendors.models import Vendor
from tests.conftest import TEST_PASSWORD, UserInfo
from tests.units.test_shared_lights import _html, _light, _pdf_text

SHARED = "共有委託先ユニット"
ONLY_A = "単独委託先ユニット"
# The colours each light's list filter offers (``vendors.forms``).
FILTER_COLOURS = {"contract": ("green", "amber", "red"), "subcontract": ("green", "amber", "red", "grey"),
                  "disposal": ("green", "amber", "red")}
KEYS = ("contract", "subcontract", "disposal")


def _reader(email: str, *unit_ids: int | None) -> UserInfo:
    user = User(email=email, name=email, password_hash=hash_password(TEST_PASSWORD), is_enabled=True,
                role_links=[UserRole(role=MANAGER, unit_id=unit_id) for unit_id in unit_ids])
    db.session.add(user)
    db.session.flush()
    return UserInfo(user.id, email, TEST_PASSWORD, (MANAGER,))


def _unit_rows() -> dict[tuple[int, int], tuple[str, ...]]:
    rows = db.session.execute(select(VendorUnitState)).scalars()
    return {(row.vendor_id, row.unit_id): (row.contract, row.subcontract, row.disposal) for row in rows}


@pytest.fixture
def world(app):
    today = local_today()
    with app.app_context():
        units = {
            name: unit_services.create_unit({"code": f"s{name}", "name": f"部門{name}", "kind": COMPANY}, actor=None)
            for name in "AB"
        }
        db.session.flush()
        shared = Vendor(name=SHARED, status="active", is_entrustment=True)
        only_a = Vendor(name=ONLY_A, status="active", is_entrustment=True)
        db.session.add_all([shared, only_a])
        db.session.flush()
        db.session.execute(vendor_units.delete().where(vendor_units.c.vendor_id.in_([shared.id, only_a.id])))
        db.session.execute(vendor_units.insert(), [
            {"vendor_id": shared.id, "unit_id": units["A"].id},
            {"vendor_id": shared.id, "unit_id": units["B"].id},
            {"vendor_id": only_a.id, "unit_id": units["A"].id},
        ])
        for vendor in (shared, only_a):
            db.session.add(Contract(
                vendor_id=vendor.id, unit_id=units["A"].id, number=f"A-{vendor.id}", title="A契約",
                start_on=today - timedelta(days=30), end_on=today + timedelta(days=400), status=SIGNED,
                signed_on=today - timedelta(days=40), clause_gaps=0,
            ))
        ended = Contract(
            vendor_id=shared.id, unit_id=units["B"].id, number="B-ENDED", title="B契約",
            start_on=today - timedelta(days=400), end_on=today - timedelta(days=60), status=ENDED,
            signed_on=today - timedelta(days=410), clause_gaps=0, ended_on=today - timedelta(days=60),
        )
        db.session.add(ended)
        db.session.flush()
        db.session.add(DisposalItem(contract_id=ended.id, vendor_id=shared.id, opened_on=today - timedelta(days=60),
                                    due_on=today - timedelta(days=30)))
        readers = {
            "A": _reader("unit-a@example.com", units["A"].id),
            "B": _reader("unit-b@example.com", units["B"].id),
            "AB": _reader("unit-ab@example.com", units["A"].id, units["B"].id),
            "group": _reader("unit-group@example.com", None),
        }
        db.session.commit()
        return {"shared": shared.id, "only_a": only_a.id, "A": units["A"].id, "B": units["B"].id,
                "contract_b": ended.id, "readers": readers}


def _judged_as(unit_id: int | None, vendor_id: int) -> tuple[str, ...]:
    """The contract-bound codes of ``vendor_id`` judged afresh as the unit (or the group) reads them."""
    scope = unit_scope.GROUP if unit_id is None else unit_scope.Scope(unit_services.with_descendants({unit_id}))
    with unit_scope.activate(scope):
        row = status_lights.lights_query([vendor_id], local_today(), KEYS)
        found = db.session.execute(row).one()
    return tuple(found._mapping[f"{key}_code"] for key in KEYS)


def test_rows_exist_for_the_units_of_a_shared_vendor_only(world, app_ctx):
    rows = _unit_rows()
    assert set(rows) == {(world["shared"], world["A"]), (world["shared"], world["B"])}
    for unit in ("A", "B"):
        assert rows[(world["shared"], world[unit])] == _judged_as(world[unit], world["shared"])
    colours = {unit: status_lights.RULES["contract"].COLOURS[rows[(world["shared"], world[unit])][0]]
               for unit in "AB"}
    assert colours == {"A": "green", "B": "red"}  # A's contract in force; B's ended
    disposal = status_lights.RULES["disposal"].COLOURS
    assert disposal[rows[(world["shared"], world["B"])][2]] == "red"  # B's return/deletion is overdue
    assert disposal[rows[(world["shared"], world["A"])][2]] != "red"
    assert store.mismatches() == []


def _seen(client, vendor_id: int) -> dict[str, str]:
    page = _html(client, f"/vendors/{vendor_id}")
    row = _html(client, "/vendors/", q=SHARED)
    lights = {key: _light(page, key) for key in ("selection", *KEYS, "monitoring")}
    assert {key: _light(row, key) for key in lights} == lights
    return lights


def _signed_in(app, reader: UserInfo):
    client = app.test_client()
    assert client.post("/auth/login", data={"email": reader.email, "password": reader.password}).status_code == 302
    return client


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_each_reader_reads_one_colour_in_filters_counts_exports_pdf_and_digest(world, app, tmp_path):
    seen = {}
    for name, reader in world["readers"].items():
        client = _signed_in(app, reader)
        lights = seen[name] = _seen(client, world["shared"])
        dashboard = _html(client, "/dashboard")
        for key, parameter in (("contract", "contract"), ("subcontract", "subcontract"), ("disposal", "termination")):
            for colour in FILTER_COLOURS[key]:
                html = _html(client, "/vendors/", status="active", **{parameter: colour})
                rows = re.findall(rf'data-testid="light-{key}" data-state="(\w+)"', html)
                assert set(rows) <= {colour}, (name, key, colour, rows)
                assert (SHARED in html) == (lights[key] == colour), (name, key, colour)
                count = re.search(
                    rf'href="/vendors/\?status=active&amp;{parameter}={colour}" data-state="{colour}">(\d+)<', dashboard
                )
                if count is not None:
                    assert int(count.group(1)) == len(rows), (name, key, colour)
                export = client.get("/vendors/export", query_string={parameter: colour})
                assert export.status_code == 200
                rows_csv = csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff")))
                names = [line[1] for line in rows_csv if len(line) > 1]
                assert (SHARED in names) == (lights[key] == colour), (name, key, colour)
        for colour in ("green", "red"):
            register = client.get("/reports/register.pdf", query_string={"contract": colour})
            assert register.status_code == 200
            assert (SHARED in _pdf_text(register.data, tmp_path)) == (lights["contract"] == colour), (name, colour)
        with app.app_context():
            digest = reminders.preview_digest(db.session.get(User, reader.id), local_today(), utcnow())
        # The overdue return/deletion (B's contract) is in the digest of exactly the readers whose
        # 返却・廃棄 light of the vendor is red.
        assert (digest is not None and SHARED in digest.text) == (lights["disposal"] == "red"), name

    assert (seen["A"]["contract"], seen["B"]["contract"], seen["group"]["contract"]) == ("green", "red", "green")
    assert seen["B"]["disposal"] == seen["group"]["disposal"] == "red" != seen["A"]["disposal"]
    # Roles in both units: the worst of each unit's colour, for each light.
    for key in KEYS:
        assert seen["AB"][key] == max(seen["A"][key], seen["B"][key], key=SEVERITY.__getitem__), key
    for key in ("selection", "monitoring"):
        assert len({lights[key] for lights in seen.values()}) == 1, key


def test_rows_change_in_the_transaction_that_changes_a_record(world, app_ctx):
    shared, unit_b = world["shared"], world["B"]
    item = db.session.scalars(select(DisposalItem)).one()
    item.completed_on = local_today() - timedelta(days=1)
    item.confirmed_at = utcnow()
    db.session.flush()
    store.apply_pending(db.session)  # what the commit runs first (the session hook)
    assert _unit_rows()[(shared, unit_b)] == _judged_as(unit_b, shared)
    assert status_lights.RULES["disposal"].COLOURS[_unit_rows()[(shared, unit_b)][2]] != "red"
    db.session.commit()
    # B signs a new contract with the vendor: B's 契約 turns green in the same transaction.
    contract = Contract(
        vendor_id=shared, unit_id=unit_b, number="B-NEW", title="B新契約", start_on=local_today(),
        end_on=local_today() + timedelta(days=365), status=SIGNED, signed_on=local_today(), clause_gaps=0,
    )
    db.session.add(contract)
    db.session.commit()
    assert status_lights.RULES["contract"].COLOURS[_unit_rows()[(shared, unit_b)][0]] == "green"
    assert store.mismatches() == []


def test_a_vendor_joining_or_leaving_a_unit_gets_or_loses_its_rows(world, app_ctx):
    only_a, unit_b = world["only_a"], world["B"]
    unit_services.add_vendor_to_unit(only_a, unit_b)
    db.session.commit()
    rows = _unit_rows()
    assert (only_a, unit_b) in rows and (only_a, world["A"]) in rows
    assert rows[(only_a, unit_b)] == _judged_as(unit_b, only_a)  # B sees the vendor but none of its contracts
    db.session.execute(vendor_units.delete().where(vendor_units.c.vendor_id == only_a,
                                                   vendor_units.c.unit_id == unit_b))
    db.session.commit()
    assert {pair for pair in _unit_rows() if pair[0] == only_a} == set()


def test_a_unit_moved_under_another_rejudges_the_rows(world, app_ctx):
    parent = unit_services.create_unit({"code": "sP", "name": "親部門", "kind": COMPANY}, actor=None)
    db.session.flush()
    unit_b = db.session.get(unit_services.BusinessUnit, world["B"])
    unit_services.update_unit(unit_b, {"code": unit_b.code, "name": unit_b.name, "kind": DEPARTMENT,
                                       "parent_id": parent.id}, actor=None)
    db.session.commit()
    # P's subtree holds B's records only: its reader reads P's own row, not the vendor's.
    assert (world["shared"], parent.id) in _unit_rows()
    assert store.mismatches() == []


def test_the_day_boundary_rejudges_the_rows(world, app_ctx):
    later = local_today() + timedelta(days=401)  # A's contract has ended too
    store.refresh_all(later)
    db.session.commit()
    found = db.session.execute(select(VendorUnitState.as_of).distinct()).scalars().all()
    assert found == [later]
    row = _unit_rows()[(world["shared"], world["A"])]
    assert status_lights.RULES["contract"].COLOURS[row[0]] == "red"
    store.refresh_all(local_today())
    db.session.commit()


def test_mismatches_find_a_tampered_missing_or_extra_row(world, app_ctx):
    shared, unit_a, unit_b = world["shared"], world["A"], world["B"]
    table = VendorUnitState.__table__
    db.session.execute(update(table).where(table.c.vendor_id == shared, table.c.unit_id == unit_b)
                       .values(contract=IN_FORCE))
    found = store.mismatches()
    assert [(vendor_id, stored[:2]) for vendor_id, _day, stored, _judged in found] == [(shared, ("unit", unit_b))]
    db.session.execute(table.delete().where(table.c.unit_id == unit_a))
    db.session.execute(table.insert().values(vendor_id=world["only_a"], unit_id=unit_b, contract=IN_FORCE,
                                             subcontract="none", disposal="none", as_of=local_today(),
                                             rules=store.rules_digest()))
    assert {(vendor_id, stored[1]) for vendor_id, _day, stored, _judged in store.mismatches()} == {
        (shared, unit_b), (shared, unit_a), (world["only_a"], unit_b)}
    store.refresh([shared, world["only_a"]])
    assert store.mismatches() == []
    db.session.commit()


def test_a_stale_row_is_rejudged_before_it_is_read(world, app_ctx):
    table = VendorUnitState.__table__
    db.session.execute(update(table).values(as_of=local_today() - timedelta(days=1), contract=IN_FORCE))
    db.session.commit()
    store.ensure_current(local_today())
    assert set(db.session.execute(select(VendorUnitState.as_of)).scalars()) == {local_today()}
    assert store.mismatches() == []
    db.session.commit()


def test_a_fresh_database_is_judged_on_the_first_read(world, app_ctx):
    """After the migration (the per-unit table empty, every vendor row marked stale), the first reader
    judges every vendor again and writes the shared vendor's rows."""
    db.session.execute(text("DELETE FROM vendor_unit_states"))
    db.session.execute(text("UPDATE vendor_states SET rules = 'stale'"))
    db.session.commit()
    store.ensure_current(local_today())
    db.session.commit()
    assert set(_unit_rows()) == {(world["shared"], world["A"]), (world["shared"], world["B"])}
    assert store.mismatches() == []


def test_a_members_filter_and_counts_read_the_stored_rows(world, app_ctx):
    """The filters and counts read the rows (not a judgement on the fly): a row changed by hand shows in them
    until the next refresh re-judges it."""
    shared, unit_b = world["shared"], world["B"]
    table = VendorUnitState.__table__
    member_b = unit_scope.Scope(unit_services.with_descendants({unit_b}))

    def green_for_b() -> bool:
        with unit_scope.activate(member_b):
            found = db.session.scalars(select(Vendor.id).where(store.condition("contract", "green"))).all()
            counts = store.colour_counts(Vendor.id == shared, local_today())["contract"]
        assert (counts["green"] == 1) == (shared in found)
        return shared in found

    assert not green_for_b()
    db.session.execute(update(table).where(table.c.vendor_id == shared, table.c.unit_id == unit_b)
                       .values(contract=IN_FORCE))
    assert green_for_b()
    store.refresh([shared])
    assert not green_for_b()
    db.session.commit()

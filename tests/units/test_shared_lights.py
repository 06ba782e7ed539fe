"""A vendor shared by two units: every place a reader sees its lights tells them the same colour.

Unit A's contract with the shared vendor is complete, unit B's lacks clauses, and only unit A has audited
it. A member of A, a member of B and a group-wide reader each read the vendor page, the list row, the list
filtered by each colour of the 契約 light, the dashboard's counts, the register PDF and the API: for each reader
they agree (A's contract colour for A, B's for B, the vendor's over both for the group), and the unit-neutral lights
(選定, 把握) are the same for all three.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import timedelta

import pytest

from oversight.audits.models import SIGNED_OFF, Audit
from oversight.auth import tokens
from oversight.auth.models import User, UserRole
from oversight.auth.passwords import hash_password
from oversight.auth.roles import MANAGER
from oversight.contracts.models import SIGNED, Contract
from oversight.core.timeutil import local_today, utcnow
from oversight.extensions import db
from oversight.units import services as unit_services
from oversight.units.models import COMPANY, vendor_units
from oversight.vendors.models import Vendor
from tests.conftest import TEST_PASSWORD, UserInfo

SHARED = "共有委託先シェアード"
COLOURS = ("green", "amber", "red")


def _light(html: str, key: str) -> str:
    found = re.findall(rf'data-testid="light-{key}" data-state="(\w+)"', html)
    assert len(found) == 1, found
    return found[0]


def _html(client, url: str, **query: str) -> str:
    response = client.get(url, query_string=query)
    assert response.status_code == 200, (url, query, response.status_code)
    return response.get_data(as_text=True)


def _member(email: str, unit_id: int | None) -> UserInfo:
    user = User(email=email, name=email, password_hash=hash_password(TEST_PASSWORD), is_enabled=True,
                role_links=[UserRole(role=MANAGER, unit_id=unit_id)])
    db.session.add(user)
    db.session.flush()
    return UserInfo(user.id, email, TEST_PASSWORD, (MANAGER,))


@pytest.fixture
def world(app):
    today = local_today()
    with app.app_context():
        units = {
            name: unit_services.create_unit({"code": f"u{name}", "name": f"部門{name}", "kind": COMPANY}, actor=None)
            for name in "AB"
        }
        db.session.flush()
        shared = Vendor(name=SHARED, status="active", is_entrustment=True)
        db.session.add(shared)
        db.session.flush()
        db.session.execute(vendor_units.delete().where(vendor_units.c.vendor_id == shared.id))
        for name, unit in units.items():
            db.session.execute(vendor_units.insert().values(vendor_id=shared.id, unit_id=unit.id))
            db.session.add(Contract(
                vendor_id=shared.id, unit_id=unit.id, number=f"SH-{name}", title=f"共有契約{name}",
                start_on=today - timedelta(days=30), end_on=today + timedelta(days=400), status=SIGNED,
                signed_on=today - timedelta(days=40), clause_gaps=0 if name == "A" else 2,
            ))
        # A vendor of unit A alone, its contract lacking clauses: red for A's member and the group (its
        # stored code serves them), unseen by B's member.
        own = Vendor(name="自部門委託先", status="active", is_entrustment=True)
        db.session.add(own)
        db.session.flush()
        db.session.execute(vendor_units.delete().where(vendor_units.c.vendor_id == own.id))
        db.session.execute(vendor_units.insert().values(vendor_id=own.id, unit_id=units["A"].id))
        db.session.add(Contract(
            vendor_id=own.id, unit_id=units["A"].id, number="OWN-A", title="自部門契約",
            start_on=today - timedelta(days=30), end_on=today + timedelta(days=400), status=SIGNED,
            signed_on=today - timedelta(days=40), clause_gaps=1,
        ))
        # Only unit A has audited the vendor: 把握 is judged over the whole group whoever reads it.
        db.session.add(Audit(vendor_id=shared.id, unit_id=units["A"].id, status=SIGNED_OFF,
                             conducted_on=today - timedelta(days=12), completed_on=today - timedelta(days=10)))
        readers = {
            "A": _member("member-a@example.com", units["A"].id),
            "B": _member("member-b@example.com", units["B"].id),
            "group": _member("group@example.com", None),
        }
        db.session.commit()
        return shared.id, readers


def _pdf_text(body: bytes, tmp_path) -> str:
    path = tmp_path / "register.pdf"
    path.write_bytes(body)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_each_reader_sees_one_colour_of_a_shared_vendor_everywhere(world, app, tmp_path):
    vendor_id, readers = world
    seen: dict[str, dict[str, str]] = {}
    for name, reader in readers.items():
        client = app.test_client()
        signed_in = client.post("/auth/login", data={"email": reader.email, "password": reader.password})
        assert signed_in.status_code == 302
        page = _html(client, f"/vendors/{vendor_id}")
        row = _html(client, "/vendors/", q=SHARED)
        lights = {key: _light(page, key) for key in ("selection", "contract", "monitoring")}
        assert {key: _light(row, key) for key in lights} == lights, name
        seen[name] = lights
        contract = lights["contract"]
        with app.app_context():
            owner = db.session.get(User, reader.id)
            _record, secret = tokens.create_token(owner, name="t", scope="read", days=30, actor=owner, now=utcnow())
            db.session.commit()
        api = client.get(f"/api/v1/vendors/{vendor_id}", headers={"Authorization": f"Bearer {secret}"})
        assert api.status_code == 200
        assert {key: api.get_json()["lights"][key]["colour"] for key in lights} == lights, name

        dashboard = _html(client, "/dashboard")
        for colour in COLOURS:
            html = _html(client, "/vendors/", status="active", contract=colour)
            rows = re.findall(r'data-testid="light-contract" data-state="(\w+)"', html)
            # Every row under a colour's filter shows that colour, and the shared vendor is there iff its
            # row shows it.
            assert set(rows) <= {colour}, (name, colour, rows)
            assert (SHARED in html) == (colour == contract), (name, colour)
            assert ("自部門委託先" in html) == (colour == "red" and name != "B"), (name, colour)
            count = re.search(
                rf'href="/vendors/\?status=active&amp;contract={colour}" data-state="{colour}">(\d+)<', dashboard
            )
            assert count is not None, (name, colour)
            assert int(count.group(1)) == len(rows), (name, colour)

            register = client.get("/reports/register.pdf", query_string={"contract": colour})
            assert register.status_code == 200
            assert (SHARED in _pdf_text(register.data, tmp_path)) == (colour == contract), (name, colour)

    # Each unit sees its own contract (A's complete, B's lacking clauses); the group sees the vendor's
    # light over every contract (a complete contract in force makes it green).
    assert (seen["A"]["contract"], seen["B"]["contract"], seen["group"]["contract"]) == ("green", "red", "green")
    # 選定 and 把握 are the vendor's, whoever reads them (unit A's audit counts for unit B's member too).
    assert seen["A"]["monitoring"] == seen["B"]["monitoring"] == seen["group"]["monitoring"], seen
    assert seen["A"]["selection"] == seen["B"]["selection"] == seen["group"]["selection"]

"""Two business units with look-alike data: a user of one unit never sees a record of the other.

The generated data set (``flask demo generate --units 2``) puts every other vendor, with its contracts,
audits, findings, subcontract chains, return/deletion items and incidents, in a second unit. Each
unit's records then get a marker in their names; a vendor shared by both units (marker-free, unit-neutral)
has a contract in each, and portal requests about each unit's return/deletion item and finding. A user
holding every role in one unit walks every GET route of the url_map (with ids of their own unit's records
and of the other unit's), every list with a search for the other
marker, every export and report (CSV, Excel, PDF, the evidence pack), their calendar feed and the API:
the other unit's marker appears nowhere, and the other unit's records answer 404.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from datetime import date

import pytest
from flask import url_for
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import text
from werkzeug.routing import IntegerConverter

from oversight.auth import tokens
from oversight.auth.models import User, UserRole
from oversight.auth.passwords import hash_password
from oversight.auth.roles import ADMIN, ALL_ROLES
from oversight.contracts.models import SIGNED, Contract
from oversight.core.timeutil import utcnow
from oversight.dashboard import feed
from oversight.evidence import storage
from oversight.evidence.models import EvidenceFile
from oversight.extensions import db
from oversight.portal.models import CORRECTIVE_PLAN, DELETION_CERTIFICATE, PortalRequest
from oversight.units.models import BusinessUnit
from oversight.vendors.models import Vendor
from tests.conftest import TEST_PASSWORD, empty_all_tables

TODAY = "2026-11-26"
MARKERS = {"A": "QQUNITALPHA", "B": "QQUNITBRAVO"}
SHARED = "共有委託先ニュートラル"
# Routes a unit member is not the audience of, or that need no record: the admin pages (admins are
# group-wide), the public ones, the portal (a vendor contact's session) and the import previews.
SKIPPED_PREFIXES = ("api.", "portal.", "static", "bootstrap.", "admin.", "activity.", "checklists.")
SKIPPED = {"favicon", "auth.login", "auth.oidc_start", "auth.oidc_callback", "dashboard.root",
           "dashboard.feed_ics", "imports.preview", "imports.upload", "imports.template", "auth.logout"}
TABLES = ("vendors", "contracts", "audits", "audit_findings", "incidents", "subcontracts", "disposal_items",
          "evaluations", "vendor_contacts", "vendor_certifications", "audit_triggers", "subcontract_consents")


@dataclass
class World:
    unit_ids: dict[str, int]
    ids: dict[str, dict[str, int]]  # unit -> parameter name -> id of one of its records
    users: dict[str, tuple[int, str]]  # unit -> (user id, email)


def _first(sql: str, **params) -> int | None:
    return db.session.execute(text(sql), params).scalar()


def _stamp(unit: str, unit_id: int) -> None:
    """Put the unit's marker into the names of its records (by SQL, after the bulk generation)."""
    marker = MARKERS[unit]
    params = {"m": " " + marker, "u": unit_id}
    vendors = "SELECT vendor_id FROM vendor_units WHERE unit_id = :u"
    contracts = "SELECT id FROM contracts WHERE unit_id = :u"
    for sql in (
        f"UPDATE vendors SET name = name || :m WHERE id IN ({vendors})",
        f"UPDATE vendor_contacts SET name = name || :m WHERE vendor_id IN ({vendors})",
        "UPDATE contracts SET title = title || :m, number = number || :m WHERE unit_id = :u",
        "UPDATE audits SET scope_note = scope_note || :m, summary = summary || :m WHERE unit_id = :u",
        "UPDATE audit_findings SET description = description || :m"
        " WHERE audit_id IN (SELECT id FROM audits WHERE unit_id = :u)",
        "UPDATE incidents SET title = title || :m, description = description || :m WHERE unit_id = :u",
        f"UPDATE subcontracts SET scope_of_work = scope_of_work || :m WHERE contract_id IN ({contracts})",
        f"UPDATE audit_triggers SET reason = reason || :m WHERE vendor_id IN ({vendors})",
    ):
        db.session.execute(text(sql), params)


def _build(app, runner) -> World:
    result = runner.invoke(args=["demo", "generate", "--vendors", "16", "--units", "2", "--seed", "3",
                                 "--today", TODAY])
    assert result.exit_code == 0, result.output
    with app.app_context():
        units = list(db.session.scalars(db.select(BusinessUnit).order_by(BusinessUnit.id)))
        assert len(units) == 2
        unit_ids = {"A": units[0].id, "B": units[1].id}
        for unit, unit_id in unit_ids.items():
            _stamp(unit, unit_id)
        # A vendor both units entrust, each under its own contract: its entry is unit-neutral.
        shared = Vendor(name=SHARED, status="active", is_entrustment=True)
        db.session.add(shared)
        db.session.flush()
        db.session.execute(text("DELETE FROM vendor_units WHERE vendor_id = :v"), {"v": shared.id})
        for unit, unit_id in unit_ids.items():
            db.session.execute(text("INSERT INTO vendor_units (vendor_id, unit_id) VALUES (:v, :u)"),
                               {"v": shared.id, "u": unit_id})
            db.session.add(Contract(
                vendor_id=shared.id, unit_id=unit_id, number=f"SH-{unit}-{MARKERS[unit]}",
                title=f"共有契約 {MARKERS[unit]}", start_on=date(2026, 1, 1), end_on=date(2028, 1, 1),
                status=SIGNED, signed_on=date(2025, 12, 20),
            ))
        ids: dict[str, dict[str, int]] = {}
        users = {}
        for unit, unit_id in unit_ids.items():
            vendor = f"SELECT vendor_id FROM vendor_units WHERE unit_id = {unit_id} AND vendor_id <> {shared.id}"
            contract = f"SELECT id FROM contracts WHERE unit_id = {unit_id} AND vendor_id <> {shared.id}"
            audit = f"SELECT id FROM audits WHERE unit_id = {unit_id}"
            incident = f"SELECT id FROM incidents WHERE unit_id = {unit_id}"
            ids[unit] = {
                name: value for name, value in {
                    "vendor_id": _first(f"SELECT v.id FROM vendors v WHERE v.status = 'active' AND v.id IN ({vendor})"
                                        " ORDER BY v.id"),
                    "contract_id": _first(f"{contract} AND status = 'signed' ORDER BY id"),
                    "audit_id": _first(f"SELECT audit_id FROM audit_findings WHERE audit_id IN ({audit}) ORDER BY id"),
                    "finding_id": _first(f"SELECT id FROM audit_findings WHERE audit_id IN ({audit}) ORDER BY id"),
                    "incident_id": _first(f"{incident} ORDER BY id"),
                    "item_id": _first(f"SELECT id FROM disposal_items WHERE contract_id IN ({contract}) ORDER BY id"),
                    "node_id": _first(f"SELECT id FROM subcontracts WHERE contract_id IN ({contract}) ORDER BY id"),
                    "evaluation_id": _first(f"SELECT id FROM evaluations WHERE vendor_id IN ({vendor}) ORDER BY id"),
                    "contact_id": _first(f"SELECT id FROM vendor_contacts WHERE vendor_id IN ({vendor}) ORDER BY id"),
                    "certification_id": _first(
                        f"SELECT id FROM vendor_certifications WHERE vendor_id IN ({vendor}) ORDER BY id"
                    ),
                }.items() if value is not None
            }
            # An evidence file of the unit's contract, its bytes in the evidence store.
            content = f"証跡 {MARKERS[unit]}".encode()
            digest = hashlib.sha256(content).hexdigest()
            storage.current_store().put(digest, io.BytesIO(content), len(content))
            evidence = EvidenceFile(owner_type="contract", owner_id=ids[unit]["contract_id"], sha256=digest,
                                    original_filename=f"evidence-{unit}.txt", content_type="text/plain",
                                    size=len(content))
            db.session.add(evidence)
            db.session.flush()
            ids[unit]["file_id"] = evidence.id
            # Portal requests to the shared vendor about the unit's records: they are the unit's, not the vendor's.
            for kind, subject in ((DELETION_CERTIFICATE, "item_id"), (CORRECTIVE_PLAN, "finding_id")):
                if subject not in ids[unit]:
                    continue
                request = PortalRequest(kind=kind, vendor_id=shared.id, status="sent", due_on=date(2026, 12, 20),
                                        message=f"ご依頼 {MARKERS[unit]}", subject_id=ids[unit][subject])
                db.session.add(request)
                db.session.flush()
                ids[unit].setdefault("request_id", request.id)
            user = User(email=f"unit-{unit.lower()}@example.com", name=f"部門{unit}", password_hash="x")
            user.password_hash = hash_password(TEST_PASSWORD)
            user.role_links = [UserRole(role=role, unit_id=unit_id) for role in ALL_ROLES if role != ADMIN]
            db.session.add(user)
            db.session.flush()
            users[unit] = (user.id, user.email)
        db.session.commit()
        ids["shared"] = {"vendor_id": shared.id}
        missing = {unit: {"vendor_id", "contract_id", "audit_id", "incident_id", "node_id", "request_id"} - set(found)
                   for unit, found in ids.items() if unit != "shared"}
        assert not any(missing.values()), f"the generated data lacks records: {missing}"
    return World(unit_ids, ids, users)


def _texts(body: bytes, content_type: str) -> str:
    """The readable text of a response: HTML and CSV as is, Excel cells, PDF text, ZIP members."""
    if body.startswith(b"PK"):
        archive = zipfile.ZipFile(io.BytesIO(body))
        if any(name.startswith("xl/") for name in archive.namelist()):
            book = load_workbook(io.BytesIO(body), read_only=True)
            return "\n".join(
                str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row
                if cell is not None
            )
        return "\n".join(
            name + "\n" + _texts(archive.read(name), "") for name in archive.namelist()
        )
    if body.startswith(b"%PDF"):
        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages)
    return body.decode("utf-8", errors="replace")


def _get_routes(app) -> list:
    rules = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint in SKIPPED or rule.endpoint.startswith(SKIPPED_PREFIXES):
            continue
        rules.append(rule)
    return sorted(rules, key=lambda rule: rule.endpoint)


def _urls(app, world: World, unit: str, other: str) -> list[tuple[str, bool]]:
    """Every GET route once per unit's records (True: the other unit's), lists also searched for the
    other unit's marker (lower-cased: the search box shows it back), exports also as Excel."""
    marker = MARKERS[other]
    urls: list[tuple[str, bool]] = []  # (url, names the other unit's record)
    with app.test_request_context():
        for rule in _get_routes(app):
            names = [name for name in rule.arguments if name not in (rule.defaults or {})]
            if not names:
                urls.append((url_for(rule.endpoint), False))
                urls.append((url_for(rule.endpoint, q=marker.lower(), page=1), False))
                if rule.endpoint.endswith(("export", "export_records", "export_findings")):
                    urls.append((url_for(rule.endpoint, format="xlsx"), False))
                continue
            for whose in (unit, other, "shared"):
                values = {}
                for name in names:
                    if isinstance(rule._converters.get(name), IntegerConverter):
                        values[name] = world.ids[whose].get(name)
                    else:
                        values[name] = "R1" if name == "code" else "x"
                if all(value is not None for value in values.values()):
                    urls.append((url_for(rule.endpoint, **values), whose == other))
    return urls


@pytest.fixture
def world(app, monkeypatch):
    monkeypatch.setattr("oversight.core.timeutil.local_today", lambda: date.fromisoformat(TODAY))
    built = _build(app, app.test_cli_runner())
    yield built
    with app.app_context():
        empty_all_tables()
        db.session.remove()


@pytest.mark.parametrize("unit", ["A", "B"])
def test_a_unit_member_never_sees_the_other_units_records(app, client, world, unit):
    other = "B" if unit == "A" else "A"
    marker, own_marker = MARKERS[other], MARKERS[unit]
    user_id, email = world.users[unit]
    response = client.post("/auth/login", data={"email": email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    leaks, not_hidden, own_broken = [], [], []
    seen_own = 0

    def check(url: str, *, headers: dict | None = None) -> int:
        nonlocal seen_own
        response = client.get(url, headers=headers or {})
        body = _texts(response.get_data(), response.content_type or "")
        if marker in body:
            leaks.append(f"{url} ({response.status_code})")
        if own_marker in body:
            seen_own += 1
        if response.status_code >= 500:
            own_broken.append(f"{url} ({response.status_code})")
        return response.status_code

    for url, foreign in _urls(app, world, unit, other):
        status = check(url)
        if foreign and status == 200:
            not_hidden.append(url)

    # The calendar feed and the API, as this user.
    with app.app_context():
        owner = db.session.get(User, user_id)
        secret = feed.create_token(owner, actor=owner, now=utcnow())
        _record, api_secret = tokens.create_token(owner, name="t", scope="read", days=30, actor=owner, now=utcnow())
        db.session.commit()
    check(f"/calendar/{secret}.ics")
    headers = {"Authorization": f"Bearer {api_secret}"}
    for path in ("vendors", "contracts", "audits", "findings", "evaluations", "subcontracts", "disposals",
                 "incidents"):
        check(f"/api/v1/{path}?limit=200", headers=headers)
        check(f"/api/v1/{path}?limit=200&q={marker.lower()}", headers=headers)
    for name, path in (("vendor_id", "vendors"), ("contract_id", "contracts"), ("audit_id", "audits"),
                       ("incident_id", "incidents"), ("finding_id", "findings")):
        if name in world.ids[other]:
            status = check(f"/api/v1/{path}/{world.ids[other][name]}", headers=headers)
            if status == 200:
                not_hidden.append(f"/api/v1/{path}/{world.ids[other][name]}")

    assert leaks == [], f"unit {other}'s records shown to a unit {unit} member: {leaks}"
    assert not_hidden == [], "the other unit's records must answer 404"
    assert own_broken == []
    assert seen_own > 20, "the walk reached the user's own records"


def _text_of(message) -> str:
    parts = [part.get_content() for part in message.walk() if part.get_content_type() in ("text/plain", "text/html")]
    return str(message["Subject"]) + "\n" + "\n".join(parts)


def test_reminder_digests_hold_only_the_readers_unit(app, world, smtp_server):
    """The sweep, sent to a real SMTP server: each unit member's digest names records of their unit only,
    and the group-wide reader's digest names both."""
    result = app.test_cli_runner().invoke(args=["reminders", "send", "--today", TODAY])
    assert result.exit_code == 0, result.output
    by_address: dict[str, str] = {}
    for message in smtp_server.messages:
        address = message["To"].addresses[0].addr_spec
        by_address[address] = by_address.get(address, "") + _text_of(message)
    for unit, other in (("A", "B"), ("B", "A")):
        _user_id, email = world.users[unit]
        digest = by_address.get(email, "")
        assert MARKERS[unit] in digest, f"unit {unit}'s member got a digest of their own records"
        assert MARKERS[other] not in digest, f"unit {unit}'s member was reminded of unit {other}'s records"
    group_wide = next(text for address, text in by_address.items() if address.startswith("bench@"))
    assert MARKERS["A"] in group_wide and MARKERS["B"] in group_wide

"""The business-unit field of the audit-planning and incident pages (docs/units.md).

The choices are the vendor's units where the user may act (all the vendor's units for a group-wide role), the
first preselected; a unit the vendor is not in, or where the user holds no such role, is refused next to the
field; an incident under a contract follows the contract's unit. The activity log records the unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pytest

from oversight.activity.models import ActivityLog
from oversight.audits.models import Audit
from oversight.auth.models import User, UserRole
from oversight.auth.passwords import hash_password
from oversight.auth.roles import AUDITOR, MANAGER, VIEWER
from oversight.contracts.models import SIGNED, Contract
from oversight.extensions import db
from oversight.incidents import services as incident_services
from oversight.incidents.models import Incident
from oversight.units import services as unit_services
from oversight.units.models import COMPANY
from tests.conftest import TEST_PASSWORD
from tests.incidents.test_views import form_data
from tests.vendors.factories import create_vendor


@dataclass
class World:
    unit_a: int
    unit_b: int
    unit_c: int  # the vendor is not in it
    vendor: int  # in units A and B
    contract_b: int  # the vendor's contract of unit B


def _person(email: str, *links: tuple[str, int | None]) -> None:
    db.session.add(User(email=email, name=email.split("@")[0], password_hash=hash_password(TEST_PASSWORD),
                        role_links=[UserRole(role=role, unit_id=unit_id) for role, unit_id in links]))


@pytest.fixture
def world(app) -> World:
    with app.app_context():
        units = [unit_services.create_unit({"code": code, "name": name, "kind": COMPANY}, actor=None)
                 for code, name in (("ua", "部門A"), ("ub", "部門B"), ("uc", "部門C"))]
        vendor = create_vendor(name="二部門の委託先")
        db.session.flush()
        unit_services.set_vendor_units(vendor, [units[0].id, units[1].id], actor=None)
        contract = Contract(vendor_id=vendor.id, unit_id=units[1].id, number="B-1", title="部門Bの契約",
                            start_on=date(2026, 1, 1), end_on=date(2027, 12, 31), status=SIGNED,
                            signed_on=date(2025, 12, 20))
        db.session.add(contract)
        # An auditor and manager of unit A, who only reads unit B; one for the whole group.
        _person("a@example.com", (AUDITOR, units[0].id), (MANAGER, units[0].id), (VIEWER, units[1].id))
        _person("group@example.com", (AUDITOR, None), (MANAGER, None))
        db.session.commit()
        return World(units[0].id, units[1].id, units[2].id, vendor.id, contract.id)


def _sign_in(client, email: str) -> int:
    assert client.post("/auth/login", data={"email": email, "password": TEST_PASSWORD}).status_code == 302
    with client.application.app_context():
        return db.session.scalar(db.select(User.id).where(User.email == email))


def _options(html: str, name: str) -> dict[str, bool]:
    """The options of select ``name``: value -> selected."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return {
        re.search(r'value="([^"]*)"', tag).group(1): " selected" in tag for tag in re.findall(r"<option[^>]*>", select)
    }


def _plan(user_id: int, vendor: int, **overrides) -> dict:
    return {"vendor_id": str(vendor), "kind": "remote", "planned_on": "2026-12-01", "auditor_ids": [str(user_id)],
            **overrides}


def test_the_audit_form_offers_the_vendors_units_where_the_user_plans_audits(app, client, world):
    user_id = _sign_in(client, "a@example.com")
    page = client.get(f"/audits/new?vendor_id={world.vendor}").get_data(as_text=True)
    assert re.search(r'<label[^>]*for="[a-z-]*unit_id"[^>]*>\s*部門', page)
    assert _options(page, "unit_id") == {"": False, str(world.unit_a): True}  # not B: a viewer there
    refused = client.post("/audits/new", data=_plan(user_id, world.vendor, unit_id=str(world.unit_b)))
    html = refused.get_data(as_text=True)
    assert 'unit_id-error"' in html and "選んだ部門では、この操作を行う権限がありません。" in html
    foreign = client.post("/audits/new", data=_plan(user_id, world.vendor, unit_id=str(world.unit_c)))
    assert "この委託先は選んだ部門に属していません。" in foreign.get_data(as_text=True)
    assert client.post("/audits/new", data=_plan(user_id, world.vendor, unit_id="")).status_code == 302
    with app.app_context():
        audit = db.session.scalar(db.select(Audit))
        assert audit.unit_id == world.unit_a  # blank: the vendor's first unit where the user plans audits
        logged = db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "audit.plan"))
        assert logged.changes["unit_id"] == [None, world.unit_a]


def test_a_group_wide_auditor_chooses_among_all_the_vendors_units(app, client, world):
    user_id = _sign_in(client, "group@example.com")
    page = client.get(f"/audits/new?vendor_id={world.vendor}").get_data(as_text=True)
    assert _options(page, "unit_id") == {"": False, str(world.unit_a): True, str(world.unit_b): False}
    client.post("/audits/new", data=_plan(user_id, world.vendor, unit_id=str(world.unit_b)))
    with app.app_context():
        assert db.session.scalar(db.select(Audit.unit_id)) == world.unit_b


def test_an_incident_under_a_contract_follows_the_contracts_unit(app, client, world):
    _sign_in(client, "group@example.com")
    page = client.get(f"/incidents/new?vendor_id={world.vendor}").get_data(as_text=True)
    assert _options(page, "unit_id") == {"": False, str(world.unit_a): False, str(world.unit_b): False}  # blank
    data = form_data(world.vendor, contract_id=str(world.contract_b), unit_id=str(world.unit_a))
    refused = client.post("/incidents/new", data=data)
    assert refused.status_code == 400
    assert "契約に関する事案は契約の部門に属します。" in refused.get_data(as_text=True)
    assert client.post("/incidents/new", data={**data, "unit_id": ""}).status_code == 302
    assert client.post("/incidents/new", data=form_data(world.vendor, unit_id=str(world.unit_a))).status_code == 302
    with app.app_context():
        assert list(db.session.scalars(db.select(Incident.unit_id).order_by(Incident.id))) == [
            world.unit_b, world.unit_a]
        created = db.select(ActivityLog).where(ActivityLog.action == "incident.create").order_by(ActivityLog.id)
        logged = db.session.scalars(created).all()
        assert [entry.changes["unit_id"][1] for entry in logged] == [world.unit_b, world.unit_a]


def test_a_unit_member_records_incidents_only_in_their_units(app, client, world):
    _sign_in(client, "a@example.com")
    refused = client.post("/incidents/new", data=form_data(world.vendor, contract_id=str(world.contract_b)))
    assert refused.status_code == 400
    assert "契約の部門では、この操作を行う権限がありません。" in refused.get_data(as_text=True)
    assert client.post("/incidents/new", data=form_data(world.vendor)).status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(Incident.unit_id)) == world.unit_a


def _incident(app, world: World, unit_id: int) -> tuple[int, int]:
    """An incident of the world's vendor in ``unit_id``, under no contract: its id and version."""
    with app.app_context():
        incident = incident_services.create_incident(
            {"vendor_id": world.vendor, "title": "誤送信", "kind": "leak", "unit_id": unit_id, "categories": []},
            actor=None)
        db.session.commit()
        return incident.id, incident.version


def _unit_of(app, incident_id: int) -> int:
    with app.app_context():
        return db.session.get(Incident, incident_id).unit_id


def test_editing_moves_an_incident_to_another_unit_with_the_role_in_both(app, client, world):
    """The edit form offers the vendor's units where the user records incidents (the incident's own unit
    chosen); moving needs the role in both units, a contract's incident follows the contract; logged."""
    incident_id, version = _incident(app, world, world.unit_a)
    _sign_in(client, "a@example.com")  # records incidents in A, a viewer in B
    page = client.get(f"/incidents/{incident_id}/edit").get_data(as_text=True)
    assert _options(page, "unit_id") == {"": False, str(world.unit_a): True}
    assert "事案を別の部門に移すには、両方の部門で権限が必要です。" in page  # the field's help says so
    edit = f"/incidents/{incident_id}/edit"
    refused = client.post(edit, data=form_data(world.vendor, unit_id=str(world.unit_b), version=str(version)))
    assert refused.status_code == 400
    assert "選んだ部門では、この操作を行う権限がありません。" in refused.get_data(as_text=True)
    refused = client.post(edit, data=form_data(world.vendor, contract_id=str(world.contract_b),
                                               unit_id=str(world.unit_a), version=str(version)))
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert 'unit_id-error"' in html and "事案を別の部門に移すには、両方の部門で権限が必要です。" in html
    assert _unit_of(app, incident_id) == world.unit_a
    # Keeping the unit (blank or the same one) is an ordinary edit.
    kept = client.post(edit, data=form_data(world.vendor, unit_id="", version=str(version), title="誤送信（続報）"))
    assert kept.status_code == 302 and _unit_of(app, incident_id) == world.unit_a

    group = app.test_client()
    _sign_in(group, "group@example.com")
    with app.app_context():
        version = db.session.get(Incident, incident_id).version
    page = group.get(edit).get_data(as_text=True)
    assert _options(page, "unit_id") == {"": False, str(world.unit_a): True, str(world.unit_b): False}
    foreign = group.post(edit, data=form_data(world.vendor, unit_id=str(world.unit_c), version=str(version)))
    assert "この委託先は選んだ部門に属していません。" in foreign.get_data(as_text=True)
    moved = group.post(edit, data=form_data(world.vendor, unit_id=str(world.unit_b), version=str(version)))
    assert moved.status_code == 302 and _unit_of(app, incident_id) == world.unit_b
    with app.app_context():
        logged = db.session.scalars(db.select(ActivityLog).where(ActivityLog.action == "incident.update")
                                    .order_by(ActivityLog.id)).all()
        assert logged[-1].changes["unit_id"] == [world.unit_a, world.unit_b]
        version = db.session.get(Incident, incident_id).version

    # Now in B, where a@ is a viewer: they may not change it at all (the service refuses a direct POST).
    refused = client.post(edit, data=form_data(world.vendor, unit_id="", version=str(version), title="書き換え"))
    assert refused.status_code == 400
    assert "この事案の部門で事案を記録する人だけが変更できます。" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Incident, incident_id).title == "委託先での誤送信"  # the group's edit, not a@'s


def test_changing_an_incidents_contract_moves_it_to_the_contracts_unit(app, client, world):
    incident_id, version = _incident(app, world, world.unit_a)
    _sign_in(client, "group@example.com")
    page = client.get(f"/incidents/{incident_id}/edit").get_data(as_text=True)
    assert _options(page, "unit_id")[str(world.unit_a)] is True
    response = client.post(f"/incidents/{incident_id}/edit", data=form_data(
        world.vendor, contract_id=str(world.contract_b), unit_id="", version=str(version)))
    assert response.status_code == 302
    assert _unit_of(app, incident_id) == world.unit_b
    page = client.get(f"/incidents/{incident_id}/edit").get_data(as_text=True)
    assert _options(page, "unit_id")[""] is True  # under a contract: blank, the contract's unit


def test_the_audit_edit_page_says_its_unit_is_fixed(app, client, world):
    user_id = _sign_in(client, "group@example.com")
    client.post("/audits/new", data=_plan(user_id, world.vendor, unit_id=str(world.unit_b)))
    with app.app_context():
        audit_id = db.session.scalar(db.select(Audit.id))
    page = client.get(f"/audits/{audit_id}/edit").get_data(as_text=True)
    assert 'name="unit_id"' not in page
    shown = re.search(r'data-testid="audit-unit">(.*?)</div>\s*</div>', page, re.S).group(1)
    assert "部門B" in shown and "計画した後は変更できません" in shown


def test_the_vendor_page_names_only_the_units_its_reader_may_see(app, client, world):
    """The vendor's units in the reader's scope by name; others only as a neutral note (no names, no count)."""
    with app.app_context():
        _person("only-a@example.com", (AUDITOR, world.unit_a))
        db.session.commit()
    _sign_in(client, "only-a@example.com")
    page = client.get(f"/vendors/{world.vendor}").get_data(as_text=True)
    shown = re.search(r'data-testid="vendor-units">(.*?)</dd>', page, re.S).group(1)
    assert "部門A" in shown and "閲覧範囲外の部門にも属しています。" in shown
    assert "部門B" not in page and "部門C" not in page
    group = app.test_client()
    _sign_in(group, "group@example.com")
    page = group.get(f"/vendors/{world.vendor}").get_data(as_text=True)
    shown = re.search(r'data-testid="vendor-units">(.*?)</dd>', page, re.S).group(1)
    assert "部門A" in shown and "部門B" in shown and "部門C" not in shown
    assert "閲覧範囲外" not in shown


def test_a_unit_member_records_and_settles_steps_only_of_their_units_incidents(app, client, world):
    """a@ records incidents and manages in A but only reads B: a direct POST to record, waive or reopen a step of
    B's incident is refused with the rule's message, and nothing is written; the step page offers no waiver."""
    from oversight.incidents.models import IncidentStep

    incident_id, _version = _incident(app, world, world.unit_b)
    _sign_in(client, "a@example.com")
    base = f"/incidents/{incident_id}/steps"

    def step(code: str) -> IncidentStep:
        with app.app_context():
            return db.session.scalar(db.select(IncidentStep).filter_by(incident_id=incident_id, code=code))

    page = client.get(f"{base}/investigation").get_data(as_text=True)
    assert f'action="{base}/investigation/waive"' not in page
    done = client.post(f"{base}/investigation", data={"version": "1", "done_on": "2026-11-05", "note": "調査メモ",
                                                      "action": "done"})
    assert done.status_code == 400
    html = done.get_data(as_text=True)
    assert "この事案の部門で事案を記録する人だけが対応を記録できます。" in html and "調査メモ" in html  # input kept
    saved = client.post(f"{base}/investigation", data={"version": "1", "note": "下書き", "action": "save"})
    assert saved.status_code == 400
    waived = client.post(f"{base}/publication/waive", data={"version": "1", "waiver_reason": "公表しない"})
    assert waived.status_code == 400
    assert "この事案の部門の管理責任者だけが対応を省略・再開できます。" in waived.get_data(as_text=True)
    assert (step("investigation").status, step("investigation").note) == ("open", "")
    assert step("publication").status == "open"

    group = app.test_client()
    _sign_in(group, "group@example.com")
    waiver = {"version": "1", "waiver_reason": "公表しない"}
    assert group.post(f"{base}/publication/waive", data=waiver).status_code == 302
    version = step("publication").version
    reopened = client.post(f"{base}/publication/reopen", data={"version": str(version)})
    assert step("publication").status == "waived"  # a@'s reopen refused
    assert reopened.status_code in (302, 400)
    with app.app_context():
        actions = db.session.scalars(db.select(ActivityLog.action).where(ActivityLog.action.like("incident.step%")))
        assert list(actions) == ["incident.step_waive"]  # the group manager's only

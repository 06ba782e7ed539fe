"""Decisions on subcontract consents and selection evaluations count the roles held for the record's unit.

A consent belongs to its contract's unit; an evaluation to its vendor, hence to each of the vendor's units
(docs/units.md). The manager of unit A who is a viewer in unit B sees B's consent but may not decide it: the
page offers no decision and refuses one, the service and the API refuse, the work list does not list it and
the approval-wait reminder does not go to them. A manager of B and a group-wide manager may.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from oversight.auth import tokens
from oversight.auth.models import User, UserRole
from oversight.auth.passwords import hash_password
from oversight.auth.roles import LEGAL, MANAGER, PROCUREMENT, VIEWER
from oversight.core.timeutil import utcnow
from oversight.evaluations import permissions as evaluation_permissions
from oversight.evaluations import services as evaluation_services
from oversight.evaluations.models import Evaluation
from oversight.extensions import db
from oversight.reminders.approval_rules import approval_waiting
from oversight.status.waiting import first_waiting_for, waiting_items
from oversight.subcontracts import permissions as consent_permissions
from oversight.subcontracts import services as subcontract_services
from oversight.subcontracts.models import Subcontract, SubcontractConsent
from oversight.units import scope as unit_scope
from oversight.units import services as unit_services
from oversight.units.models import COMPANY, DEPARTMENT
from tests.conftest import TEST_PASSWORD
from tests.evaluations import helpers as evaluation_helpers
from tests.subcontracts.helpers import NOW, TODAY, Team
from tests.vendors.factories import create_vendor

LATER = date(2026, 12, 14)  # the queued items have waited long enough to be reminded


@dataclass
class World:
    unit_a: int
    unit_b: int
    consent: int  # reviewed, of unit B's contract: waits for a manager
    requested: int  # of unit B's contract: waits for legal
    node: int
    evaluation: int  # submitted, of a vendor in unit B only
    shared_evaluation: int  # submitted, of a vendor in both units
    people: dict[str, int]
    contract: int = 0  # unit B's (a department below B) signed contract
    free_node: int = 0  # of that contract, no consent asked yet
    free_vendor: int = 0  # in no chain yet


def _person(email: str, *links: tuple[str, int | None]) -> User:
    user = User(email=email, name=email.split("@")[0], password_hash=hash_password(TEST_PASSWORD),
                role_links=[UserRole(role=role, unit_id=unit_id) for role, unit_id in links])
    db.session.add(user)
    return user


def _build() -> World:
    unit_a = unit_services.create_unit({"code": "ua", "name": "部門A", "kind": COMPANY}, actor=None)
    unit_b = unit_services.create_unit({"code": "ub", "name": "部門B", "kind": COMPANY}, actor=None)
    below_b = unit_services.create_unit(
        {"code": "ub-1", "name": "部門B1", "kind": DEPARTMENT, "parent_id": unit_b.id}, actor=None
    )
    db.session.flush()
    team = Team()  # group-wide procurement, legal, manager and manager2
    team.contract.unit_id = below_b.id  # a manager of B holds the role in the departments below it
    unit_services.set_vendor_units(team.contractor, [below_b.id], actor=None)
    consent = team.reviewed(team.node())
    requested = team.request(team.node())
    free_node = team.node()
    free_vendor = create_vendor(name="株式会社未登録の再委託先")
    vendor_b, shared = create_vendor(), create_vendor()
    db.session.flush()
    unit_services.set_vendor_units(free_vendor, [unit_b.id], actor=None)
    db.session.flush()
    unit_services.set_vendor_units(vendor_b, [unit_b.id], actor=None)
    unit_services.set_vendor_units(shared, [unit_a.id, unit_b.id], actor=None)
    submitter = evaluation_helpers.user("procurement", email="submitter@example.com")
    evaluation = evaluation_helpers.submitted(submitter, vendor=vendor_b)
    shared_evaluation = evaluation_helpers.submitted(submitter, vendor=shared)
    people = {
        "manager_a": _person("manager-a@example.com", (MANAGER, unit_a.id), (VIEWER, unit_b.id)),
        "legal_a": _person("legal-a@example.com", (LEGAL, unit_a.id), (VIEWER, unit_b.id)),
        "manager_b": _person("manager-b@example.com", (MANAGER, unit_b.id)),
        "legal_b": _person("legal-b@example.com", (LEGAL, unit_b.id)),
        "group_manager": _person("group-manager@example.com", (MANAGER, None)),
        "procurement_a": _person("procurement-a@example.com", (PROCUREMENT, unit_a.id), (VIEWER, unit_b.id)),
        "procurement_b": _person("procurement-b@example.com", (PROCUREMENT, unit_b.id)),
    }
    db.session.flush()
    ids = {name: user.id for name, user in people.items()}
    db.session.commit()
    return World(unit_a.id, unit_b.id, consent.id, requested.id, consent.subcontract_id, evaluation.id,
                 shared_evaluation.id, ids, team.contract.id, free_node.id, free_vendor.id)


@pytest.fixture
def world(app) -> World:
    with app.app_context():
        built = _build()
        db.session.remove()
        return built


def _user(world: World, name: str) -> User:
    return db.session.get(User, world.people[name])


def test_a_consent_is_decided_in_its_contracts_unit(app, world):
    with app.app_context():
        consent = db.session.get(SubcontractConsent, world.consent)
        requested = db.session.get(SubcontractConsent, world.requested)
        manager_a, legal_a = _user(world, "manager_a"), _user(world, "legal_a")
        assert not consent_permissions.can_decide(manager_a, consent)
        assert consent_permissions.decide_refusal(manager_a, consent) is not None
        assert not consent_permissions.can_review(legal_a, requested)
        assert consent_permissions.can_review(_user(world, "legal_b"), requested)  # B's legal, below B
        assert consent_permissions.can_decide(_user(world, "manager_b"), consent)
        assert consent_permissions.can_decide(_user(world, "group_manager"), consent)
        with pytest.raises(subcontract_services.SubcontractRuleError):
            subcontract_services.refuse(consent, reason="評価不足", actor=manager_a, now=NOW)
        with pytest.raises(subcontract_services.SubcontractRuleError):
            subcontract_services.review(requested, recommendation="approve", note="", actor=legal_a, now=NOW)
        subcontract_services.approve(consent, conditions="", expires_on=date(2027, 6, 1),
                                     actor=_user(world, "manager_b"), today=TODAY, now=NOW)
        assert not consent_permissions.can_revoke(manager_a, consent)
        assert consent_permissions.can_revoke(_user(world, "group_manager"), consent)
        with pytest.raises(subcontract_services.SubcontractRuleError):
            subcontract_services.revoke(consent, reason="事故", actor=manager_a, now=NOW)


def test_an_evaluation_is_decided_in_one_of_its_vendors_units(app, world):
    with app.app_context():
        evaluation = db.session.get(Evaluation, world.evaluation)
        shared = db.session.get(Evaluation, world.shared_evaluation)
        manager_a = _user(world, "manager_a")
        assert not evaluation_permissions.can_decide(manager_a, evaluation)
        assert evaluation_permissions.can_decide(manager_a, shared)  # the vendor is in unit A too
        assert evaluation_permissions.can_decide(_user(world, "manager_b"), evaluation)
        assert evaluation_permissions.can_decide(_user(world, "group_manager"), evaluation)
        with pytest.raises(evaluation_services.EvaluationRuleError):
            evaluation_services.return_evaluation(evaluation, actor=manager_a, note="証跡が不足")


def _keys(items) -> set[tuple[str, int]]:
    return {(item.kind, item.object_id) for item in items}


def test_the_work_list_and_the_reminders_follow_the_records_unit(app, world):
    with app.app_context():
        every = list(waiting_items(db.session))
        names = ("manager_a", "legal_a", "manager_b", "legal_b", "group_manager")
        for name in names:  # the work list (SQL) gives what the predicates (Python) allow
            user = _user(world, name)
            allowed = {(item.kind, item.object_id) for item in every if item.role in user.roles and item.may_act(user)}
            items, total = first_waiting_for(user, db.session, None, {})
            assert _keys(items) == allowed, name
            assert total == len(allowed), name
        offered = {name: _keys(first_waiting_for(_user(world, name), db.session, None, {})[0]) for name in names}
        decision, review = ("consent_decision", world.consent), ("consent_review", world.requested)
        own, shared = ("evaluation_approval", world.evaluation), ("evaluation_approval", world.shared_evaluation)
        assert decision not in offered["manager_a"] and own not in offered["manager_a"]
        assert shared in offered["manager_a"]
        assert review not in offered["legal_a"]
        assert {decision, own, shared} <= offered["manager_b"] and review in offered["legal_b"]
        assert {decision, own, shared} <= offered["group_manager"]

        reminded = {(item.object_type, item.object_id): item.recipients for item in approval_waiting(db.session, LATER)}
        consent_to = reminded[("subcontract_consent", world.consent)]
        assert world.people["manager_a"] not in consent_to
        assert {world.people["manager_b"], world.people["group_manager"]} <= consent_to
        assert world.people["legal_a"] not in reminded[("subcontract_consent", world.requested)]
        assert world.people["manager_a"] not in reminded[("evaluation", world.evaluation)]
        assert world.people["manager_a"] in reminded[("evaluation", world.shared_evaluation)]


def test_the_work_list_read_in_the_readers_own_scope_offers_the_same_decisions(app, world):
    """The dashboard reads the queues under the reader's unit scope (the ORM criteria reach every table of the
    statement, the consent queue's CTE of open requests included): a reader bound to units gets exactly the
    decisions the predicates allow on the records of their units, in the same order as read for the group."""
    with app.app_context():
        every = list(waiting_items(db.session))
        for name in ("manager_a", "legal_a", "manager_b", "legal_b", "group_manager"):
            user = _user(world, name)
            group_items, group_total = first_waiting_for(user, db.session, None, {})
            with unit_scope.activate(unit_services.scope_for_user(user)):
                items, total = first_waiting_for(user, db.session, None, {})
                first, first_total = first_waiting_for(user, db.session, 1, {})
            allowed = {(item.kind, item.object_id) for item in every if item.role in user.roles and item.may_act(user)}
            assert _keys(items) == allowed, name
            assert [(item.kind, item.object_id) for item in items] == [
                (item.kind, item.object_id) for item in group_items
            ], name
            assert total == group_total == first_total == len(allowed), name
            assert _keys(first) == _keys(items[:1]), name
        assert ("consent_decision", world.consent) in _keys(
            first_waiting_for(_user(world, "manager_b"), db.session, None, {})[0]
        )


def _sign_in(client, email: str) -> None:
    assert client.post("/auth/login", data={"email": email, "password": TEST_PASSWORD}).status_code == 302


def test_the_pages_offer_and_take_the_decision_in_the_unit_only(app, client, world):
    decide = f"/subcontracts/consents/{world.consent}/decide"
    with app.app_context():
        version = db.session.get(SubcontractConsent, world.consent).version
    _sign_in(client, "manager-a@example.com")
    page = client.get(f"/subcontracts/{world.node}")
    assert page.status_code == 200 and decide not in page.get_data(as_text=True)
    refused = client.post(decide, data={"decision": "refuse", "reason": "評価不足", "version": version})
    assert refused.status_code == 400  # the page again, with the reason
    assert "許諾の判断は委託者の管理責任者だけが行えます。" in refused.get_data(as_text=True)
    evaluation_page = client.get(f"/evaluations/{world.evaluation}")
    assert evaluation_page.status_code == 200
    assert f"/evaluations/{world.evaluation}/return" not in evaluation_page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(SubcontractConsent, world.consent).status == "reviewed"

    group = app.test_client()
    _sign_in(group, "group-manager@example.com")  # a manager for the whole group
    page = group.get(f"/subcontracts/{world.node}")
    assert decide in page.get_data(as_text=True)
    assert f"/evaluations/{world.evaluation}/return" in group.get(f"/evaluations/{world.evaluation}").get_data(
        as_text=True
    )
    granted = group.post(decide, data={"decision": "refuse", "reason": "評価不足", "version": version})
    assert granted.status_code == 302
    with app.app_context():
        assert db.session.get(SubcontractConsent, world.consent).status == "refused"


def _token(app, world: World, name: str) -> dict[str, str]:
    with app.app_context():
        owner = _user(world, name)
        _record, secret = tokens.create_token(owner, name="t", scope="write", days=30, actor=owner, now=utcnow())
        db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_the_api_refuses_a_decision_outside_the_unit(app, client, world):
    review_path = f"/api/v1/consents/{world.requested}"
    legal_a = _token(app, world, "legal_a")
    etag = client.get(review_path, headers=legal_a).headers["ETag"]
    body = {"recommendation": "approve", "note": ""}
    refused = client.post(f"{review_path}/review", headers={**legal_a, "If-Match": etag}, json=body)
    assert refused.status_code == 422
    legal_b = _token(app, world, "legal_b")
    assert client.post(f"{review_path}/review", headers={**legal_b, "If-Match": etag}, json=body).status_code == 200

    evaluation_path = f"/api/v1/evaluations/{world.evaluation}"
    manager_a = _token(app, world, "manager_a")
    etag = client.get(evaluation_path, headers=manager_a).headers["ETag"]
    body = {"decision": "return", "note": "証跡が不足"}
    refused = client.post(f"{evaluation_path}/decision", headers={**manager_a, "If-Match": etag}, json=body)
    assert refused.status_code == 422
    manager_b = _token(app, world, "manager_b")
    returned = client.post(f"{evaluation_path}/decision", headers={**manager_b, "If-Match": etag}, json=body)
    assert returned.status_code == 200


def _chain_counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return (
            db.session.scalar(db.select(db.func.count()).select_from(Subcontract)),
            db.session.scalar(db.select(db.func.count()).select_from(SubcontractConsent)),
            db.session.scalar(db.select(db.func.count()).select_from(Subcontract).where(Subcontract.is_entrusted)),
        )


def test_the_subcontract_chain_changes_only_in_the_contracts_unit(app, client, world):
    """Procurement of unit A, a viewer in unit B, sees B's chain without its buttons; posting the forms directly
    is refused by the services with the rule's message, and nothing is written. Procurement of B may."""
    refusal = "この契約の部門の調達またはシステム管理者だけが、再委託の系統を変更できます。"
    node_post = f"/subcontracts/contracts/{world.contract}/new"
    node_data = {"vendor": str(world.free_vendor), "scope_of_work": "封入", "data_scope": "氏名",
                 "handling_location": "domestic", "stage": "planned"}
    consent_post = f"/subcontracts/{world.free_node}/consents/new"
    consent_data = {"scope_of_work": "封入作業", "data_scope": "氏名、住所", "handling_location": "domestic",
                    "supervision_plan": "月次報告", "has_c04": "y", "consent_type": "per_event"}
    entrusted_post = f"/subcontracts/{world.free_node}/entrusted"
    with app.app_context():
        version = db.session.get(Subcontract, world.free_node).version
    before = _chain_counts(app)
    _sign_in(client, "procurement-a@example.com")
    page = client.get(f"/subcontracts/{world.free_node}").get_data(as_text=True)
    assert consent_post not in page and entrusted_post not in page
    assert node_post not in client.get("/subcontracts/new").get_data(as_text=True)
    for path, data in ((node_post, node_data), (consent_post, consent_data),
                       (entrusted_post, {"version": version})):
        refused = client.post(path, data=data)
        assert refused.status_code == 400, path
        assert refusal in refused.get_data(as_text=True), path
    assert _chain_counts(app) == before
    body = {**{key: value for key, value in consent_data.items() if key != "has_c04"}, "has_c04": True}
    answer = client.post(f"/api/v1/subcontracts/{world.free_node}/consents",
                         headers=_token(app, world, "procurement_a"), json=body)
    assert answer.status_code == 422 and "再委託の系統" in answer.get_data(as_text=True)
    assert _chain_counts(app) == before
    with app.app_context():  # the services themselves, for the steps taken on an existing consent
        procurement_a = _user(world, "procurement_a")
        consent = db.session.get(SubcontractConsent, world.requested)
        with pytest.raises(subcontract_services.SubcontractRuleError):
            subcontract_services.start_evaluation(consent, actor=procurement_a, now=NOW)
        with pytest.raises(subcontract_services.SubcontractRuleError):
            subcontract_services.record_notification(consent, notified_on=TODAY, note="", actor=procurement_a,
                                                     today=TODAY)

    other = app.test_client()
    _sign_in(other, "procurement-b@example.com")  # procurement of B holds the role in the department below B
    assert node_post in other.get("/subcontracts/new").get_data(as_text=True)
    assert other.post(node_post, data=node_data).status_code == 302
    answer = client.post(f"/api/v1/subcontracts/{world.free_node}/consents",
                         headers=_token(app, world, "procurement_b"), json=body)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    nodes, consents, _entrusted = _chain_counts(app)
    assert (nodes, consents) == (before[0] + 1, before[1] + 1)

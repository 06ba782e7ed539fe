"""The decision queues read for one user in SQL (the work list) give exactly what the Python predicates
give for every waiting item (the approval-wait reminders): the same permission rule in its two forms."""

from __future__ import annotations

from datetime import date

from oversight.disposals import services as disposal_services
from oversight.extensions import db
from oversight.status.waiting import first_waiting_for, waiting_items
from oversight.subcontracts import services as subcontract_services
from tests.audits import helpers as audit_helpers
from tests.contracts import helpers as contract_helpers
from tests.evaluations import helpers as evaluation_helpers
from tests.subcontracts.helpers import NOW, Team

KIND_ORDER = {"clause_review": 0}


def _every_queue() -> list:
    """An item in every queue, each made or handled by a user who also holds the deciding role."""
    from tests.disposals.test_services import CERTIFICATE

    team = Team()
    submitting_manager = evaluation_helpers.user("procurement", "manager", email="submitting-manager@example.com")
    auditing_manager = audit_helpers.user("auditor", "manager", email="auditing-manager@example.com")
    reviewing_manager = contract_helpers.user("legal", "manager", email="legal-manager@example.com")
    evaluation_helpers.submitted(submitting_manager)
    contract_helpers.cleared(submitting_manager, reviewing_manager)
    contract_helpers.submitted(team.procurement)
    audit_helpers.submitted(audit_helpers.active_vendor(), auditing_manager)
    team.request(team.node())
    reviewed = team.request(team.node())
    subcontract_services.review(reviewed, recommendation="approve", note="", actor=reviewing_manager, now=NOW)
    ending = contract_helpers.signed(
        team.procurement, team.legal, team.manager, vendor=audit_helpers.active_vendor(), end_on=date(2026, 11, 1)
    )
    disposal_services.close_ended_contracts(date(2026, 11, 2))
    (item,) = disposal_services.items_of_contract(ending)
    disposal_services.record_certificate(
        item,
        {**CERTIFICATE, "completed_on": date(2026, 11, 20)},
        file_storage=contract_helpers.pdf("cert.pdf"),
        actor=submitting_manager,
        now=NOW,
        today=date(2026, 11, 26),
    )
    db.session.commit()
    viewer = audit_helpers.user("viewer", email="viewer@example.com")
    everyone = audit_helpers.user(
        "procurement", "legal", "auditor", "manager", "admin", "viewer", email="everyone@example.com"
    )
    db.session.commit()
    return [
        team.procurement,
        team.legal,
        team.manager,
        submitting_manager,
        auditing_manager,
        reviewing_manager,
        viewer,
        everyone,
    ]


def _key(item) -> tuple:
    return item.kind, item.object_type, item.object_id


def test_each_users_queues_in_sql_are_what_the_predicates_allow(app_ctx):
    users = _every_queue()
    every_item = list(waiting_items(db.session))
    assert {item.kind for item in every_item} == {
        "evaluation_approval",
        "clause_review",
        "contract_approval",
        "consent_review",
        "consent_decision",
        "audit_signoff",
        "deletion_confirmation",
    }
    for user in users:
        allowed = {_key(item) for item in every_item if item.role in user.roles and item.may_act(user)}
        items, total = first_waiting_for(user, db.session, None, KIND_ORDER)
        assert {_key(item) for item in items} == allowed, user.email
        assert total == len(items) == len(allowed), user.email
    # Those who took part see the rest, not their own (separation of duties).
    shown = {user.email: {_key(item)[0] for item in first_waiting_for(user, db.session, None, {})[0]} for user in users}
    assert "evaluation_approval" not in shown["submitting-manager@example.com"]
    assert "deletion_confirmation" not in shown["submitting-manager@example.com"]
    assert "contract_approval" not in shown["submitting-manager@example.com"]
    assert "contract_approval" not in shown["legal-manager@example.com"]
    assert "consent_decision" not in shown["legal-manager@example.com"]
    assert "audit_signoff" not in shown["auditing-manager@example.com"]
    assert "audit_signoff" in shown["manager@example.com"]
    assert shown["viewer@example.com"] == set()


def test_the_first_items_are_cut_in_sql_with_the_whole_count(app_ctx):
    users = _every_queue()
    everyone = users[-1]
    every, total = first_waiting_for(everyone, db.session, None, KIND_ORDER)
    first, first_total = first_waiting_for(everyone, db.session, 2, KIND_ORDER)
    assert total == first_total == len(every) > 2
    assert [_key(item) for item in first] == [_key(item) for item in every[:2]]

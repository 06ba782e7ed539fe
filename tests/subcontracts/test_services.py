"""Subcontract rules: levels, consent only by the principal's manager, advance consent, expiry, violations."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from oversight.core.lights import AMBER, GREEN, GREY, RED
from oversight.disposals import services as disposal_services
from oversight.extensions import db
from oversight.status import lights as status_lights
from oversight.subcontracts import queries, services
from oversight.subcontracts.models import APPROVED, REFUSED, REVIEWED, REVOKED
from oversight.subcontracts.services import SubcontractRuleError
from oversight.vendors.models import Vendor
from tests.contracts.helpers import approve_selection, user
from tests.status.filters import condition as light_filter
from tests.subcontracts.helpers import NOW, TODAY, Team, request_values
from tests.vendors.factories import create_vendor


@pytest.fixture
def team(app_ctx):
    return Team()


def _status(node, today=TODAY):
    return queries.node_status(node, today)


def test_level_follows_from_the_parent(team):
    first = team.node()
    second = team.node(parent=first)
    third = team.node(parent=second)
    assert (first.level, second.level, third.level) == (1, 2, 3)
    assert first.parent_vendor_id == team.contractor.id and third.parent_vendor_id == second.vendor_id
    assert third.path == f"/{first.id}/{second.id}/{third.id}/"


def test_the_contractor_and_a_vendor_already_in_the_chain_cannot_be_added(team):
    node = team.node()
    with pytest.raises(SubcontractRuleError):
        team.node(vendor=team.contractor)
    with pytest.raises(SubcontractRuleError):
        team.node(parent=node, vendor=node.vendor)


def test_abroad_needs_a_country(team):
    with pytest.raises(SubcontractRuleError):
        team.node(handling_location="abroad", handling_country="")
    assert team.node(handling_location="abroad", handling_country="ベトナム").is_abroad


@pytest.mark.parametrize("level", [1, 2, 3])
def test_consent_at_any_level_is_decided_by_a_manager_of_the_principal(team, level):
    node = None
    for _ in range(level):
        parent = node
        node = team.node(parent=parent)
        if node.level < level:
            team.consented(node)
    consent = team.reviewed(node)
    for intruder in (team.procurement, team.legal, user("admin", email="admin@example.com"), node.parent_vendor, None):
        with pytest.raises(SubcontractRuleError):
            services.approve(
                consent, conditions="", expires_on=TODAY + timedelta(days=90), actor=intruder, today=TODAY, now=NOW
            )
    services.approve(
        consent, conditions="", expires_on=TODAY + timedelta(days=90), actor=team.manager, today=TODAY, now=NOW
    )
    assert consent.status == APPROVED and consent.decided_by_id == team.manager.id


def test_legal_reviews_before_the_manager_decides(team):
    consent = team.request(team.node())
    with pytest.raises(SubcontractRuleError):
        services.approve(
            consent, conditions="", expires_on=TODAY + timedelta(days=90), actor=team.manager, today=TODAY, now=NOW
        )
    with pytest.raises(SubcontractRuleError):
        services.review(consent, recommendation="approve", note="", actor=team.manager, now=NOW)
    with pytest.raises(SubcontractRuleError):
        services.review(consent, recommendation="refuse", note="", actor=team.legal, now=NOW)
    services.review(consent, recommendation="approve", note="問題なし", actor=team.legal, now=NOW)
    assert consent.status == REVIEWED and consent.reviewed_by_id == team.legal.id


def test_the_reviewer_cannot_also_decide(team):
    both = user("legal", "manager", email="both@example.com")
    consent = team.request(team.node())
    services.review(consent, recommendation="approve", note="", actor=both, now=NOW)
    with pytest.raises(SubcontractRuleError, match="別の人"):
        services.approve(
            consent, conditions="", expires_on=TODAY + timedelta(days=90), actor=both, today=TODAY, now=NOW
        )
    services.approve(
        consent, conditions="", expires_on=TODAY + timedelta(days=90), actor=team.manager2, today=TODAY, now=NOW
    )


def test_approval_needs_an_expiry_and_an_approved_evaluation(team):
    consent = team.reviewed(team.node())
    with pytest.raises(SubcontractRuleError):
        services.approve(consent, conditions="", expires_on=None, actor=team.manager, today=TODAY, now=NOW)
    with pytest.raises(SubcontractRuleError):
        services.approve(consent, conditions="", expires_on=TODAY, actor=team.manager, today=TODAY, now=NOW)
    unevaluated = team.reviewed(team.node(), evaluation_id=None)
    with pytest.raises(SubcontractRuleError, match="選定評価"):
        services.approve(
            unevaluated, conditions="", expires_on=TODAY + timedelta(days=9), actor=team.manager, today=TODAY, now=NOW
        )


def test_refusal_needs_a_reason(team):
    consent = team.reviewed(team.node())
    with pytest.raises(SubcontractRuleError):
        services.refuse(consent, reason=" ", actor=team.manager, now=NOW)
    services.refuse(consent, reason="安全管理措置が不十分", actor=team.manager, now=NOW)
    assert consent.status == REFUSED


@pytest.mark.parametrize(
    "missing", ["advance_identified", "advance_ability_confirmed", "advance_reporting_agreed", "report_schedule"]
)
def test_advance_consent_needs_all_three_conditions(team, missing):
    values = {
        "consent_type": "advance",
        "advance_identified": True,
        "advance_ability_confirmed": True,
        "advance_reporting_agreed": True,
        "report_schedule": "四半期ごと",
        missing: "" if missing == "report_schedule" else False,
    }
    with pytest.raises(SubcontractRuleError):
        team.request(team.node(), **values)


def test_advance_consent_with_the_conditions_is_accepted(team):
    consent = team.request(
        team.node(),
        consent_type="advance",
        advance_identified=True,
        advance_ability_confirmed=True,
        advance_reporting_agreed=True,
        report_schedule="四半期ごと",
    )
    assert consent.consent_type == "advance" and consent.advance_reporting_agreed


def test_one_pending_request_per_node(team):
    node = team.node()
    team.request(node)
    with pytest.raises(SubcontractRuleError):
        team.request(node)


def test_the_evaluation_must_be_of_the_subcontractor(team):
    other = create_vendor()
    db.session.flush()
    with pytest.raises(SubcontractRuleError):
        team.request(team.node(), evaluation_id=approve_selection(other).id)


def test_a_consent_can_start_the_subcontractors_evaluation(team):
    node = team.node()
    consent = team.request(node, evaluation_id=None)
    evaluation = services.start_evaluation(consent, actor=team.procurement, now=NOW)
    assert consent.evaluation_id == evaluation.id and evaluation.vendor_id == node.vendor_id


def test_expiry_and_revocation_turn_the_node_red(team):
    node = team.node()
    consent = team.consented(node, expires_on=TODAY + timedelta(days=60))
    assert _status(node).light.state == GREEN
    assert _status(node, TODAY + timedelta(days=40)).light.state == AMBER
    expired = _status(node, TODAY + timedelta(days=61))
    assert expired.is_violation and "期限切れ" in expired.reason
    services.revoke(consent, reason="監査で重大な指摘", actor=team.manager, now=NOW)
    assert consent.status == REVOKED
    assert _status(node).is_violation


def test_revocation_only_by_a_manager_with_a_reason(team):
    consent = team.consented(team.node())
    with pytest.raises(SubcontractRuleError):
        services.revoke(consent, reason="x", actor=team.legal, now=NOW)
    with pytest.raises(SubcontractRuleError):
        services.revoke(consent, reason="", actor=team.manager, now=NOW)


def test_a_consented_node_below_an_unconsented_one_is_a_violation(team):
    top = team.node()
    middle = team.node(parent=top)
    bottom = team.node(parent=middle)
    team.consented(top)
    team.consented(bottom)
    statuses = {node.id: _status(node) for node in (top, middle, bottom)}
    assert statuses[top.id].light.state == GREEN
    assert statuses[middle.id].is_violation
    assert statuses[bottom.id].is_violation and statuses[bottom.id].light.detail == middle.vendor.name
    found = {violation.node.id for violation in queries.violations(TODAY)}
    assert found == {middle.id, bottom.id}


def test_pending_is_amber_but_its_children_are_violations(team):
    top = team.node()
    child = team.node(parent=top)
    team.request(top)
    team.consented(child)
    assert _status(top).light.state == AMBER
    assert _status(child).is_violation


def test_vendor_light_is_the_worst_node_and_filters_alike(team):
    other_team_vendor = create_vendor()
    db.session.flush()
    top = team.node()
    team.consented(top)
    ids = [team.contractor.id, top.vendor_id, other_team_vendor.id]
    lights = status_lights.duty_lights("subcontract", ids, TODAY)
    assert lights[team.contractor.id].state == GREEN and lights[top.vendor_id].state == GREEN
    assert lights[other_team_vendor.id].state == GREY
    child = team.node(parent=top)
    all_ids = [*ids, child.vendor_id]
    lights = status_lights.duty_lights("subcontract", all_ids, TODAY)
    assert lights[team.contractor.id].state == RED and lights[top.vendor_id].state == RED
    team.request(child)
    lights = status_lights.duty_lights("subcontract", all_ids, TODAY)
    assert lights[team.contractor.id].state == AMBER
    for state in (GREEN, AMBER, RED, GREY):
        condition = light_filter("subcontract", state, TODAY)
        selected = set(db.session.scalars(db.select(Vendor.id).where(Vendor.id.in_(all_ids), condition)))
        expected = {vendor_id for vendor_id, light in lights.items() if light.state == state}
        assert selected == expected, state


def test_contract_end_opens_an_item_per_consented_node(team):
    top = team.node()
    team.consented(top)
    child = team.node(parent=top)
    team.consented(child)
    unconsented = team.node(parent=top)
    revoked = team.node()
    services.revoke(team.consented(revoked), reason="撤回", actor=team.manager, now=NOW)
    disposal_services.terminate_contract(
        team.contract, ended_on=TODAY, reason="合意解約", actor=team.manager, today=TODAY
    )
    items = {item.vendor_id: item for item in disposal_services.items_of_contract(team.contract)}
    assert set(items) == {team.contractor.id, top.vendor_id, child.vendor_id, revoked.vendor_id}
    assert unconsented.vendor_id not in items
    assert (items[top.vendor_id].level, items[child.vendor_id].level) == (1, 2)
    assert items[child.vendor_id].subcontract_id == child.id


def test_notification_is_recorded_after_the_grant(team):
    consent = team.consented(team.node())
    with pytest.raises(SubcontractRuleError):
        services.record_notification(
            consent, notified_on=TODAY + timedelta(days=1), note="", actor=team.procurement, today=TODAY
        )
    with pytest.raises(SubcontractRuleError):
        services.record_notification(
            consent, notified_on=date(2020, 1, 1), note="", actor=team.procurement, today=TODAY
        )
    services.record_notification(consent, notified_on=TODAY, note="書面で通知", actor=team.procurement, today=TODAY)
    assert consent.notified_on == TODAY


def test_approval_triggers_an_extra_audit_of_the_contractor(team):
    from oversight.audits import services as audit_services

    node = team.node()
    team.consented(node)
    assert [trigger.kind for trigger in audit_services.open_triggers_of(team.contractor)] == ["subcontractor"]
    # The reason is the subcontractor's name (data); the kind names it in the reader's language (issue #18).
    assert [trigger.reason for trigger in audit_services.open_triggers_of(team.contractor)] == [node.vendor.name]


def test_ended_contract_chain_cannot_change(team):
    disposal_services.terminate_contract(team.contract, ended_on=TODAY, reason="終了", actor=team.manager, today=TODAY)
    with pytest.raises(SubcontractRuleError):
        team.node()


def test_request_values_are_copied_into_the_consent(team):
    consent = team.request(team.node(), scope_of_work="封入作業", handling_location="abroad", handling_country="米国")
    assert (consent.scope_of_work, consent.handling_country) == ("封入作業", "米国")
    assert request_values()["has_c04"] and consent.flow_down_present == ["C04", "C14", "C16"]

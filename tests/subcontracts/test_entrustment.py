"""Planned or already entrusted: a pending consent request excuses only a subcontractor that does not
handle the data yet ([ACT] 第10条第1項: consent comes before re-entrustment; Q&A 3-9 timing)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from oversight.activity.models import ActivityLog
from oversight.core.lights import AMBER, RED
from oversight.core.timeutil import local_today
from oversight.extensions import db
from oversight.status import lights as status_lights
from oversight.subcontracts import lights, queries, services
from oversight.subcontracts.models import Subcontract
from oversight.vendors.models import Vendor
from tests.status.filters import condition as light_filter
from tests.subcontracts.helpers import TODAY, Team
from tests.vendors.factories import create_vendor


@pytest.fixture
def team(app_ctx):
    return Team()


def _vendor_light(team, node):
    ids = [team.contractor.id, node.vendor_id]
    return status_lights.duty_lights("subcontract", ids, TODAY)


def test_planned_node_awaiting_a_decision_is_amber(team):
    node = team.node()
    team.request(node)
    assert not node.is_entrusted
    assert queries.node_status(node, TODAY).light.state == AMBER
    assert _vendor_light(team, node)[team.contractor.id].state == AMBER
    assert node.id not in {violation.node.id for violation in queries.violations(TODAY)}


def test_entrusted_node_awaiting_a_decision_is_a_violation_everywhere(team):
    node = team.node(is_entrusted=True)
    team.request(node)
    status = queries.node_status(node, TODAY)
    assert status.is_violation and status.light.state == RED
    vendor_lights = _vendor_light(team, node)
    assert vendor_lights[team.contractor.id].state == RED and vendor_lights[node.vendor_id].state == RED
    assert node.id in {violation.node.id for violation in queries.violations(TODAY)}
    condition = light_filter("subcontract", RED, TODAY)
    assert db.session.scalar(db.select(Vendor.id).where(condition, Vendor.id == node.vendor_id)) == node.vendor_id


def test_an_entrusted_node_turns_green_once_consented(team):
    node = team.node(is_entrusted=True)
    team.consented(node)
    assert queries.node_status(node, TODAY).light.state != RED


def test_recording_the_entrustment_turns_a_pending_planned_node_red_and_is_logged(team):
    node = team.node()
    team.request(node)
    services.record_entrustment(node, actor=team.procurement)
    db.session.flush()
    assert node.is_entrusted
    assert queries.node_status(node, TODAY).light.state == RED
    log = db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "subcontract.entrusted"))
    assert log.changes == {"is_entrusted": [False, True]}
    with pytest.raises(services.SubcontractRuleError):
        services.record_entrustment(node, actor=team.procurement)


def test_node_rule_codes_are_all_coloured():
    assert lights.NODE_COLOURS[lights.NODE_ENTRUSTED_PENDING] == RED


@pytest.fixture
def chain(app):
    with app.app_context():
        team = Team(start_on=local_today() - timedelta(days=30), end_on=local_today() + timedelta(days=300))
        free = create_vendor(name="株式会社既委託")
        db.session.commit()
        return {"contract": team.contract.id, "free": free.id}


def _post_node(client, chain, **extra):
    data = {"vendor": str(chain["free"]), "scope_of_work": "封入", "data_scope": "氏名"}
    data["handling_location"] = "domestic"
    return client.post(f"/subcontracts/contracts/{chain['contract']}/new", data={**data, **extra})


def test_the_node_form_asks_whether_the_work_is_already_entrusted(app, client, login_as, chain):
    login_as("procurement")
    assert _post_node(client, chain).status_code == 400
    response = _post_node(client, chain, stage="entrusted")
    assert response.status_code == 302
    with app.app_context():
        node = db.session.scalar(db.select(Subcontract).where(Subcontract.vendor_id == chain["free"]))
        assert node.is_entrusted
        log = db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "subcontract.record"))
        assert log.changes["is_entrusted"] == [None, True]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-entrusted="yes"' in page and 'data-testid="record-entrusted"' not in page


def test_record_entrusted_button_on_a_planned_node(app, client, login_as, chain):
    login_as("procurement")
    location = _post_node(client, chain, stage="planned").headers["Location"]
    page = client.get(location).get_data(as_text=True)
    assert 'data-entrusted="no"' in page and 'data-testid="record-entrusted"' in page
    with app.app_context():
        version = db.session.scalar(db.select(Subcontract.version).where(Subcontract.vendor_id == chain["free"]))
    response = client.post(f"{location}/entrusted", data={"version": str(version)})
    assert response.status_code == 302
    assert 'data-entrusted="yes"' in client.get(location).get_data(as_text=True)

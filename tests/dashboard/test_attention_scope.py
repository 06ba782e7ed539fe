"""The dashboard's 「まず対応すること」 box: what the user's roles act on; managers may switch to the whole company."""

from __future__ import annotations

import re
from datetime import date

import pytest

from oversight.dashboard.due import ACTING_ROLES, AUDIT, CONTRACT, DISPOSAL, EVALUATION, FINDING, kinds_acted_on
from oversight.extensions import db
from tests.conftest import empty_all_tables

TODAY = "2026-11-26"


def _kinds(html: str) -> set[str]:
    table = re.search(r'data-testid="attention-kinds">(.*?)</table>', html, re.S)
    return set(re.findall(r'<tr data-kind="(\w+)"', table.group(1))) if table else set()


@pytest.fixture
def generated(app, monkeypatch):
    monkeypatch.setattr("oversight.core.timeutil.local_today", lambda: date.fromisoformat(TODAY))
    result = app.test_cli_runner().invoke(args=["demo", "generate", "--vendors", "12", "--seed", "5", "--today", TODAY])
    assert result.exit_code == 0, result.output
    yield
    with app.app_context():
        empty_all_tables()
        db.session.remove()


def test_each_kind_is_acted_on_by_the_roles_of_its_feature_permissions():
    assert kinds_acted_on(["auditor"]) == {AUDIT, FINDING, "incident"}
    assert kinds_acted_on(["procurement"]) == {EVALUATION, CONTRACT, DISPOSAL, "incident", "subcontract"}
    assert kinds_acted_on(["viewer"]) == frozenset()
    assert set(ACTING_ROLES) >= {AUDIT, FINDING, EVALUATION, CONTRACT, DISPOSAL, "incident", "subcontract"}


def test_the_box_shows_what_the_roles_act_on_and_managers_switch_to_the_whole_company(
    generated, client, login_as
):
    manager = login_as("manager")
    whole = client.get("/dashboard?scope=all").get_data(as_text=True)
    everything = _kinds(whole)
    assert {AUDIT, EVALUATION} <= everything, everything  # the generated data has both overdue/due soon
    assert 'data-testid="attention-scope">全社表示<' in whole
    assert re.search(r'aria-current="true">全社表示</a>', whole)

    own = client.get("/dashboard").get_data(as_text=True)
    assert _kinds(own) == everything & kinds_acted_on(manager.roles)
    assert AUDIT not in _kinds(own)  # audits are planned by auditors
    assert 'data-testid="attention-switch"' in own
    switch = re.search(r'data-testid="attention-switch">(.*?)</div>', own, re.S).group(1)
    assert re.search(r'href="/dashboard\?scope=all#overdue">全社表示</a>', switch)  # a link: keyboard reachable
    assert re.search(r'aria-current="true">自分の担当</a>', switch)

    client.post("/auth/logout")
    login_as("auditor")
    auditor = client.get("/dashboard?scope=all").get_data(as_text=True)  # the switch is a manager's
    assert _kinds(auditor) == everything & {AUDIT, FINDING, "incident"}
    assert 'data-testid="attention-switch"' not in auditor
    assert 'data-testid="attention-scope">自分の担当<' in auditor

    client.post("/auth/logout")
    login_as("viewer")
    assert _kinds(client.get("/dashboard").get_data(as_text=True)) == everything  # acts on nothing: reads all


def test_the_dashboard_runs_as_many_statements_in_both_scopes(generated, client, login_as, count_queries):
    login_as("manager")
    client.get("/dashboard")
    with count_queries() as own:
        client.get("/dashboard")
    with count_queries() as whole:
        client.get("/dashboard?scope=all")
    assert own.count <= whole.count <= 12

"""The dashboard's short lists and their whole lists, the SQL violation count, and figures that follow every change."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func

from oversight.dashboard import services, views
from oversight.disposals import services as disposal_services
from oversight.disposals.models import DisposalItem
from oversight.extensions import db
from oversight.status import store as status_store
from oversight.subcontracts import queries, violations
from oversight.vendors.models import Vendor
from tests.contracts.helpers import pdf
from tests.dashboard.helpers import CERTIFICATE, NOW, TODAY, World
from tests.subcontracts.helpers import Team


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(views, "local_today", lambda: TODAY)


def _sign_in(client, email):
    assert client.post("/auth/login", data={"email": email, "password": "x" * 16}).status_code == 302


def test_the_sql_violation_rule_agrees_with_the_chain_assessment(app_ctx):
    team = Team()
    bare = team.node()  # no consent at all
    consented = team.node()
    team.consented(consented)
    below = team.node(parent=bare)  # consented itself, but under a node without consent
    team.consented(below)
    pending = team.node()
    team.request(pending)
    expiring = team.node()
    team.consented(expiring, expires_on=TODAY + timedelta(days=5))
    db.session.flush()
    in_python = [violation.node.id for violation in queries.violations(TODAY)]
    assert sorted(in_python) == sorted([bare.id, below.id])
    assert violations.count(TODAY) == len(in_python) == 2
    first = violations.first(TODAY, 1)
    assert len(first) == 1 and first[0].node.id in in_python and first[0].reason
    assert {v.node.id for v in violations.first(TODAY, 10)} == set(in_python)


def test_the_dashboard_shows_the_first_entries_and_links_to_all(app, client, monkeypatch):
    monkeypatch.setattr(services, "SHORTLIST", 2)
    with app.app_context():
        world = World()
        item_ids = [world.overdue_disposal().id for _ in range(3)]
        db.session.commit()
        email = world.manager.email
    _sign_in(client, email)
    html = client.get("/dashboard").get_data(as_text=True)
    overdue = html.split('data-testid="overdue"')[1].split("</table>")[0]
    assert overdue.count('data-kind="disposal"') == 2
    assert 'href="/dashboard/due?bucket=overdue"' in html and "3" in html.split('data-testid="overdue-all"')[1][:40]
    kinds = html.split('data-testid="attention-kinds"')[1].split("</table>")[0]
    assert 'href="/dashboard/due?bucket=overdue&amp;kind=disposal" data-bucket="overdue">3<' in kinds

    whole = client.get("/dashboard/due?bucket=overdue&kind=disposal").get_data(as_text=True)
    listed = whole.split('data-testid="due-list"')[1].split("</table>")[0]
    assert sorted(int(link) for link in re.findall(r'href="/disposals/(\d+)"', listed)) == sorted(item_ids)
    assert "3" in whole.split('data-testid="result-count"')[1][:40]


@pytest.mark.parametrize(
    "query", ["", "bucket=upcoming", "bucket=zzz&kind=zzz", "bucket=overdue&kind=audit&page=999", "page=-1"]
)
def test_the_whole_lists_take_any_parameters(client, login_as, query):
    login_as("viewer")
    assert client.get(f"/dashboard/due?{query}").status_code == 200
    assert client.get(f"/dashboard/work?{query}").status_code == 200


def test_the_work_list_pages_everything_waiting(app, client, monkeypatch):
    monkeypatch.setattr(services, "SHORTLIST", 1)
    with app.app_context():
        world = World()
        items = [world.overdue_disposal() for _ in range(2)]
        for item in items:
            disposal_services.record_certificate(
                item, CERTIFICATE, file_storage=pdf("cert.pdf"), actor=world.procurement, now=NOW, today=TODAY
            )
        db.session.commit()
        email = world.manager.email
    _sign_in(client, email)
    html = client.get("/dashboard").get_data(as_text=True)
    assert html.split('data-testid="my-work"')[1].split("</table>")[0].count('data-kind="deletion_confirmation"') == 1
    assert 'href="/dashboard/work"' in html
    whole = client.get("/dashboard/work").get_data(as_text=True)
    assert whole.split('data-testid="my-work"')[1].split("</table>")[0].count('data-kind="deletion_confirmation"') == 2


def test_the_figures_follow_every_change_with_nothing_kept_between_requests(app, app_ctx):
    world = World()
    item = world.overdue_disposal()
    db.session.commit()

    def overdue_deletions() -> int:
        with app.test_request_context():
            return services.dashboard(world.manager, TODAY)["coverage"].counts[1].value

    assert overdue_deletions() == 1
    # Even a change written behind the services' back, in a plain UPDATE, shows on the next request.
    db.session.execute(db.update(DisposalItem).where(DisposalItem.id == item.id).values(confirmed_at=NOW))
    db.session.commit()
    assert overdue_deletions() == 0


def test_the_subcontract_light_counts_follow_the_chains(app_ctx):
    team = Team()
    bare = team.node()
    team.consented(team.node(parent=bare))
    team.request(team.node())
    team.consented(team.node(), expires_on=TODAY + timedelta(days=5))
    team.consented(team.node())
    db.session.flush()
    counts = status_store.colour_counts(Vendor.id.is_not(None), TODAY)["subcontract"]
    for state in ("green", "amber", "red"):
        in_state = status_store.condition("subcontract", state)
        expected = db.session.scalar(db.select(func.count(Vendor.id)).where(in_state))
        assert counts[state] == expected, state
    assert {state: counts[state] for state in ("green", "amber", "red")} == {"green": 1, "amber": 2, "red": 3}


def test_a_crowded_day_shows_its_first_entries_and_links_to_the_days_list(app, client, monkeypatch):
    monkeypatch.setattr(services, "DAY_CELL_LIMIT", 1)
    with app.app_context():
        world = World()
        due_on = {world.overdue_disposal().due_on for _ in range(3)}.pop()
        db.session.commit()
        email = world.manager.email
    _sign_in(client, email)
    month = due_on.strftime("%Y-%m")
    html = client.get(f"/dashboard/calendar?month={month}&kind=disposal").get_data(as_text=True)
    grid = html.split('data-testid="calendar"')[1].split("</table>")[0]
    assert grid.count('data-kind="disposal"') == 1 and "+2" in grid
    assert f"day={due_on.isoformat()}" in grid
    day = client.get(f"/dashboard/calendar?month={month}&kind=disposal&day={due_on.isoformat()}")
    listed = day.get_data(as_text=True).split('data-testid="calendar-list"')[1].split("</table>")[0]
    assert listed.count('data-kind="disposal"') == 3
    other = client.get(f"/dashboard/calendar?month={month}&day=1999-01-01&page=7")
    assert other.status_code == 200

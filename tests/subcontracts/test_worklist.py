"""The worklist's sections, chosen in SQL, agree with the chain rules (``chain.assess``) and are paginated."""

from __future__ import annotations

from datetime import timedelta

from oversight.core.timeutil import local_today
from oversight.extensions import db
from oversight.subcontracts import chain, queries, worklist
from oversight.subcontracts.models import REQUESTED, REVIEWED
from tests.subcontracts.helpers import Team


def _mixed_chains() -> None:
    """Every kind of node: consented, expiring, awaiting legal or a manager, refused-free, below a broken node."""
    today = local_today()
    team = Team(start_on=today - timedelta(days=30), end_on=today + timedelta(days=300))
    for _ in range(2):
        top = team.node()
        team.consented(top, expires_on=today + timedelta(days=10))
        legal = team.node(parent=top)
        team.request(legal)
        manager = team.node(parent=top)
        team.reviewed(manager)
        bare = team.node()
        team.node(parent=bare)
        lasting = team.node()
        team.consented(lasting, expires_on=today + timedelta(days=200))
    db.session.commit()


def _python_sections(today) -> dict[str, list[int]]:
    """What the page listed before: every open chain assessed in Python."""
    statuses = chain.flatten(chain.roots(queries.open_statuses(today)))
    pending = [status for status in statuses if status.current is not None and status.current.is_pending]
    return {
        worklist.VIOLATIONS: [status.node.id for status in statuses if status.is_violation],
        worklist.AWAITING_LEGAL: [status.node.id for status in pending if status.current.status == REQUESTED],
        worklist.AWAITING_MANAGER: [status.node.id for status in pending if status.current.status == REVIEWED],
        worklist.EXPIRING: [
            status.node.id for status in statuses if status.has_valid_consent and status.light.state == chain.AMBER
        ],
    }


def test_sections_agree_with_the_chain_rules(app):
    with app.app_context():
        _mixed_chains()
        today = local_today()
        expected = _python_sections(today)
        assert all(expected.values()), expected
        for section in worklist.SECTIONS:
            with app.test_request_context("/subcontracts/"):
                page = worklist.worklist(section, today)
            assert [status.node.id for status in page["pagination"].items] == expected[section], section
            assert page["section_counts"] == {key: len(ids) for key, ids in expected.items()}


def test_the_page_shows_one_section_a_page_at_a_time(app, client, login_as, monkeypatch):
    with app.app_context():
        _mixed_chains()
    login_as("viewer")
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    first = client.get("/subcontracts/?section=violations").get_data(as_text=True)
    assert first.count('data-testid="violations-row"') == 2
    assert 'data-testid="awaiting-legal-row"' not in first
    assert 'data-testid="section-awaiting-legal"' in first
    assert (
        client.get("/subcontracts/?section=violations&page=2")
        .get_data(as_text=True)
        .count('data-testid="violations-row"')
        == 2
    )
    legal = client.get("/subcontracts/?section=awaiting_legal").get_data(as_text=True)
    assert legal.count('data-testid="awaiting-legal-row"') == 2
    assert 'data-testid="violations-row"' not in legal
    assert client.get("/subcontracts/?section=bogus").status_code == 200

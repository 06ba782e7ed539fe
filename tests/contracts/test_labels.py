"""A signed contract's status says what it is, not more (issue #18, item 6)."""

from __future__ import annotations

from datetime import timedelta

from oversight.core.timeutil import local_today
from oversight.extensions import db
from tests.contracts.helpers import people, signed


def test_a_signed_contract_that_has_not_started_is_not_called_in_force(app, client, login, make_user):
    today = local_today()
    with app.app_context():
        procurement, legal, manager = people()
        contract = signed(
            procurement,
            legal,
            manager,
            signed_on=today - timedelta(days=3),
            start_on=today + timedelta(days=20),
            end_on=today + timedelta(days=400),
        )
        db.session.commit()
        contract_id = contract.id
    login(make_user("viewer"))
    page = client.get(f"/contracts/{contract_id}").get_data(as_text=True)
    assert 'data-testid="contract-status">締結済</span>' in page
    assert "有効" not in page.split('data-testid="contract-status">', 1)[1].split("</span>", 1)[0]

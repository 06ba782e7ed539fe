"""The demo chain: three levels with an unconsented bottom node, an advance consent, a revoked consent."""

from datetime import date

from oversight.core.lights import AMBER, GREEN, RED
from oversight.demo.checklists import seed_checklists
from oversight.demo.contracts import seed_contracts
from oversight.demo.subcontracts import seed_subcontracts
from oversight.demo.users import seed_users
from oversight.demo.vendors import seed_vendors
from oversight.extensions import db
from oversight.subcontracts import chain, queries


def test_demo_chain_shows_every_consent_state(app_ctx):
    today = date(2026, 11, 26)
    users = seed_users()
    seed_checklists()
    vendors = seed_vendors(users, today=today)
    seed_contracts(users, vendors, today=today)
    seed_subcontracts(users, vendors, today=today)
    db.session.commit()
    statuses = chain.flatten(chain.roots(queries.open_statuses(today)))
    summary = [
        (status.node.level, status.light.state, status.current.consent_type if status.current else None)
        for status in statuses
    ]
    assert (1, GREEN, "per_event") in summary
    assert (2, AMBER, "advance") in summary
    assert (3, RED, None) in summary
    assert any(status.current and status.current.status == "revoked" and status.is_violation for status in statuses)
    assert any(status.current and status.current.is_pending for status in statuses)
    assert {violation.reason for violation in queries.violations(today)} >= {"許諾のない再委託", "許諾取消し"}

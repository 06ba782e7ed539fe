"""The reminder rule for consents running out: to the contractor's owner and manager, from 30 days before."""

from __future__ import annotations

from datetime import timedelta

from oversight.core import registry
from oversight.extensions import db
from oversight.subcontracts import services
from oversight.subcontracts.rules import consent_expiry
from tests.contracts.helpers import user
from tests.subcontracts.helpers import NOW, TODAY, Team


def _team_with_owner():
    team = Team()
    owner = user("procurement", email="owner@example.com")
    team.contractor.owner_id, team.contractor.manager_id = owner.id, team.manager.id
    db.session.flush()
    return team, owner


def test_the_rule_is_registered(app):
    assert consent_expiry in registry.of(app).reminder_rules()


def test_consent_expiring_within_30_days_is_reminded_to_owner_and_manager(app_ctx):
    team, owner = _team_with_owner()
    node = team.node()
    consent = team.consented(node, expires_on=TODAY + timedelta(days=60))
    assert list(consent_expiry(db.session, TODAY)) == []
    items = list(consent_expiry(db.session, TODAY + timedelta(days=35)))
    assert [(item.object_id, item.due_on) for item in items] == [(consent.id, consent.expires_on)]
    assert items[0].recipients == frozenset({owner.id, team.manager.id})
    assert items[0].url_path == f"/subcontracts/{node.id}" and items[0].stage == "lead-30"


def test_revoked_consents_are_not_reminded(app_ctx):
    team, _owner = _team_with_owner()
    consent = team.consented(team.node(), expires_on=TODAY + timedelta(days=10))
    services.revoke(consent, reason="取消し", actor=team.manager, now=NOW)
    assert list(consent_expiry(db.session, TODAY)) == []

"""The stored subcontract node states (``oversight.subcontracts.states``): written in the transaction that
changes a node, a consent or a contract, for every node of the chain, re-judged at the day boundary, and
never read stale. (Every test of the suite also checks the stored rows against a fresh judgement:
``tests/conftest.py``.)"""

from __future__ import annotations

from datetime import timedelta

import pytest

from oversight.core.timeutil import local_today
from oversight.extensions import db
from oversight.scheduler import run_day_boundary
from oversight.subcontracts import lights, states, violations
from oversight.subcontracts.models import Subcontract, SubcontractConsent, SubcontractState
from tests.subcontracts.helpers import Team


@pytest.fixture(autouse=True)
def _objects_kept_across_commits(app_ctx):
    # The tests go on with the same nodes after a commit (their relationships load only when joined).
    db.session().expire_on_commit = False


def _code(node_id: int) -> str | None:
    return db.session.scalar(db.select(SubcontractState.code).where(SubcontractState.subcontract_id == node_id))


def test_a_node_and_its_consent_are_judged_in_their_transaction(app_ctx):
    team = Team()
    node = team.node()
    db.session.commit()
    assert _code(node.id) == lights.NODE_UNCONSENTED
    team.consented(node)
    db.session.commit()
    assert _code(node.id) == lights.NODE_CONSENTED


def test_a_consent_above_re_judges_the_nodes_below(app_ctx):
    team = Team()
    parent = team.node()
    child = team.node(parent=parent)
    team.consented(child)
    db.session.commit()
    assert _code(child.id) == lights.NODE_BELOW_UNCONSENTED
    assert violations.count(local_today()) == 2
    team.consented(parent)
    db.session.commit()
    assert (_code(parent.id), _code(child.id)) == (lights.NODE_CONSENTED, lights.NODE_CONSENTED)
    assert violations.count(local_today()) == 0


def test_a_rolled_back_change_leaves_the_stored_code(app_ctx):
    team = Team()
    node = team.node()
    db.session.commit()
    team.consented(node)
    db.session.rollback()
    assert _code(node.id) == lights.NODE_UNCONSENTED
    team.node()  # a later transaction does not carry the rolled-back change's note
    db.session.commit()
    assert _code(node.id) == lights.NODE_UNCONSENTED


def test_a_bulk_update_through_the_session_re_judges_every_node(app_ctx):
    team = Team()
    node = team.node()
    team.consented(node)
    db.session.commit()
    db.session.execute(
        db.update(SubcontractConsent)
        .where(SubcontractConsent.subcontract_id == node.id)
        .values(expires_on=local_today() - timedelta(days=1))
    )
    db.session.commit()
    assert _code(node.id) == lights.NODE_UNCONSENTED


def test_an_expiring_consent_is_re_judged_on_a_later_day(app_ctx, app):
    team = Team()
    node = team.node()
    team.consented(node, expires_on=local_today() + timedelta(days=1))
    db.session.commit()
    assert _code(node.id) == lights.NODE_EXPIRING
    later = local_today() + timedelta(days=2)
    # A reader on a later day (before the midnight job) judges the stale rows first.
    assert states.ensure_current(later) == 1
    assert _code(node.id) == lights.NODE_UNCONSENTED
    assert violations.count(later) == 1
    db.session.rollback()
    # The midnight job judges every node on the new day.
    run_day_boundary(app)
    as_of = db.select(SubcontractState.as_of).where(SubcontractState.subcontract_id == node.id)
    assert db.session.scalar(as_of) == local_today()


def test_a_deleted_node_leaves_no_stored_code(app_ctx):
    team = Team()
    node = team.node()
    db.session.commit()
    node_id = node.id
    db.session.delete(db.session.get(Subcontract, node_id))
    db.session.commit()
    assert _code(node_id) is None

"""Helpers for evaluation tests: users, vendors and evaluations in a given state."""

from __future__ import annotations

from datetime import UTC, date, datetime

from oversight.auth import services as auth_services
from oversight.evaluations import services as evaluation_services
from oversight.evaluations.models import CONFORMING
from oversight.extensions import db
from tests.vendors.factories import create_vendor

NOW = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
TODAY = date(2026, 11, 26)


def user(*roles: str, email: str):
    return auth_services.create_user(
        email=email, name=email.split("@")[0], password="x" * 16, roles=list(roles), language="ja", actor=None
    )


def answer_all(evaluation, answer: str = CONFORMING, **overrides: str) -> None:
    """Set every item to ``answer``; ``overrides`` maps item codes to other answers."""
    values = {}
    for item_answer in evaluation.answers:
        values[item_answer.item_id] = {"answer": overrides.get(item_answer.item.code, answer), "comment": ""}
    evaluation_services.save_answers(evaluation, values, actor=None, now=NOW)


def started(vendor=None, actor=None):
    vendor = vendor or create_vendor()
    db.session.flush()
    return evaluation_services.start_evaluation(vendor, actor=actor, now=NOW)


def submitted(submitter, decision: str = "approve", conditions: str = "", vendor=None, **overrides: str):
    evaluation = started(vendor=vendor, actor=submitter)
    answer_all(evaluation, **overrides)
    evaluation_services.submit(evaluation, decision=decision, conditions=conditions, note="", actor=submitter, now=NOW)
    return evaluation

"""A test-only reminder rule over users, standing in for the feature rules that come later."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from oversight.admin.reminder_settings import stage_policy
from oversight.auth.models import User
from oversight.core import registry
from oversight.core.due import DueItem, days_late, reminder_stage
from oversight.core.registry import Feature

RULE_NAME = "tests.account_review"
TODAY = date(2026, 12, 1)
NOW = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)  # 08:30 on 2026-12-01 in Tokyo


@dataclass
class AccountReview:
    """Pretend each listed user's account is up for review on ``due_on``; ``extra`` also get told."""

    user_ids: list[int] = field(default_factory=list)
    due_on: date = TODAY
    extra: set[int] = field(default_factory=set)
    escalate_when_late: bool = True
    calls: int = 0


@pytest.fixture
def account_review(app):
    state = AccountReview()

    def account_review_rule(session, today):
        state.calls += 1
        policy = stage_policy()
        for user in session.scalars(select(User).where(User.id.in_(state.user_ids)).order_by(User.id)):
            stage = reminder_stage(state.due_on, today, policy)
            if stage is None:
                continue
            yield DueItem(
                rule=RULE_NAME,
                kind="general",
                object_type="user",
                object_id=user.id,
                title=f"アカウント確認: {user.name}",
                due_on=state.due_on,
                stage=stage,
                days_late=days_late(state.due_on, today),
                url_path=f"/admin/users/{user.id}/edit",
                recipients=frozenset({user.id, *state.extra}),
                escalate=state.escalate_when_late and today > state.due_on,
            )

    with registry.of(app).extra(Feature("tests", reminder_rules=(account_review_rule,))):
        yield state

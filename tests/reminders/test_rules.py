"""Reminder stages and the settings behind them."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from oversight.admin import reminder_settings as settings
from oversight.admin.models import Setting
from oversight.core.due import StagePolicy, days_late, reminder_stage
from oversight.extensions import db

DUE = date(2026, 12, 10)
POLICY = StagePolicy(lead_days=(30, 7, 1), overdue_repeat_days=7)


@pytest.mark.parametrize(
    ("days_before", "stage"),
    [
        (31, None), (30, "lead-30"), (8, "lead-30"), (7, "lead-7"), (2, "lead-7"), (1, "lead-1"), (0, "due"),
        (-1, "overdue-1"), (-7, "overdue-1"), (-8, "overdue-2"), (-15, "overdue-3"),
    ],
)
def test_stage_by_days_before_the_due_date(days_before, stage):
    assert reminder_stage(DUE, DUE - timedelta(days=days_before), POLICY) == stage


def test_days_late():
    assert days_late(DUE, DUE + timedelta(days=3)) == 3
    assert days_late(DUE, DUE - timedelta(days=2)) == -2


def test_defaults_apply_without_stored_settings(app_ctx):
    assert settings.stage_policy() == StagePolicy((30, 7, 1), 7)
    assert settings.sweep_time() == time(8, 30)


def test_stored_settings_change_the_stages_and_the_sweep_time(app_ctx):
    db.session.add_all([
        Setting(key=settings.LEAD_DAYS, value="14, 3"),
        Setting(key=settings.OVERDUE_REPEAT_DAYS, value=1),
        Setting(key=settings.SWEEP_TIME, value="07:45"),
    ])
    db.session.commit()

    policy = settings.stage_policy()

    assert policy == StagePolicy((14, 3), 1)
    assert reminder_stage(DUE, DUE - timedelta(days=20), policy) is None
    assert reminder_stage(DUE, DUE - timedelta(days=10), policy) == "lead-14"
    assert reminder_stage(DUE, DUE + timedelta(days=2), policy) == "overdue-2"
    assert settings.sweep_time() == time(7, 45)


@pytest.mark.parametrize(("text", "expected"), [("30,7,1", (30, 7, 1)), (" 1, 60 ,1", (60, 1)), ("x", (30, 7, 1)),
                                                ("0,-3", (30, 7, 1)), ("", (30, 7, 1))])
def test_lead_days_parsing(text, expected):
    assert settings.parse_lead_days(text) == expected


def test_due_item_refuses_values_the_log_cannot_hold_and_takes_a_set_of_recipients():
    from oversight.core.due import DueItem

    values = dict(rule="r", kind="general", object_type="user", object_id=1, title="t", due_on=DUE, days_late=0,
                  url_path="/", recipients={1, 2})
    assert DueItem(stage="due", **values).recipients == frozenset({1, 2})
    with pytest.raises(ValueError, match="stage is longer than 20"):
        DueItem(stage="x" * 21, **values)

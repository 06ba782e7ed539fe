"""Reminder rule: a selection evaluation 30 days before it expires, then weekly once expired."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from oversight.core import registry
from oversight.evaluations import rules
from oversight.evaluations.models import REJECTED
from oversight.extensions import db
from oversight.reminders import services
from oversight.reminders.models import ReminderLog
from tests.audits.helpers import active_vendor
from tests.contracts.helpers import approve_selection, user

VALID_UNTIL = date(2026, 12, 10)


def _people():
    return (
        user("procurement", email="owner@example.com"),
        user("manager", email="manager@example.com"),
        user("manager", email="boss@example.com"),
    )


def test_the_rule_is_registered(app):
    assert rules.evaluation_expiry in registry.of(app).reminder_rules()


def test_expiring_goes_to_owner_and_manager_and_expired_escalates(app_ctx):
    owner, manager, boss = _people()
    vendor = active_vendor(owner_id=owner.id, manager_id=manager.id)
    evaluation = approve_selection(vendor, valid_until=VALID_UNTIL)
    db.session.commit()

    assert list(rules.evaluation_expiry(db.session, VALID_UNTIL - timedelta(days=31))) == []
    (soon,) = rules.evaluation_expiry(db.session, VALID_UNTIL - timedelta(days=30))
    assert (soon.object_id, soon.stage, soon.escalate) == (evaluation.id, "lead-30", False)
    assert soon.recipients == {owner.id, manager.id}
    assert soon.url_path == f"/evaluations/{evaluation.id}"
    (expired,) = rules.evaluation_expiry(db.session, VALID_UNTIL + timedelta(days=1))
    assert (expired.stage, expired.escalate) == ("overdue-1", True)
    assert expired.recipients == {owner.id, manager.id, boss.id}


def test_only_the_latest_decision_of_a_watched_vendor_counts(app_ctx):
    owner, manager, _ = _people()
    replaced = active_vendor(owner_id=owner.id, manager_id=manager.id)
    approve_selection(replaced, valid_until=VALID_UNTIL)
    newer = approve_selection(replaced, valid_until=VALID_UNTIL + timedelta(days=365))
    newer.decided_at = datetime(2026, 11, 27, tzinfo=UTC)
    rejected = active_vendor(owner_id=owner.id)
    approve_selection(rejected, valid_until=VALID_UNTIL, status=REJECTED)
    ended = active_vendor(status="ended", owner_id=owner.id)
    approve_selection(ended, valid_until=VALID_UNTIL)
    db.session.commit()
    assert list(rules.evaluation_expiry(db.session, VALID_UNTIL)) == []


def test_stepping_through_the_days_sends_each_stage_once(app_ctx, smtp_server):
    owner, manager, _ = _people()
    vendor = active_vendor(owner_id=owner.id, manager_id=manager.id)
    approve_selection(vendor, valid_until=VALID_UNTIL)
    db.session.commit()

    start = date(2026, 11, 1)
    for offset in range(50):  # 2026-11-01 … 2026-12-20, twice a day
        today = start + timedelta(days=offset)
        for _ in range(2):
            services.send_due_reminders(today, datetime.combine(today, datetime.min.time(), UTC))

    stages = db.session.execute(
        db.select(ReminderLog.stage, ReminderLog.due_on, db.func.count())
        .where(ReminderLog.rule == "evaluations.evaluation_expiry", ReminderLog.recipient_id == owner.id)
        .group_by(ReminderLog.stage, ReminderLog.due_on)
        .order_by(ReminderLog.stage)
    ).all()
    assert [(stage, count) for stage, _, count in stages] == [
        ("due", 1),
        ("lead-30", 1),
        ("overdue-1", 1),
        ("overdue-2", 1),
    ]

"""Acceptance: on the demo data, one sweep at a fixed day reminds something for every registered rule."""

from __future__ import annotations

from datetime import UTC, date, datetime

from oversight.core import registry
from oversight.core.due import rule_key
from oversight.demo import cli as demo_cli
from oversight.extensions import db
from oversight.reminders import services
from oversight.reminders.models import ReminderLog

TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)  # 08:30 on 2026-11-26 in Tokyo


def test_a_sweep_over_the_demo_data_covers_every_rule(app, monkeypatch, smtp_server):
    monkeypatch.setattr(demo_cli, "local_today", lambda: TODAY)
    result = app.test_cli_runner().invoke(demo_cli.seed, [])
    assert result.exit_code == 0, result.output

    with app.app_context():
        features = registry.current()
        rules = [rule for rule in features.reminder_rules() if not rule.__module__.startswith("tests.")]
        declared = {kind.kind for feature in features.features for kind in feature.digest_kinds}
        empty = [rule_key(rule) for rule in rules if not list(rule(db.session, TODAY))]
        assert empty == []

        sweep = services.send_due_reminders(TODAY, NOW)
        assert sweep.rule_errors == [] and sweep.failed == []
        kinds = set(db.session.scalars(db.select(ReminderLog.kind).distinct()))
        rule_names = set(db.session.scalars(db.select(ReminderLog.rule).distinct()))

    assert len(rule_names) >= len(rules)
    assert kinds == declared - {"general"}
    assert smtp_server.messages and len(smtp_server.messages) == len(sweep.digests)

"""Retention of the outbox (``flask webhooks prune``, the daily job): settled old rows go, in batches, with one
activity-log entry per run; an event with a pending delivery, or a time-based (keyed) one, stays."""

from __future__ import annotations

from datetime import date, timedelta

from oversight.activity.models import ActivityLog
from oversight.admin.settings import edit_state, save_settings, stored_settings
from oversight.core import registry
from oversight.core.timeutil import utcnow
from oversight.events import services as events
from oversight.events import types as event_types
from oversight.events.models import Event
from oversight.extensions import db
from oversight.webhooks import delivery, retention
from oversight.webhooks.models import DELIVERED, FAILED, PENDING, WebhookDelivery
from tests.webhooks.helpers import endpoint

NOW = utcnow()
OLD = NOW - timedelta(days=200)  # past the default 180 days
RECENT = NOW - timedelta(days=10)


def _event(at):
    facts = {"contract_id": 1, "vendor_id": 1, "number": "CT-1", "signed_on": date(2026, 3, 20),
             "end_on": date(2027, 3, 31)}
    found = events.record(event_types.CONTRACT_SIGNED, facts, now=at)
    db.session.flush()
    return found


def _settle(event, status, at):
    """The event's deliveries given ``status``, their last attempt at ``at``."""
    values = {"status": status, "last_attempt_at": at, "attempts": 1, "next_attempt_at": None}
    if status == DELIVERED:
        values["delivered_at"] = at
    db.session.execute(db.update(WebhookDelivery).where(WebhookDelivery.event_id == event.id).values(**values))
    db.session.commit()


def _event_ids():
    return set(db.session.scalars(db.select(Event.id)))


def _deliveries_of(*found):
    return db.session.scalar(
        db.select(db.func.count()).where(WebhookDelivery.event_id.in_([event.id for event in found]))
    )


def _logged():
    query = db.select(ActivityLog.summary).where(ActivityLog.action == "webhook.prune").order_by(ActivityLog.id)
    return list(db.session.scalars(query))


def test_old_settled_rows_go_and_pending_keyed_or_recent_ones_stay(app_ctx):
    endpoint("http://127.0.0.1:9/hook", now=OLD - timedelta(days=1))
    delivered_old, failed_old, waiting_old = _event(OLD), _event(OLD), _event(OLD)
    delivered_recent = _event(RECENT)
    delivered_late = _event(OLD)  # recorded long ago, delivered only lately
    db.session.commit()
    delivery.dispatch(OLD)
    _settle(delivered_old, DELIVERED, OLD)
    _settle(failed_old, FAILED, OLD)
    _settle(delivered_recent, DELIVERED, RECENT)
    _settle(delivered_late, DELIVERED, RECENT)
    keyed_old = Event(type=event_types.FINDING_OVERDUE, occurred_at=OLD, payload={}, key="finding.overdue:1",
                      dispatched_at=OLD)
    never_dispatched = _event(OLD)
    db.session.add(keyed_old)
    db.session.commit()
    assert _deliveries_of(waiting_old) == 1

    result = retention.prune(NOW)

    assert (result.deliveries, result.events) == (2, 2)
    assert _event_ids() == {waiting_old.id, delivered_recent.id, delivered_late.id, keyed_old.id,
                            never_dispatched.id}
    assert _deliveries_of(waiting_old) == 1  # still pending, however old
    assert db.session.scalar(db.select(WebhookDelivery.status).where(WebhookDelivery.event_id == waiting_old.id)) \
        == PENDING
    assert _deliveries_of(delivered_recent, delivered_late) == 2
    assert _logged() == [f"2 events, 2 deliveries older than {result.cutoff.isoformat()}"]
    assert result.cutoff == NOW - timedelta(days=180)


def test_the_setting_decides_the_age_and_a_run_deletes_in_batches(app_ctx, monkeypatch):
    endpoint("http://127.0.0.1:9/hook", now=OLD - timedelta(days=1))
    spent = [_event(RECENT) for _ in range(5)]
    db.session.commit()
    delivery.dispatch(RECENT)
    for event in spent:
        _settle(event, DELIVERED, RECENT)
    assert retention.prune(NOW).events == 0  # ten days old: kept by the default

    save_settings({retention.RETENTION_DAYS: 7}, actor=None, state=edit_state(stored_settings()))
    db.session.commit()
    monkeypatch.setattr(retention, "BATCH", 2)
    result = retention.prune(NOW)
    assert (result.deliveries, result.events) == (5, 5)
    assert _event_ids() == set()
    assert len(_logged()) == 2  # one entry per run, also for the run that found nothing
    assert _logged()[0].startswith("0 events, 0 deliveries")


def test_the_command_and_the_daily_job_prune(app, app_ctx):
    endpoint("http://127.0.0.1:9/hook", now=OLD - timedelta(days=1))
    spent = _event(OLD)
    db.session.commit()
    delivery.dispatch(OLD)
    _settle(spent, DELIVERED, OLD)

    output = app.test_cli_runner().invoke(args=["webhooks", "prune"]).output
    assert output.startswith("1 events and 1 deliveries older than "), output
    assert _event_ids() == set()
    assert retention.daily_prune in registry.current().daily_jobs()

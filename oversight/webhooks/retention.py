"""Retention of the event outbox and the webhook deliveries (docs/api.md, "Webhooks").

Every change records an event and every event a delivery per subscribed endpoint, so both tables grow
with the use of the app. Once a day (a daily job, and ``flask webhooks prune``) the settled ones older
than ``webhooks.retention_days`` go:

- a delivery delivered or given up (``failed``) whose last attempt is older than that;
- an event older than that, fanned out, with no delivery left (so never one still pending, whatever its
  age: a disabled endpoint's deliveries wait) and no ``key``: a time-based event's key is the guard that
  records each stage of a due date once (``events.services.record_due``), and an item can stay at a stage
  (overdue) for longer than any retention, so those rows stay, like the reminder log. Their deliveries go.

Deleted in batches of :data:`BATCH`, each committed on its own (a first run may meet years of rows); each
run leaves one entry in the activity log, with what it deleted (none too: the entry shows the job ran).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func

from oversight.activity import services as activity
from oversight.admin.settings import INTEGER, get_setting, register_setting
from oversight.events.models import Event
from oversight.extensions import db
from oversight.webhooks.models import PENDING, WebhookDelivery

RETENTION_DAYS = "webhooks.retention_days"
BATCH = 2000  # rows deleted per statement and commit

register_setting(
    RETENTION_DAYS,
    label=_l("Keep sent webhook events and deliveries for (days)"),
    help=_l("Delivered or given-up deliveries, and the events with none left, are deleted once they are older "
            "than this. An event with a delivery still waiting is always kept."),
    kind=INTEGER, default=180, min_value=7, max_value=3650,
)


@dataclass(frozen=True)
class PruneResult:
    deliveries: int
    events: int
    cutoff: datetime


def _delete_in_batches(ids_query, model) -> int:
    """Delete the rows whose ids ``ids_query`` selects, :data:`BATCH` at a time, committing each batch. Oldest
    first: in id order the old rows come first, so each batch query walks the primary key and stops soon."""
    total = 0
    while ids := list(db.session.scalars(ids_query.order_by(model.id).limit(BATCH))):
        db.session.execute(delete(model).where(model.id.in_(ids)))
        db.session.commit()
        total += len(ids)
    return total


def settled_deliveries(cutoff: datetime):
    """The ids of the deliveries delivered or given up before ``cutoff``."""
    settled_at = func.coalesce(WebhookDelivery.delivered_at, WebhookDelivery.last_attempt_at,
                               WebhookDelivery.created_at)
    return db.select(WebhookDelivery.id).where(WebhookDelivery.status != PENDING, settled_at < cutoff)


def spent_events(cutoff: datetime):
    """The ids of the events recorded before ``cutoff``, fanned out, without a key and without deliveries."""
    has_delivery = db.select(WebhookDelivery.id).where(WebhookDelivery.event_id == Event.id).exists()
    return db.select(Event.id).where(
        Event.occurred_at < cutoff, Event.dispatched_at.is_not(None), Event.key.is_(None), ~has_delivery
    )


def prune(now: datetime) -> PruneResult:
    """Delete what the retention setting no longer keeps (commits per batch) and log the run once."""
    cutoff = now - timedelta(days=get_setting(RETENTION_DAYS))
    deliveries = _delete_in_batches(settled_deliveries(cutoff), WebhookDelivery)
    events = _delete_in_batches(spent_events(cutoff), Event)
    activity.record(
        "webhook.prune", summary=f"{events} events, {deliveries} deliveries older than {cutoff.isoformat()}"
    )
    db.session.commit()
    return PruneResult(deliveries, events, cutoff)


def daily_prune(*, today, now: datetime) -> None:
    """The daily job's entry (``oversight/features.py``)."""
    prune(now)

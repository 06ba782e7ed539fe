"""Demo webhooks: one endpoint of the procurement system, disabled (the demo sends nothing outside this
machine), with a delivery log of the events the other demo data recorded."""

from __future__ import annotations

from datetime import datetime, timedelta

from oversight.events.models import Event
from oversight.extensions import db
from oversight.webhooks import errors as webhook_errors
from oversight.webhooks import services
from oversight.webhooks.models import DELIVERED, FAILED, PENDING, WebhookDelivery


def seed_webhooks(users: dict, *, now: datetime) -> None:
    admin = users["admin@example.com"]
    endpoint, _secret = services.create_endpoint(
        {"name": "購買システム（デモ）", "url": "https://procurement.example.com/hooks/oversight",
         "event_types": ["contract.signed", "contract.ending", "incident.opened", "vendor.light_changed"],
         "is_enabled": False},
        actor=admin, now=now - timedelta(days=30),
    )
    db.session.flush()
    events = db.session.scalars(
        db.select(Event).where(Event.type.in_(endpoint.event_types)).order_by(Event.id).limit(3)
    ).all()
    for event, (status, code, attempts, error, params) in zip(events, (
        (DELIVERED, 200, 1, "", None),
        (FAILED, 503, 8, webhook_errors.HTTP_STATUS, {"status": 503}),
        (PENDING, None, 2, webhook_errors.TIMEOUT, {"seconds": 10}),
    ), strict=False):
        db.session.add(WebhookDelivery(
            endpoint=endpoint, event_id=event.id, status=status, attempts=attempts, created_at=now,
            last_attempt_at=now, response_code=code, error_code=error, error_params=params,
            delivered_at=now if status == DELIVERED else None,
            next_attempt_at=now + timedelta(minutes=2) if status == PENDING else None,
        ))
        event.dispatched_at = now

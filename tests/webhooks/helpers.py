"""Helpers for the webhook tests: an endpoint registered through the service, an event recorded."""

from __future__ import annotations

from datetime import date

from oversight.core.timeutil import utcnow
from oversight.events import services as events
from oversight.events import types as event_types
from oversight.extensions import db
from oversight.webhooks import services
from oversight.webhooks.models import WebhookEndpoint


def endpoint(url: str, kinds=(event_types.CONTRACT_SIGNED,), *, enabled: bool = True, name: str | None = None,
             now=None):
    if name is None:  # names are unique: 購買システム, then 購買システム 2, 3…
        count = db.session.scalar(db.select(db.func.count()).select_from(WebhookEndpoint)) or 0
        name = "購買システム" if count == 0 else f"購買システム {count + 1}"
    found, _secret = services.create_endpoint(
        {"name": name, "url": url, "event_types": list(kinds), "is_enabled": enabled}, actor=None, now=now or utcnow()
    )
    db.session.commit()
    return found


# Facts as the services record them (every type's payload is checked against its model, events.payloads).
SAMPLES = {
    event_types.CONTRACT_SIGNED: {"contract_id": 1, "vendor_id": 1, "number": "CT-1", "signed_on": date(2026, 3, 20),
                                  "end_on": date(2027, 3, 31)},
    event_types.INCIDENT_OPENED: {"incident_id": 1, "vendor_id": 1, "contract_id": 1, "kind": "leak",
                                  "is_suspected": False, "occurred_on": date(2026, 3, 1), "vendor_knew_on": None},
    event_types.DISPOSAL_CONFIRMED: {"disposal_id": 1, "contract_id": 1, "vendor_id": 1,
                                     "confirmed_at": utcnow().replace(microsecond=0)},
}


def event(kind: str = event_types.CONTRACT_SIGNED, **facts):
    found = events.record(kind, {**SAMPLES[kind], **facts})
    db.session.commit()
    return found

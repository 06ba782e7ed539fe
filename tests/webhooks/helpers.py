"""Helpers for the webhook tests: an endpoint registered through the service, an event recorded."""

from __future__ import annotations

from oversight.core.timeutil import utcnow
from oversight.events import services as events
from oversight.events import types as event_types
from oversight.extensions import db
from oversight.webhooks import services


def endpoint(url: str, kinds=(event_types.CONTRACT_SIGNED,), *, enabled: bool = True, name: str = "購買システム",
             now=None):
    found, _secret = services.create_endpoint(
        {"name": name, "url": url, "event_types": list(kinds), "is_enabled": enabled}, actor=None, now=now or utcnow()
    )
    db.session.commit()
    return found


def event(kind: str = event_types.CONTRACT_SIGNED, **facts):
    found = events.record(kind, {"contract_id": 1, **facts})
    db.session.commit()
    return found

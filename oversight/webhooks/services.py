"""Webhook endpoints (registered by admins, every change in the activity log) and the queries of the
pages. Services don't commit; the views do. The sending is in :mod:`oversight.webhooks.delivery`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func
from sqlalchemy.exc import IntegrityError

from oversight.activity import services as activity
from oversight.core.errors import RuleError
from oversight.core.integrity import breaks_unique
from oversight.events import services as events
from oversight.events import types as event_types
from oversight.extensions import db
from oversight.webhooks import signing
from oversight.webhooks.models import NAME_UNIQUE, PENDING, WebhookDelivery, WebhookEndpoint
from oversight.webhooks.urls import url_refusal

FIELDS = ("name", "url", "event_types", "is_enabled")


class WebhookRuleError(RuleError):
    """A webhook step the rules refuse."""


class DuplicateNameError(WebhookRuleError):
    """Another endpoint has the name (shown next to the name field)."""


DUPLICATE_NAME = _l("Another endpoint already has this name.")


def name_taken(name: str, endpoint: WebhookEndpoint | None = None) -> bool:
    """Whether an endpoint other than ``endpoint`` is named ``name`` (names are unique: the delivery log, the
    activity log and the receivers tell the endpoints apart by it)."""
    query = db.select(WebhookEndpoint.id).where(WebhookEndpoint.name == name.strip())
    if endpoint is not None and endpoint.id is not None:
        query = query.where(WebhookEndpoint.id != endpoint.id)
    return db.session.scalar(query.limit(1)) is not None


def allow_http() -> bool:
    return bool(current_app.config.get("WEBHOOK_ALLOW_HTTP"))


def _clean(values: dict[str, Any], endpoint: WebhookEndpoint | None = None) -> dict[str, Any]:
    cleaned = {
        "name": (values.get("name") or "").strip(),
        "url": (values.get("url") or "").strip(),
        "event_types": [kind for kind in event_types.SUBSCRIBABLE if kind in (values.get("event_types") or ())],
        "is_enabled": bool(values.get("is_enabled", True)),
    }
    if not cleaned["name"]:
        raise WebhookRuleError(_l("Give the endpoint a name."))
    if name_taken(cleaned["name"], endpoint):
        raise DuplicateNameError(DUPLICATE_NAME)
    refusal = url_refusal(cleaned["url"], allow_http=allow_http())
    if refusal is not None:
        raise WebhookRuleError(refusal)
    if not cleaned["event_types"]:
        raise WebhookRuleError(_l("Choose at least one event type."))
    return cleaned


def endpoint_query() -> Select:
    """Every endpoint, by name, with its count of pending and failed deliveries."""
    return db.select(WebhookEndpoint).order_by(WebhookEndpoint.name, WebhookEndpoint.id)


def delivery_counts(endpoint_ids: list[int]) -> dict[int, dict[str, int]]:
    """Each endpoint's number of deliveries per status, in one query."""
    counts: dict[int, dict[str, int]] = {endpoint_id: {} for endpoint_id in endpoint_ids}
    if not endpoint_ids:
        return counts
    rows = db.session.execute(
        db.select(WebhookDelivery.endpoint_id, WebhookDelivery.status, func.count())
        .where(WebhookDelivery.endpoint_id.in_(endpoint_ids))
        .group_by(WebhookDelivery.endpoint_id, WebhookDelivery.status)
    )
    for endpoint_id, status, count in rows:
        counts[endpoint_id][status] = count
    return counts


def delivery_query(endpoint: WebhookEndpoint, status: str = "") -> Select:
    """An endpoint's deliveries, newest first (with their events)."""
    query = db.select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
    if status:
        query = query.where(WebhookDelivery.status == status)
    return query.order_by(WebhookDelivery.id.desc())


def _flush_name(endpoint: WebhookEndpoint) -> None:
    """Write the endpoint now: an endpoint given the same name by another admin between :func:`name_taken`
    and this write breaks the names' unique constraint, answered as the same refusal next to the name field
    (the caller rolls the transaction back), not a 500."""
    try:
        db.session.flush()
    except IntegrityError as error:
        if breaks_unique(error, NAME_UNIQUE):
            raise DuplicateNameError(DUPLICATE_NAME) from error
        raise


def create_endpoint(values: dict[str, Any], *, actor: Any, now: datetime) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint with a new secret; returns it and the secret (shown to the admin)."""
    cleaned = _clean(values)
    endpoint = WebhookEndpoint(**cleaned, secret=signing.new_secret(), created_by_id=getattr(actor, "id", None),
                               created_at=now, updated_at=now)
    db.session.add(endpoint)
    _flush_name(endpoint)
    activity.record(
        "webhook.create", actor=actor, target=endpoint, summary=f"{endpoint.name}: {endpoint.url}",
        changes={name: [None, value] for name, value in cleaned.items()},
    )
    return endpoint, endpoint.secret


def update_endpoint(endpoint: WebhookEndpoint, values: dict[str, Any], *, actor: Any) -> dict[str, list]:
    """Change an endpoint's name, URL, event types or enabled state; the changes logged."""
    cleaned = _clean(values, endpoint)
    changes = {}
    for name, value in cleaned.items():
        before = getattr(endpoint, name)
        if before != value:
            changes[name] = [before, value]
            setattr(endpoint, name, value)
    if "name" in changes:
        _flush_name(endpoint)
    if changes:
        activity.record("webhook.update", actor=actor, target=endpoint, summary=endpoint.name,
                        changes=changes)
    return changes


def set_enabled(endpoint: WebhookEndpoint, enabled: bool, *, actor: Any) -> None:
    if endpoint.is_enabled == enabled:
        return
    endpoint.is_enabled = enabled
    activity.record("webhook.enable" if enabled else "webhook.disable", actor=actor, target=endpoint,
                    summary=endpoint.name, changes={"is_enabled": [not enabled, enabled]})


def rotate_secret(endpoint: WebhookEndpoint, *, actor: Any) -> str:
    """A new secret (the old one stops signing at once); returns it, to be shown to the admin."""
    endpoint.secret = signing.new_secret()
    activity.record("webhook.rotate_secret", actor=actor, target=endpoint, summary=endpoint.name)
    return endpoint.secret


def delete_endpoint(endpoint: WebhookEndpoint, *, actor: Any) -> None:
    """Remove an endpoint and its delivery log (the events stay)."""
    activity.record("webhook.delete", actor=actor, target=endpoint, summary=f"{endpoint.name}: {endpoint.url}",
                    changes={"url": [endpoint.url, None]})
    db.session.execute(db.delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
    db.session.delete(endpoint)


def send_test(endpoint: WebhookEndpoint, *, actor: Any, now: datetime) -> WebhookDelivery:
    """Queue a ``webhook.test`` event to this endpoint only (sent by the next delivery run)."""
    if not endpoint.is_enabled:
        raise WebhookRuleError(_l("Enable the endpoint before sending it a test event."))
    event = events.record(event_types.TEST, {"endpoint_id": endpoint.id, "message": "Test event from Oversight"},
                          now=now)
    event.dispatched_at = now  # for this endpoint only: the fan-out passes it by
    delivery = WebhookDelivery(endpoint=endpoint, event=event, status=PENDING, created_at=now, next_attempt_at=now)
    db.session.add(delivery)
    activity.record("webhook.test", actor=actor, target=endpoint, summary=endpoint.name)
    return delivery


def retry_delivery(delivery: WebhookDelivery, *, actor: Any, now: datetime) -> None:
    """Send a failed delivery again at the next run (one more attempt; the same event id)."""
    if delivery.status != "failed":
        raise WebhookRuleError(_l("Only a failed delivery can be sent again."))
    delivery.status, delivery.next_attempt_at = PENDING, now
    activity.record("webhook.retry", actor=actor, target=delivery.endpoint, summary=delivery.event.event_id,
                    changes={"status": ["failed", PENDING]})


STATUS_LABELS = {"pending": _l("To be sent"), "delivered": _l("Delivered"), "failed": _l("Failed")}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))

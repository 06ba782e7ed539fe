"""Sending the events: the fan-out of recorded events into deliveries, and the signed, retried POSTs.

Run by the scheduler process (``scheduler.run_webhooks``, every minute) and by ``flask webhooks
deliver``. At least once: a delivery is claimed for a lease before it is sent and settled after, so a
process that dies in between leaves it to be sent again when the lease ends; receivers de-duplicate on
the ``webhook-id`` header (the event id, the same on every attempt). Requests go only to the endpoint's
URL: redirects are not followed (a 3xx counts as a failure), no proxy from the environment is used, and
each attempt has a timeout.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import requests
from flask import current_app
from sqlalchemy import insert, update

from oversight.core.timeutil import utcnow
from oversight.events.models import Event
from oversight.extensions import db
from oversight.webhooks import errors, signing
from oversight.webhooks.models import DELIVERED, FAILED, PENDING, WebhookDelivery, WebhookEndpoint

log = logging.getLogger(__name__)

BATCH = 200  # events fanned out, or deliveries claimed, per statement
LEASE = timedelta(minutes=5)  # a claimed delivery is not claimed again before this (then: sent again)
USER_AGENT = "Oversight-Webhooks/1"


@dataclass
class RunResult:
    dispatched: int = 0  # events fanned out
    created: int = 0  # deliveries made
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def body_of(event: Event) -> bytes:
    """The JSON body of an event's deliveries: the same bytes on every attempt."""
    document = {"id": event.event_id, "type": event.type, "timestamp": event.occurred_at.isoformat(),
                "data": event.payload}
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: the first wait, doubled each time, capped."""
    config = current_app.config
    seconds = config["WEBHOOK_RETRY_SECONDS"] * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, config["WEBHOOK_RETRY_CAP_SECONDS"]))


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def dispatch(now: datetime) -> tuple[int, int]:
    """Make a delivery for each recorded event not yet dispatched and each enabled endpoint subscribed
    to its type (registered before the event); mark the events dispatched. Commits per batch. Returns
    (events, deliveries)."""
    dispatched = created = 0
    while True:
        query = db.select(Event.id, Event.type, Event.occurred_at).where(Event.dispatched_at.is_(None))
        query = query.order_by(Event.id).limit(BATCH)
        if _is_postgresql():
            query = query.with_for_update(skip_locked=True)
        found = db.session.execute(query).all()
        if not found:
            db.session.commit()
            return dispatched, created
        endpoints = db.session.execute(
            db.select(WebhookEndpoint.id, WebhookEndpoint.event_types, WebhookEndpoint.created_at)
            .where(WebhookEndpoint.is_enabled.is_(True))
        ).all()
        rows = [
            {"endpoint_id": endpoint.id, "event_id": event.id, "status": PENDING, "attempts": 0,
             "created_at": now, "next_attempt_at": now, "error_code": "", "last_error": ""}
            for event in found
            for endpoint in endpoints
            if event.type in (endpoint.event_types or ()) and endpoint.created_at <= event.occurred_at
        ]
        if rows:
            db.session.execute(insert(WebhookDelivery), rows)
        db.session.execute(
            update(Event).where(Event.id.in_([event.id for event in found])).values(dispatched_at=now)
        )
        db.session.commit()
        dispatched, created = dispatched + len(found), created + len(rows)


def claim(now: datetime, limit: int = BATCH, skip: set[int] | None = None) -> list[int]:
    """The ids of deliveries due now (pending, endpoint enabled; not in ``skip``), taken for :data:`LEASE`.
    Commits."""
    query = (
        db.select(WebhookDelivery.id)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookDelivery.status == PENDING, WebhookDelivery.next_attempt_at <= now,
               WebhookEndpoint.is_enabled.is_(True))
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
    )
    if skip:
        query = query.where(WebhookDelivery.id.not_in(skip))
    if _is_postgresql():
        query = query.with_for_update(skip_locked=True, of=WebhookDelivery)
    ids = list(db.session.scalars(query))
    if ids:
        db.session.execute(
            update(WebhookDelivery).where(WebhookDelivery.id.in_(ids)).values(next_attempt_at=now + LEASE)
        )
    db.session.commit()
    return ids


def _post(
    http: requests.Session, endpoint: WebhookEndpoint, event: Event
) -> tuple[int | None, str, dict[str, Any] | None]:
    """One attempt: (response code or None, error code and its parameters (``webhooks.errors``), an empty code
    when the receiver took it)."""
    body = body_of(event)
    headers = signing.headers(endpoint.secret, event.event_id, int(time.time()), body)
    headers["user-agent"] = USER_AGENT
    timeout = current_app.config["WEBHOOK_TIMEOUT_SECONDS"]
    try:
        response = http.post(endpoint.url, data=body, headers=headers, timeout=timeout, allow_redirects=False,
                             stream=True)  # the answer's body is not read
    except requests.Timeout:
        return None, errors.TIMEOUT, {"seconds": timeout}
    except requests.RequestException as exc:
        return None, errors.REQUEST_FAILED, {"detail": f"{type(exc).__name__}: {exc}"[:500]}
    code = response.status_code
    response.close()
    if 200 <= code < 300:
        return code, "", None
    if 300 <= code < 400:
        return code, errors.REDIRECT, {"status": code}
    return code, errors.HTTP_STATUS, {"status": code}


def attempt(delivery: WebhookDelivery, http: requests.Session, now: datetime) -> str:
    """Send ``delivery`` once and record the outcome (the caller commits); the new status."""
    code, error, params = _post(http, delivery.endpoint, delivery.event)
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.response_code = code
    delivery.error_code, delivery.error_params, delivery.last_error = error, params, ""
    if not error:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = DELIVERED, now, None
    elif delivery.attempts >= current_app.config["WEBHOOK_MAX_ATTEMPTS"]:
        delivery.status, delivery.next_attempt_at = FAILED, None
    else:
        delivery.next_attempt_at = now + retry_delay(delivery.attempts)
    return delivery.status


def new_client() -> requests.Session:
    """An HTTP client for one run: its connections kept between the deliveries of the run; nothing
    from the environment (proxies, .netrc)."""
    http = requests.Session()
    http.trust_env = False
    return http


def run(now: datetime | None = None, *, limit: int = 1000) -> RunResult:
    """Fan out new events, then send every delivery due (at most ``limit``), each committed on its own and
    attempted at most once per run."""
    result, seen = RunResult(), set()
    result.dispatched, result.created = dispatch(now or utcnow())
    with new_client() as http:
        while result.delivered + result.retrying + result.failed < limit:
            ids = claim(now or utcnow(), min(BATCH, limit), seen)
            if not ids:
                break
            seen.update(ids)
            for delivery_id in ids:
                delivery = db.session.get(WebhookDelivery, delivery_id)
                if delivery is None:
                    continue
                try:
                    status = attempt(delivery, http, now or utcnow())
                    db.session.commit()
                except Exception as exc:  # one endpoint's trouble does not stop the others
                    db.session.rollback()
                    log.exception("Webhook delivery %s failed", delivery_id)
                    result.errors.append(f"{delivery_id}: {type(exc).__name__}: {exc}")
                    continue
                if status == DELIVERED:
                    result.delivered += 1
                elif status == FAILED:
                    result.failed += 1
                else:
                    result.retrying += 1
    return result

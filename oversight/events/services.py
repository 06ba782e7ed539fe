"""Recording events: in the caller's transaction (services don't commit), so an event exists exactly
when the change it reports was committed.

The change's service calls :func:`record`; a time-based event (a due date reaching a stage) comes from
a daily job through :func:`record_due`, keyed by item, due date and stage, so it is recorded once
however often the job runs. Delivery is the webhooks' business (``oversight.webhooks``), not this one's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select

from oversight.core.due import DueItem
from oversight.core.timeutil import utcnow
from oversight.events import payloads
from oversight.events.models import Event, new_event_id
from oversight.extensions import db

KEY_BATCH = 500  # keys looked up per statement (SQLite's bound-parameter limit is far above)


def plain(value: Any) -> Any:
    """A payload value as JSON: dates and instants in ISO 8601."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _payload(event_type: str, facts: dict[str, Any]) -> dict[str, Any]:
    """``facts`` as stored and sent, once checked against the type's declared payload (``events.payloads``)."""
    payloads.check(event_type, facts)
    return {name: plain(value) for name, value in facts.items()}


def record(event_type: str, facts: dict[str, Any], *, now: datetime | None = None) -> Event:
    """Add one event to the session (the caller commits with the change it reports)."""
    event = Event(event_id=new_event_id(), type=event_type, occurred_at=now or utcnow(),
                  payload=_payload(event_type, facts))
    db.session.add(event)
    return event


def record_many(event_type: str, facts: Iterable[dict[str, Any]], *, now: datetime | None = None,
                session: Any = None) -> int:
    """Insert one event per ``facts`` in one statement (no ORM objects: the status store records them
    while the session commits); the number recorded."""
    moment = now or utcnow()
    rows = [
        {"event_id": new_event_id(), "type": event_type, "occurred_at": moment, "payload": _payload(event_type, each)}
        for each in facts
    ]
    if rows:
        (session or db.session).execute(insert(Event), rows)
    return len(rows)


def recorded_keys(keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), KEY_BATCH):
        batch = keys[start:start + KEY_BATCH]
        found |= set(db.session.scalars(select(Event.key).where(Event.key.in_(batch))))
    return found


def record_due(
    event_type: str,
    items: Iterable[DueItem],
    facts: Callable[[DueItem], dict[str, Any]],
    *,
    now: datetime | None = None,
) -> int:
    """Record ``event_type`` once per due item and stage (``items`` from a reminder rule): an item
    whose key (type, object, due date, stage) was recorded before is skipped. The number recorded."""
    wanted: dict[str, DueItem] = {}
    for item in items:
        key = f"{event_type}:{item.object_type}:{item.object_id}:{item.due_on.isoformat()}:{item.stage}"
        wanted.setdefault(key[:200], item)
    if not wanted:
        return 0
    known = recorded_keys(list(wanted))
    moment = now or utcnow()
    rows = [
        {"event_id": new_event_id(), "type": event_type, "occurred_at": moment, "key": key,
         "payload": _payload(event_type, facts(item))}
        for key, item in wanted.items() if key not in known
    ]
    if rows:
        db.session.execute(insert(Event), rows)
    return len(rows)


def due_facts(id_name: str) -> Callable[[DueItem], dict[str, Any]]:
    """The facts of a time-based event: the object's id under ``id_name``, its due date, stage and the
    days past it (negative: days left)."""

    def facts(item: DueItem) -> dict[str, Any]:
        return {id_name: item.object_id, "due_on": item.due_on, "stage": item.stage, "days_late": item.days_late}

    return facts

"""Time-based events of return/deletion: an item not confirmed by its due date, once per item, due
date and overdue stage."""

from __future__ import annotations

from datetime import date, datetime

from oversight.disposals.rules import disposal_due
from oversight.events import services as events
from oversight.events import types as event_types
from oversight.extensions import db


def overdue_events(today: date, now: datetime) -> int:
    """The daily job: record ``disposal.overdue`` for each item that reached a new overdue stage."""
    overdue = (item for item in disposal_due(db.session, today) if item.stage.startswith("overdue"))
    return events.record_due(event_types.DISPOSAL_OVERDUE, overdue, events.due_facts("disposal_id"), now=now)

"""Time-based events of audits: a finding past its corrective-action due date, once per finding, due
date and overdue stage (``overdue-1``, then one each repeat period of the reminder settings)."""

from __future__ import annotations

from datetime import date, datetime

from oversight.audits.rules import finding_due
from oversight.events import services as events
from oversight.events import types as event_types
from oversight.extensions import db


def overdue_events(today: date, now: datetime) -> int:
    """The daily job: record ``finding.overdue`` for each finding that reached a new overdue stage."""
    overdue = (item for item in finding_due(db.session, today) if item.stage.startswith("overdue"))
    return events.record_due(event_types.FINDING_OVERDUE, overdue, events.due_facts("finding_id"), now=now)

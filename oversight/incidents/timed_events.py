"""Time-based events of incidents: a 速報 or 確報 deadline near (the lead stages and the day itself),
once per incident, report, deadline and stage."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from oversight.core.due import DueItem
from oversight.events import services as events
from oversight.events import types as event_types
from oversight.extensions import db
from oversight.incidents.rules import STAGE_PREFIXES, incident_reports

REPORTS = {prefix: report for report, prefix in STAGE_PREFIXES.items()}  # sokuho → preliminary


def _facts(item: DueItem) -> dict[str, Any]:
    prefix, _, stage = item.stage.partition("-")
    return {"incident_id": item.object_id, "report": REPORTS.get(prefix, prefix), "due_on": item.due_on,
            "stage": stage, "days_late": item.days_late}


def deadline_events(today: date, now: datetime) -> int:
    """The daily job: record ``incident.deadline_near`` for each report deadline that reached a new stage
    before it passes (a deadline passed is the reminders' escalation, not this event)."""
    near = (item for item in incident_reports(db.session, today) if "-overdue" not in item.stage)
    return events.record_due(event_types.INCIDENT_DEADLINE_NEAR, near, _facts, now=now)

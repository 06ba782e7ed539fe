"""Time-based events of contracts: a signed contract nearing its end (or its renewal notice deadline),
once per contract, due date and stage (the reminder rule's lead stages and the day itself)."""

from __future__ import annotations

from datetime import date, datetime

from oversight.contracts.rules import contract_end
from oversight.events import services as events
from oversight.events import types as event_types
from oversight.extensions import db


def ending_events(today: date, now: datetime) -> int:
    """The daily job: record ``contract.ending`` for each contract that reached a new stage."""
    return events.record_due(
        event_types.CONTRACT_ENDING, contract_end(db.session, today), events.due_facts("contract_id"), now=now
    )

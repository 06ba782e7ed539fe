"""The event outbox: one row per domain event, written in the transaction of the change it reports."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from oversight.core.timeutil import utcnow
from oversight.core.types import UTCDateTime
from oversight.extensions import db


def new_event_id() -> str:
    return str(uuid.uuid4())


class Event(db.Model):
    """A domain event (``contract.signed``, ``finding.overdue``…) with the ids and facts a receiver needs.

    Rows are only inserted, by :func:`oversight.events.services.record` in the transaction of the change
    (a rolled-back change leaves no event), and read by the webhooks' delivery job, which marks each row
    ``dispatched_at`` once it has made a delivery per subscribed endpoint. ``event_id`` is the id every
    delivery and retry carries (receivers de-duplicate on it); ``key`` makes a time-based event (a stage of
    a due date) unique, so the daily job records it once however often it runs.
    """

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_undispatched", "dispatched_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), nullable=False, unique=True, default=new_event_id)
    type: Mapped[str] = mapped_column(String(60), nullable=False, index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    key: Mapped[str | None] = mapped_column(String(200), unique=True)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.type} {self.event_id}>"

"""The dashboard's own records: calendar feed tokens and monthly coverage snapshots."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from oversight.core.types import UTCDateTime
from oversight.extensions import db


class CalendarToken(db.Model):
    """A user's iCalendar feed token; only its SHA-256 is stored, so the URL is shown once."""

    __tablename__ = "calendar_tokens"
    activity_type = "calendar_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def __repr__(self) -> str:
        return f"<CalendarToken {self.id} user={self.user_id} active={self.is_active}>"


class CoverageSnapshot(db.Model):
    """The coverage figures as they stood in one month (one row per month)."""

    __tablename__ = "coverage_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(Date, nullable=False, unique=True)  # the month's first day
    taken_on: Mapped[date] = mapped_column(Date, nullable=False)
    evaluation_pct: Mapped[int | None] = mapped_column(Integer)
    contract_pct: Mapped[int | None] = mapped_column(Integer)
    audit_pct: Mapped[int | None] = mapped_column(Integer)
    unconsented_nodes: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    overdue_disposals: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    open_findings: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    def __repr__(self) -> str:
        return f"<CoverageSnapshot {self.month:%Y-%m}>"

"""Activity log rows. Rows are only ever inserted."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oversight.core.timeutil import utcnow
from oversight.core.types import UTCDateTime
from oversight.extensions import db

if TYPE_CHECKING:  # the activity log sits below the accounts that it records
    from oversight.auth.models import User


class ActivityLog(db.Model):
    """One thing that happened: an action by an actor on an object, with before/after values."""

    __tablename__ = "activity_log"
    __table_args__ = (
        Index("ix_activity_log_object", "object_type", "object_id"),
        Index("ix_activity_log_occurred_at_id", "occurred_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    actor_label: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    action: Mapped[str] = mapped_column(String(60), nullable=False, index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text, nullable=False, default="")
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(300))

    actor: Mapped[User | None] = relationship("User", lazy="raise")

    def __repr__(self) -> str:
        return f"<ActivityLog {self.id} {self.action} {self.object_type}:{self.object_id}>"

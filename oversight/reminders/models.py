"""The reminder log (proof of sending, guard against sending twice) and the scheduler lease."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oversight.auth.models import User
from oversight.core.timeutil import utcnow
from oversight.core.types import UTCDateTime
from oversight.extensions import db
from oversight.vendors.models import VendorContact

PENDING = "pending"
SENT = "sent"
FAILED = "failed"
LOGGED = "logged"
# Claimed by a run and being handed to the SMTP server now (committed before the message is written).
SENDING = "sending"
# The server may or may not have the message: its answer was lost, or the run died while sending.
# Sent again, with the same Message-ID, only after a long wait (services.UNCERTAIN_DELAY).
UNCERTAIN = "uncertain"
STATUSES = (PENDING, SENDING, SENT, FAILED, UNCERTAIN, LOGGED)
# Rows a run sends once their next_attempt_at has come.
UNSENT_STATUSES = (PENDING, FAILED, UNCERTAIN)

# The columns that identify one reminder: a second row with the same values is never inserted.
IDENTITY_COLUMNS = ("rule", "object_type", "object_id", "due_on", "stage", "recipient_id")
# A reminder to a vendor contact (the vendor portal's requests) has no user: the contact identifies it.
CONTACT_IDENTITY_COLUMNS = ("rule", "object_type", "object_id", "due_on", "stage", "contact_id")


class ReminderLog(db.Model):
    """One reminder for one recipient: a stage of a due date of an object, found by a rule."""

    __tablename__ = "reminder_log"
    __table_args__ = (
        UniqueConstraint(*IDENTITY_COLUMNS),
        UniqueConstraint(*CONTACT_IDENTITY_COLUMNS, name="uq_reminder_log_contact_identity"),
        CheckConstraint("(recipient_id IS NULL) <> (contact_id IS NULL)", name="one_recipient"),
        Index("ix_reminder_log_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_reminder_log_recipient_id_status", "recipient_id", "status"),
        Index("ix_reminder_log_created_at_id", "created_at", "id"),
    )
    activity_type = "reminder"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(80), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    object_type: Mapped[str] = mapped_column(String(40), nullable=False)
    object_id: Mapped[int] = mapped_column(Integer, nullable=False)
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
    stage: Mapped[str] = mapped_column(String(20), nullable=False)
    # A staff user, or (reminders of the vendor portal) a vendor contact: exactly one of the two.
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("vendor_contacts.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    url_path: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    is_escalation: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The e-mail (digest) that carried this reminder; every row of one digest shares it. Set when the digest
    # is claimed, before it is sent: its Message-ID is made from it, so a copy sent again has the same one.
    digest_id: Mapped[str | None] = mapped_column(String(32), index=True)

    recipient: Mapped[User | None] = relationship(lazy="raise")
    contact: Mapped[VendorContact | None] = relationship(lazy="raise")

    def __repr__(self) -> str:
        return f"<ReminderLog {self.id} {self.rule} {self.object_type}:{self.object_id} {self.stage} {self.status}>"

    @property
    def is_unsent(self) -> bool:
        return self.status in UNSENT_STATUSES


class SchedulerLease(db.Model):
    """A named lock with an expiry: whoever holds it may run that job; a crashed holder's lease lapses."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(120))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    def __repr__(self) -> str:
        return f"<SchedulerLease {self.name} {self.holder} until {self.expires_at}>"

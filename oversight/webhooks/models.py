"""Webhook endpoints and their deliveries (one per endpoint and event)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oversight.core.encryption import EncryptedString
from oversight.core.models import VersionedMixin
from oversight.core.timeutil import utcnow
from oversight.core.types import UTCDateTime
from oversight.events.models import Event
from oversight.extensions import db
from oversight.webhooks import errors as webhook_errors

PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"
DELIVERY_STATUSES = (PENDING, DELIVERED, FAILED)


# Names are unique (the delivery log, the activity log and the receivers tell the endpoints apart by it);
# ``services`` recognises a write this constraint refused.
NAME_UNIQUE = UniqueConstraint("name", name="uq_webhook_endpoints_name")


class WebhookEndpoint(VersionedMixin, db.Model):
    """A receiver registered by an admin: its URL, the secret the deliveries are signed with, and the
    event types it subscribes to. A disabled endpoint gets no new deliveries and its pending ones wait."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (NAME_UNIQUE,)
    activity_type = "webhook_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    url: Mapped[str] = mapped_column(String(500), nullable=False)
    # Kept (not hashed), since the deliveries are signed with it, but encrypted at rest like the TOTP secrets
    # (oversight.core.encryption). ``whsec_`` + base64 (the Standard Webhooks form).
    secret: Mapped[str] = mapped_column(EncryptedString, nullable=False)
    event_types: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    is_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"<WebhookEndpoint {self.id} {self.url}>"

    @property
    def secret_hint(self) -> str:
        """The secret's last characters, to tell which one a receiver has."""
        return f"…{self.secret[-4:]}"


class WebhookDelivery(db.Model):
    """One event to one endpoint: attempted until the receiver answers 2xx, with a growing wait between
    attempts, then given up (``failed``) after the last one. Every attempt sends the same event id."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id", name="uq_webhook_deliveries_endpoint_event"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_endpoint_id_id", "endpoint_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), nullable=False
    )
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    response_code: Mapped[int | None] = mapped_column(Integer)
    # Why the last attempt failed: a code and its parameters (``webhooks.errors``), put into words when shown.
    error_code: Mapped[str] = mapped_column(String(40), nullable=False, default="", server_default="")
    error_params: Mapped[dict | None] = mapped_column(JSON)
    # The English text stored before the codes (kept for the rows the migration could not read; no longer written).
    last_error: Mapped[str] = mapped_column(String(500), nullable=False, default="")

    @property
    def error_text(self) -> str:
        """The last failure in the reader's language ("" when none)."""
        return webhook_errors.describe(self.error_code, self.error_params, self.last_error)

    endpoint: Mapped[WebhookEndpoint] = relationship()
    event: Mapped[Event] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<WebhookDelivery {self.id} {self.status} {self.attempts}>"

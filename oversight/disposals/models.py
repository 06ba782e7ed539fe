"""Data return or deletion items (返却・廃棄): one per party holding the data when a contract ends."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oversight.auth.models import User
from oversight.contracts.models import Contract
from oversight.core.models import VersionedMixin
from oversight.core.types import UTCDateTime
from oversight.extensions import db
from oversight.vendors.models import Vendor

METHOD_LABELS = {
    "return": _l("Return (返却)"),
    "erasure": _l("Data erasure (データ消去)"),
    "destruction": _l("Physical destruction (物理破壊)"),
    "dissolution": _l("Dissolving or incineration (溶解・焼却)"),
    "other": _l("Other (その他)"),
}

# Why the item was opened.
CONTRACT_END = "contract_end"
TERMINATION = "termination"
REASON_LABELS = {CONTRACT_END: _l("Contract ended"), TERMINATION: _l("Terminated early")}

OPEN = "open"
RETURNED = "returned"  # a manager sent the certificate back (差戻し): procurement records it again
CERTIFIED = "certified"
CONFIRMED = "confirmed"
STATE_LABELS = {
    OPEN: _l("Awaiting certificate"),
    RETURNED: _l("Certificate returned (差戻し)"),
    CERTIFIED: _l("Awaiting confirmation"),
    CONFIRMED: _l("Confirmed"),
}
STATE_COLOURS = {OPEN: "warning", RETURNED: "danger", CERTIFIED: "info", CONFIRMED: "success"}

# Certificate fields (guideline-reference §6.3) as the service takes them.
CERTIFICATE_FIELDS = (
    "method",
    "method_detail",
    "completed_on",
    "certificate_number",
    "data_items",
    "media",
    "media_quantity",
    "responsible_person",
    "operator",
    "witness",
    "location",
    "covers_backups",
    "backup_note",
    "irrecoverable",
    "irrecoverable_statement",
)


class DisposalItem(VersionedMixin, db.Model):
    """The return or deletion owed by one party (the contractor or a subcontractor) after a contract ends.

    ``vendor_id`` is the party that holds the data; ``level`` 0 is the contractor itself, 1 a
    subcontractor, 2 a sub-subcontractor… ``subcontract_id`` points at the consent record that
    brought a subcontractor in (kept as a plain id so this table does not depend on that feature).
    """

    __tablename__ = "disposal_items"
    # The open items by due date: the attention panel's first overdue and upcoming returns/deletions are a
    # range of this index, where the confirmed-at index alone sorted every open item.
    __table_args__ = (
        UniqueConstraint("contract_id", "vendor_id"),
        Index("ix_disposal_items_confirmed_at_due_on", "confirmed_at", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contracts.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="RESTRICT"), nullable=False, index=True)
    subcontract_id: Mapped[int | None] = mapped_column(Integer, index=True)
    level: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    reason: Mapped[str] = mapped_column(String(20), nullable=False, default=CONTRACT_END)
    opened_on: Mapped[date] = mapped_column(Date, nullable=False)
    due_on: Mapped[date] = mapped_column(Date, nullable=False, index=True)

    # The certificate (廃棄証明書／削除証明書), guideline-reference §6.3. Never My Numbers.
    method: Mapped[str | None] = mapped_column(String(20))
    method_detail: Mapped[str] = mapped_column(Text, nullable=False, default="")
    completed_on: Mapped[date | None] = mapped_column(Date)
    certificate_number: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    data_items: Mapped[str] = mapped_column(Text, nullable=False, default="")
    media: Mapped[str] = mapped_column(Text, nullable=False, default="")
    media_quantity: Mapped[int | None] = mapped_column(Integer)
    responsible_person: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    operator: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    witness: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    location: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    covers_backups: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    backup_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    irrecoverable: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    irrecoverable_statement: Mapped[str] = mapped_column(Text, nullable=False, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    confirmation_note: Mapped[str] = mapped_column(Text, nullable=False, default="")

    # The last return of the certificate by a manager (差戻し), with its reason; the certificate's
    # recording is cleared then, so procurement records it again with a corrected file.
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    return_note: Mapped[str] = mapped_column(Text, nullable=False, default="")

    contract: Mapped[Contract] = relationship(lazy="joined")
    vendor: Mapped[Vendor] = relationship(lazy="joined")
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id], lazy="raise")
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id], lazy="raise")
    returned_by: Mapped[User | None] = relationship(foreign_keys=[returned_by_id], lazy="raise")

    activity_type = "disposal"

    def __repr__(self) -> str:
        return f"<DisposalItem {self.id} contract={self.contract_id} vendor={self.vendor_id} {self.state}>"

    @property
    def state(self) -> str:
        if self.confirmed_at is not None:
            return CONFIRMED
        if self.recorded_at is not None:
            return CERTIFIED
        return RETURNED if self.returned_at is not None else OPEN

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def state_colour(self) -> str:
        return STATE_COLOURS[self.state]

    @property
    def method_label(self) -> str:
        return str(METHOD_LABELS.get(self.method, "")) if self.method else ""

    @property
    def reason_label(self) -> str:
        return str(REASON_LABELS.get(self.reason, self.reason))

    @property
    def is_returned(self) -> bool:
        """The certificate was returned and is not recorded again yet."""
        return self.state == RETURNED

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    def is_overdue_on(self, day: date) -> bool:
        return not self.is_confirmed and self.due_on < day

    def days_left_on(self, day: date) -> int:
        return (self.due_on - day).days

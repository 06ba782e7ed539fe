"""Portal links (sign-in tokens), requests to a vendor and the versions submitted for them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Column, Date, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oversight.auth.models import User
from oversight.core.models import TimestampMixin, VersionedMixin
from oversight.core.types import UTCDateTime
from oversight.extensions import db
from oversight.vendors.models import Vendor, VendorContact

# Request kinds (their names and labels; what each asks and what acceptance does is in ``portal/kinds/``).
PERIODIC_REPORT = "periodic_report"
QUESTIONNAIRE = "questionnaire"
DELETION_CERTIFICATE = "deletion_certificate"
CERTIFICATION_RENEWAL = "certification_renewal"
CORRECTIVE_PLAN = "corrective_plan"
KIND_LABELS = {
    PERIODIC_REPORT: _l("Periodic report (定期報告)"),
    QUESTIONNAIRE: _l("Selection questionnaire (自己評価)"),
    DELETION_CERTIFICATE: _l("Return/deletion certificate (返却・廃棄の証明書)"),
    CERTIFICATION_RENEWAL: _l("Certification renewal (認証の更新)"),
    CORRECTIVE_PLAN: _l("Corrective action (是正計画・完了報告)"),
}

# Request statuses: 送付済 → 回答中 → 提出済 → 差戻し (→ 回答中 → 提出済 …) → 受理
SENT = "sent"
IN_PROGRESS = "in_progress"
SUBMITTED = "submitted"
RETURNED = "returned"
ACCEPTED = "accepted"
STATUS_LABELS = {
    SENT: _l("Sent to the vendor"),
    IN_PROGRESS: _l("Being answered"),
    SUBMITTED: _l("Submitted by the vendor"),
    RETURNED: _l("Returned"),
    ACCEPTED: _l("Accepted"),
}
STATUS_COLOURS = {
    SENT: "secondary",
    IN_PROGRESS: "primary",
    SUBMITTED: "info",
    RETURNED: "warning",
    ACCEPTED: "success",
}
# The contact may answer (save a draft, upload, submit) in these statuses.
ANSWERABLE = frozenset({SENT, IN_PROGRESS, RETURNED})

portal_request_contacts = Table(
    "portal_request_contacts",
    db.metadata,
    Column("request_id", ForeignKey("portal_requests.id", ondelete="CASCADE"), primary_key=True),
    Column("contact_id", ForeignKey("vendor_contacts.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class PortalLink(db.Model):
    """A single-use sign-in link for one contact: only the SHA-256 of its token is stored."""

    __tablename__ = "portal_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("vendor_contacts.id", ondelete="CASCADE"), nullable=False, index=True
    )
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), nullable=False, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    contact: Mapped[VendorContact] = relationship(lazy="joined")
    vendor: Mapped[Vendor] = relationship(lazy="joined")

    activity_type = "portal_link"

    def __repr__(self) -> str:
        return f"<PortalLink {self.id} contact={self.contact_id}>"


class PortalRequest(VersionedMixin, db.Model):
    """What staff asked a vendor for: kind, contacts, due date, message; answered through the portal."""

    __tablename__ = "portal_requests"
    __table_args__ = (
        Index("ix_portal_requests_vendor_status", "vendor_id", "status"),
        # A recurring report is opened once per vendor and due date (portal/recurring.py), even by two jobs.
        UniqueConstraint("vendor_id", "kind", "scheduled_for", name="uq_portal_requests_schedule"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), nullable=False, default=PERIODIC_REPORT)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="RESTRICT"), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=SENT, index=True)
    due_on: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    message: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # The audit checklist version the report answers (fixed when the request is sent).
    template_id: Mapped[int | None] = mapped_column(ForeignKey("checklist_templates.id"))
    # The contact's draft: {"items": {code: {"answer", "comment"}}, "incidents": text}.
    draft: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The audit record the accepted report became.
    audit_id: Mapped[int | None] = mapped_column(ForeignKey("audits.id", ondelete="SET NULL"))
    # Opened by the schedule of recurring reports (the due date it was opened for); None when staff sent it.
    scheduled_for: Mapped[date | None] = mapped_column(Date)
    # The record the request is about, read by its kind (a return/deletion item for a certificate).
    subject_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # The business unit of that record (a certificate: the item's contract's; a corrective plan: the finding's
    # audit's), set when the request is made (``oversight/scoping.py``); None for a request about the vendor
    # itself, which every unit of the vendor sees (docs/units.md).
    unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("business_units.id", ondelete="RESTRICT"), index=True
    )
    # The evaluation an accepted selection questionnaire prefilled.
    evaluation_id: Mapped[int | None] = mapped_column(ForeignKey("evaluations.id", ondelete="SET NULL"))
    # Which checklist item each uploaded file is evidence for: {str(evidence id): item code}.
    file_items: Mapped[dict[str, str] | None] = mapped_column(JSON)

    vendor: Mapped[Vendor] = relationship(lazy="joined")
    contacts: Mapped[list[VendorContact]] = relationship(
        secondary=portal_request_contacts, lazy="selectin", order_by=VendorContact.id
    )
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id], lazy="raise")
    submissions: Mapped[list[PortalSubmission]] = relationship(
        back_populates="request", cascade="all, delete-orphan", lazy="select", order_by="PortalSubmission.number"
    )

    activity_type = "portal_request"

    def __repr__(self) -> str:
        return f"<PortalRequest {self.id} {self.kind} {self.status}>"

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS.get(self.status, "secondary")

    @property
    def is_answerable(self) -> bool:
        return self.status in ANSWERABLE


class PortalSubmission(TimestampMixin, db.Model):
    """One submitted version of a request's answers; never changed after, except the staff review."""

    __tablename__ = "portal_submissions"
    __table_args__ = (UniqueConstraint("request_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("portal_requests.id", ondelete="CASCADE"), nullable=False, index=True
    )
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    # {"items": {code: {"answer", "comment"}}, "incidents": text, "subcontractors": [names]}
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    evidence_ids: Mapped[list[int]] = mapped_column(JSON, nullable=False, default=list)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    submitted_by_contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("vendor_contacts.id", ondelete="SET NULL")
    )
    submitted_by_label: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    # Staff review: {code: comment} per item, the decision (returned / accepted), who and when.
    review_comments: Mapped[dict[str, str] | None] = mapped_column(JSON)
    review_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    decision: Mapped[str | None] = mapped_column(String(20))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    request: Mapped[PortalRequest] = relationship(back_populates="submissions")
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id], lazy="joined")

    activity_type = "portal_submission"

    @property
    def decision_label(self) -> str:
        return str(STATUS_LABELS.get(self.decision, "")) if self.decision else ""

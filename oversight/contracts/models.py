"""Contracts (委託契約), their clause review rounds and their documents."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import Mapped, aliased, mapped_column, relationship

from oversight.auth.models import User
from oversight.checklists.models import ChecklistItem, ChecklistTemplate
from oversight.core.models import VersionedMixin
from oversight.core.types import UTCDateTime
from oversight.evidence.models import EvidenceFile
from oversight.extensions import db
from oversight.vendors.models import Vendor

# --- contract status ------------------------------------------------------------------------
DRAFT = "draft"
IN_REVIEW = "in_review"
RETURNED = "returned"
APPROVED = "approved"
SIGNED = "signed"
ENDED = "ended"
DISPOSED = "disposed"

STATUS_LABELS = {
    DRAFT: _l("Drafting"),
    IN_REVIEW: _l("Under legal review"),
    RETURNED: _l("Returned"),
    APPROVED: _l("Approved"),
    SIGNED: _l("Signed"),  # not "in force": a signed contract may not have started yet
    ENDED: _l("Ended"),
    DISPOSED: _l("Return/deletion done"),
}
STATUS_COLOURS = {
    DRAFT: "secondary",
    IN_REVIEW: "info",
    RETURNED: "warning",
    APPROVED: "primary",
    SIGNED: "success",
    ENDED: "dark",
    DISPOSED: "light",
}
EDITABLE = frozenset({DRAFT, RETURNED})
CLOSED = frozenset({ENDED, DISPOSED})
# A signed contract being amended or renewed goes through these again while it stays in force.
IN_PROGRESS = frozenset({DRAFT, IN_REVIEW, RETURNED, APPROVED})

TYPE_LABELS = {
    "basic": _l("Master agreement (基本契約)"),
    "individual": _l("Individual contract (個別契約)"),
    "memorandum": _l("Memorandum (覚書)"),
    "pledge": _l("Written pledge (誓約書)"),
}
END_HANDLING_LABELS = {
    "return": _l("Return (返却)"),
    "delete": _l("Deletion (廃棄)"),
}
DEFAULT_DISPOSAL_DAYS = 30

# --- review rounds ----------------------------------------------------------------------------
INITIAL = "initial"
AMENDMENT = "amendment"
RENEWAL = "renewal"
ROUND_KIND_LABELS = {INITIAL: _l("New contract"), AMENDMENT: _l("Amendment"), RENEWAL: _l("Renewal")}
OUTCOME_RETURNED = "returned"
OUTCOME_APPROVED = "approved"
OUTCOME_LABELS = {OUTCOME_RETURNED: _l("Returned (差戻し)"), OUTCOME_APPROVED: _l("Cleared by legal")}

PRESENT = "present"
INSUFFICIENT = "insufficient"
MISSING = "missing"
NOT_APPLICABLE = "na"
RESULT_LABELS = {
    PRESENT: _l("Present (規定あり)"),
    INSUFFICIENT: _l("Insufficient (不十分)"),
    MISSING: _l("Missing (規定なし)"),
    NOT_APPLICABLE: _l("Not applicable (該当なし)"),
}
RESULT_COLOURS = {PRESENT: "success", INSUFFICIENT: "warning", MISSING: "danger", NOT_APPLICABLE: "secondary"}

# --- documents --------------------------------------------------------------------------------
DOCUMENT_KIND_LABELS = {
    "draft": _l("Draft for review"),
    "signed": _l("Signed contract"),
    "amendment": _l("Amendment"),
    "memorandum": _l("Memorandum (覚書)"),
    "other": _l("Other"),
}


class Contract(VersionedMixin, db.Model):
    """An entrustment contract with a vendor, from draft to data return or deletion after its end."""

    __tablename__ = "contracts"
    # The signed contracts by end date (the due lists' contract ends: a range of one status), with
    # their clause gaps (the dashboard counts the signed contracts with every required clause from
    # the index alone).
    # A vendor's contracts by status (the work list's vendors to close: whether every contract of a vendor
    # was returned or deleted, answered from the index alone).
    __table_args__ = (
        Index("ix_contracts_status_end_on_clause_gaps", "status", "end_on", "clause_gaps"),
        Index("ix_contracts_vendor_id_status", "vendor_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="RESTRICT"), nullable=False, index=True)
    # The business unit the contract belongs to; its reviews, subcontracts, return/deletion items and
    # incidents belong to it too (docs/units.md).
    unit_id: Mapped[int] = mapped_column(
        ForeignKey("business_units.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    number: Mapped[str] = mapped_column(String(50), nullable=False, unique=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    contract_type: Mapped[str] = mapped_column(String(20), nullable=False, default="basic", index=True)
    scope: Mapped[str] = mapped_column(Text, nullable=False, default="")
    data_scope: Mapped[str] = mapped_column(Text, nullable=False, default="")
    start_on: Mapped[date] = mapped_column(Date, nullable=False)
    end_on: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    auto_renewal: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    notice_days: Mapped[int | None] = mapped_column(Integer)
    incident_notice_hours: Mapped[int | None] = mapped_column(Integer)
    end_handling: Mapped[str] = mapped_column(String(10), nullable=False, default="delete")
    disposal_days: Mapped[int] = mapped_column(Integer, nullable=False, default=DEFAULT_DISPOSAL_DAYS)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=DRAFT, index=True)
    # Required clauses of the latest round judged failing without an approved waiver (None: not reviewed).
    clause_gaps: Mapped[int | None] = mapped_column(Integer)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_on: Mapped[date | None] = mapped_column(Date, index=True)
    ended_on: Mapped[date | None] = mapped_column(Date, index=True)
    termination_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # What the next review round will be: the first review, or an amendment or renewal of a signed contract.
    next_round_kind: Mapped[str] = mapped_column(String(20), nullable=False, default=INITIAL)
    change_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    vendor: Mapped[Vendor] = relationship(lazy="joined")
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id], lazy="raise")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id], lazy="raise")
    # Review rounds are oversight records: they outlive the contract row (RESTRICT, nothing cascades).
    reviews: Mapped[list[ContractReview]] = relationship(
        back_populates="contract", passive_deletes="all", order_by="ContractReview.round_number", lazy="raise"
    )

    def __repr__(self) -> str:
        return f"<Contract {self.id} {self.number} {self.status}>"

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS.get(self.status, "secondary")

    @property
    def type_label(self) -> str:
        return str(TYPE_LABELS.get(self.contract_type, self.contract_type))

    @property
    def end_handling_label(self) -> str:
        return str(END_HANDLING_LABELS.get(self.end_handling, self.end_handling))

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED

    @property
    def cancelled_before_start(self) -> bool:
        """Ended early before its term began (解約 before the start date)."""
        return self.ended_on is not None and self.ended_on < self.start_on

    @property
    def has_been_signed(self) -> bool:
        return self.signed_on is not None

    def is_in_force_on(self, day: date) -> bool:
        """Signed, not closed, and ``day`` lies within its term."""
        return self.has_been_signed and not self.is_closed and self.start_on <= day <= self.end_on

    def is_expired_on(self, day: date) -> bool:
        return self.end_on < day

    def notice_deadline(self) -> date | None:
        """The last day to give notice against an automatic renewal."""
        return notice_deadline(self.end_on, self.auto_renewal, self.notice_days)


def notice_deadline(end_on: date, auto_renewal: bool, notice_days: int | None) -> date | None:
    """``Contract.notice_deadline`` from the column values (for queries that select columns only)."""
    if not auto_renewal or notice_days is None:
        return None
    return end_on - timedelta(days=notice_days)


class ContractReview(VersionedMixin, db.Model):
    """One round of legal's clause review: submitted by procurement, returned or cleared by legal."""

    __tablename__ = "contract_reviews"
    __table_args__ = (UniqueConstraint("contract_id", "round_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contracts.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    round_number: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default=INITIAL)
    # The checklist version used; kept even after a newer version is published.
    template_id: Mapped[int] = mapped_column(ForeignKey("checklist_templates.id"), nullable=False, index=True)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    submission_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    outcome: Mapped[str | None] = mapped_column(String(20), index=True)
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")

    contract: Mapped[Contract] = relationship(back_populates="reviews")
    template: Mapped[ChecklistTemplate] = relationship(lazy="raise")
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id], lazy="raise")
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id], lazy="raise")
    results: Mapped[list[ClauseResult]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="ClauseResult.id", lazy="raise"
    )

    activity_type = "contract_review"

    def __repr__(self) -> str:
        return f"<ContractReview {self.id} contract={self.contract_id} round={self.round_number} {self.outcome}>"

    @property
    def kind_label(self) -> str:
        return str(ROUND_KIND_LABELS.get(self.kind, self.kind))

    @property
    def outcome_label(self) -> str:
        return str(OUTCOME_LABELS.get(self.outcome, "")) if self.outcome else str(_l("Under review"))

    @property
    def is_open(self) -> bool:
        return self.outcome is None


class ClauseResult(VersionedMixin, db.Model):
    """Legal's finding on one clause of the checklist in one review round, with an optional waiver."""

    __tablename__ = "contract_clause_results"
    __table_args__ = (UniqueConstraint("review_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("contract_reviews.id", ondelete="CASCADE"), nullable=False, index=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_items.id"), nullable=False, index=True)
    result: Mapped[str | None] = mapped_column(String(20))
    clause_number: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    quote: Mapped[str] = mapped_column(Text, nullable=False, default="")
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    waiver_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    waiver_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    waiver_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    waiver_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    review: Mapped[ContractReview] = relationship(back_populates="results")
    item: Mapped[ChecklistItem] = relationship(lazy="joined")
    waiver_by: Mapped[User | None] = relationship(foreign_keys=[waiver_by_id], lazy="joined")
    waiver_approved_by: Mapped[User | None] = relationship(foreign_keys=[waiver_approved_by_id], lazy="joined")

    activity_type = "contract_clause"

    def __repr__(self) -> str:
        return f"<ClauseResult {self.id} {self.result}>"

    @property
    def result_label(self) -> str:
        return str(RESULT_LABELS.get(self.result, "")) if self.result else ""

    @property
    def result_colour(self) -> str:
        return RESULT_COLOURS.get(self.result, "light")

    @property
    def has_waiver(self) -> bool:
        return bool(self.waiver_reason.strip())

    @property
    def is_waived(self) -> bool:
        """A waiver recorded by legal and approved by a manager."""
        return self.has_waiver and self.waiver_approved_by_id is not None

    @property
    def is_gap(self) -> bool:
        """A required clause judged other than present, without an approved waiver."""
        return self.item.is_required and self.result is not None and self.result != PRESENT and not self.is_waived

    @property
    def blocks_approval(self) -> bool:
        """A required clause not present (or not yet judged) and not waived."""
        return self.item.is_required and self.result != PRESENT and not self.is_waived


class ContractDocument(db.Model):
    """A contract document (draft, signed contract, amendment, 覚書) kept as an evidence file."""

    __tablename__ = "contract_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contracts.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    evidence_id: Mapped[int] = mapped_column(
        ForeignKey("evidence_files.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default="other")
    # The review round the document belongs to (None: outside any round).
    round_number: Mapped[int | None] = mapped_column(Integer)

    evidence: Mapped[EvidenceFile] = relationship(lazy="joined")

    activity_type = "contract_document"

    def __repr__(self) -> str:
        return f"<ContractDocument {self.id} {self.kind}>"

    @property
    def kind_label(self) -> str:
        return str(DOCUMENT_KIND_LABELS.get(self.kind, self.kind))


def is_latest_round() -> ColumnElement[bool]:
    """``ContractReview`` is its contract's latest round (in a statement joining ``Contract`` and it).

    A round legal cleared before a manager returned the contract, which then went into review again,
    waits for nobody: worklists and reminders read the latest round only.
    """
    later = aliased(ContractReview)
    latest = select(func.max(later.id)).where(later.contract_id == ContractReview.contract_id).scalar_subquery()
    return ContractReview.id == latest

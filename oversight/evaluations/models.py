"""Selection evaluations and their per-item answers."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oversight.auth.models import User
from oversight.checklists.models import ChecklistItem, ChecklistTemplate
from oversight.core.models import VersionedMixin
from oversight.core.types import UTCDateTime
from oversight.extensions import db
from oversight.vendors.models import Vendor

DRAFT = "draft"
SUBMITTED = "submitted"
RETURNED = "returned"
APPROVED = "approved"
CONDITIONAL = "conditional"
REJECTED = "rejected"

STATUS_LABELS = {
    DRAFT: _l("Draft"),
    SUBMITTED: _l("Awaiting approval"),
    RETURNED: _l("Returned"),
    APPROVED: _l("Approved"),
    CONDITIONAL: _l("Conditionally approved"),
    REJECTED: _l("Rejected"),
}
STATUS_COLOURS = {
    DRAFT: "secondary",
    SUBMITTED: "info",
    RETURNED: "warning",
    APPROVED: "success",
    CONDITIONAL: "success",
    REJECTED: "danger",
}
EDITABLE = frozenset({DRAFT, RETURNED})
DECIDED = frozenset({APPROVED, CONDITIONAL, REJECTED})
OPEN = frozenset({DRAFT, RETURNED, SUBMITTED})

# The decision procurement proposes on submit, and the status it leads to once approved.
APPROVE = "approve"
APPROVE_WITH_CONDITIONS = "conditional"
REJECT = "reject"
DECISION_LABELS = {
    APPROVE: _l("Approve (承認)"),
    APPROVE_WITH_CONDITIONS: _l("Approve with conditions (条件付承認)"),
    REJECT: _l("Reject (否認)"),
}
DECISION_OUTCOMES = {APPROVE: APPROVED, APPROVE_WITH_CONDITIONS: CONDITIONAL, REJECT: REJECTED}

CONFORMING = "conforming"
PARTIAL = "partial"
NONCONFORMING = "nonconforming"
NOT_APPLICABLE = "na"
ANSWER_LABELS = {
    CONFORMING: _l("Conforming (適合)"),
    PARTIAL: _l("Partly conforming (一部適合)"),
    NONCONFORMING: _l("Nonconforming (不適合)"),
    NOT_APPLICABLE: _l("Not applicable (該当なし)"),
}
FAILING_ANSWERS = frozenset({PARTIAL, NONCONFORMING})


class Evaluation(VersionedMixin, db.Model):
    """One run of the selection checklist against a vendor, from draft to a manager's decision."""

    __tablename__ = "evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="RESTRICT"), nullable=False, index=True)
    # The checklist version used; kept even after a newer version is published.
    template_id: Mapped[int] = mapped_column(ForeignKey("checklist_templates.id"), nullable=False, index=True)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("evaluations.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=DRAFT, index=True)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    proposed_decision: Mapped[str | None] = mapped_column(String(20))
    conditions: Mapped[str] = mapped_column(Text, nullable=False, default="")
    submission_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    decision_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    valid_until: Mapped[date | None] = mapped_column(Date, index=True)

    vendor: Mapped[Vendor] = relationship(lazy="joined")
    template: Mapped[ChecklistTemplate] = relationship(lazy="raise")
    started_by: Mapped[User | None] = relationship(foreign_keys=[started_by_id], lazy="raise")
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id], lazy="raise")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id], lazy="raise")
    answers: Mapped[list[EvaluationAnswer]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan", lazy="selectin", order_by="EvaluationAnswer.id"
    )

    def __repr__(self) -> str:
        return f"<Evaluation {self.id} vendor={self.vendor_id} {self.status}>"

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS.get(self.status, "secondary")

    @property
    def decision_label(self) -> str:
        return str(DECISION_LABELS.get(self.proposed_decision, "")) if self.proposed_decision else ""

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def is_open(self) -> bool:
        """Still in progress: a vendor has at most one open evaluation."""
        return self.status in OPEN

    @property
    def is_decided(self) -> bool:
        return self.status in DECIDED


class EvaluationAnswer(VersionedMixin, db.Model):
    """The answer to one checklist item: result, comment, and an exception reason when it fails."""

    __tablename__ = "evaluation_answers"
    __table_args__ = (UniqueConstraint("evaluation_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("evaluations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_items.id"), nullable=False, index=True)
    answer: Mapped[str | None] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")
    exception_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # What the vendor answered in a selection questionnaire (portal), kept beside procurement's answer.
    vendor_answer: Mapped[str | None] = mapped_column(String(20))
    vendor_comment: Mapped[str] = mapped_column(Text, nullable=False, default="")

    evaluation: Mapped[Evaluation] = relationship(back_populates="answers")
    item: Mapped[ChecklistItem] = relationship(lazy="joined")

    activity_type = "evaluation_answer"

    def __repr__(self) -> str:
        return f"<EvaluationAnswer {self.id} {self.answer}>"

    @property
    def answer_label(self) -> str:
        return str(ANSWER_LABELS.get(self.answer, "")) if self.answer else ""

    @property
    def vendor_answer_label(self) -> str:
        return str(ANSWER_LABELS.get(self.vendor_answer, "")) if self.vendor_answer else ""

    @property
    def is_overridden(self) -> bool:
        """Procurement's answer differs from the vendor's own."""
        return self.vendor_answer is not None and self.answer != self.vendor_answer

    @property
    def is_failing(self) -> bool:
        return self.answer in FAILING_ANSWERS

    @property
    def is_blocking(self) -> bool:
        """A failing answer on a required item without a recorded exception blocks approval."""
        return self.item.is_required and self.is_failing and not self.exception_reason.strip()

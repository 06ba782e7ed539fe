"""Audits (取扱状況の把握), their checklist results, findings (指摘事項) and extra-audit triggers."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Column, Date, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oversight.auth.models import User
from oversight.checklists.models import ChecklistItem, ChecklistTemplate
from oversight.core.models import TimestampMixin, VersionedMixin
from oversight.core.types import UTCDateTime
from oversight.extensions import db
from oversight.vendors.models import Vendor

# Audit kinds (種別)
ON_SITE = "on_site"
REMOTE = "remote"
QUESTIONNAIRE = "questionnaire"
PERIODIC_REPORT = "periodic_report"
KIND_LABELS = {
    ON_SITE: _l("On-site audit (実地調査)"),
    REMOTE: _l("Remote audit (リモート調査)"),
    QUESTIONNAIRE: _l("Questionnaire (書面・質問票)"),
    PERIODIC_REPORT: _l("Periodic report review (定期報告の確認)"),
}

# Audit statuses
PLANNED = "planned"
IN_PROGRESS = "in_progress"
SUBMITTED = "submitted"
RETURNED = "returned"
SIGNED_OFF = "signed_off"
CANCELLED = "cancelled"
STATUS_LABELS = {
    PLANNED: _l("Planned"),
    IN_PROGRESS: _l("In progress"),
    SUBMITTED: _l("Awaiting sign-off"),
    RETURNED: _l("Returned"),
    SIGNED_OFF: _l("Signed off"),
    CANCELLED: _l("Cancelled"),
}
STATUS_COLOURS = {
    PLANNED: "secondary",
    IN_PROGRESS: "primary",
    SUBMITTED: "info",
    RETURNED: "warning",
    SIGNED_OFF: "success",
    CANCELLED: "light",
}
OPEN_STATUSES = frozenset({PLANNED, IN_PROGRESS, SUBMITTED, RETURNED})
EDITABLE = frozenset({PLANNED, IN_PROGRESS, RETURNED})
RECORDING = frozenset({IN_PROGRESS, RETURNED})

# Per-item results
CONFORMING = "conforming"
FINDING = "finding"
NOT_APPLICABLE = "na"
RESULT_LABELS = {
    CONFORMING: _l("Conforming (適合)"),
    FINDING: _l("Finding (指摘)"),
    NOT_APPLICABLE: _l("Not applicable (該当なし)"),
}

RATING_LABELS = {
    "good": _l("Good (良好)"),
    "acceptable": _l("Acceptable (概ね良好)"),
    "needs_improvement": _l("Needs improvement (要改善)"),
    "poor": _l("Poor (不十分)"),
}
DECISION_LABELS = {
    "continue": _l("Continue (継続)"),
    "conditional": _l("Continue with conditions (条件付継続)"),
    "review_contract": _l("Review the contract (契約見直し)"),
    "terminate": _l("End the engagement (取引終了)"),
}

# Findings
SERIOUS = "serious"
MODERATE = "moderate"
MINOR = "minor"
SEVERITY_LABELS = {SERIOUS: _l("Serious (重大)"), MODERATE: _l("Moderate (中)"), MINOR: _l("Minor (軽微)")}
SEVERITY_COLOURS = {SERIOUS: "danger", MODERATE: "warning", MINOR: "secondary"}

OPEN = "open"
PLAN_RECEIVED = "plan_received"
VERIFIED = "verified"
CLOSED = "closed"
FINDING_STATUS_LABELS = {
    OPEN: _l("Open"),
    PLAN_RECEIVED: _l("Plan received"),
    VERIFIED: _l("Verified"),
    CLOSED: _l("Closed"),
}
FINDING_STATUS_COLOURS = {OPEN: "danger", PLAN_RECEIVED: "warning", VERIFIED: "success", CLOSED: "secondary"}
# A finding is unresolved until an auditor has verified the corrective action.
UNRESOLVED = frozenset({OPEN, PLAN_RECEIVED})

# Reasons for an extra audit (domain reference §4.2)
INCIDENT = "incident"
NEW_SUBCONTRACTOR = "subcontractor"
RENEWAL = "renewal"
LOCATION_CHANGE = "location"
OTHER = "other"
TRIGGER_LABELS = {
    INCIDENT: _l("Incident"),
    NEW_SUBCONTRACTOR: _l("New or changed subcontractor"),
    RENEWAL: _l("Contract renewal"),
    LOCATION_CHANGE: _l("Change of handling location or system"),
    OTHER: _l("Other (e.g. guideline revision)"),
}

audit_auditors = Table(
    "audit_auditors",
    db.metadata,
    Column("audit_id", ForeignKey("audits.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Audit(VersionedMixin, db.Model):
    """One audit or periodic-report review of a vendor, from plan to a manager's sign-off."""

    __tablename__ = "audits"
    # Each vendor's last signed-off audit (the schedule's correlated MAX) is read from this index alone.
    __table_args__ = (Index("ix_audits_status_vendor_completed", "status", "vendor_id", "completed_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="RESTRICT"), nullable=False, index=True)
    # The business unit that audits (an audit is per vendor, and a vendor may serve several units; its
    # findings belong to the audit's unit, docs/units.md).
    unit_id: Mapped[int] = mapped_column(
        ForeignKey("business_units.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default=ON_SITE, index=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=PLANNED, index=True)
    # The checklist version used, fixed when recording starts.
    template_id: Mapped[int | None] = mapped_column(ForeignKey("checklist_templates.id"), index=True)
    planned_on: Mapped[date | None] = mapped_column(Date, index=True)
    period_start_on: Mapped[date | None] = mapped_column(Date)
    period_end_on: Mapped[date | None] = mapped_column(Date)
    conducted_on: Mapped[date | None] = mapped_column(Date, index=True)
    conducted_end_on: Mapped[date | None] = mapped_column(Date)
    # Indirect supervision (domain reference §5.1): the contractor audited its subcontractor; we record it.
    is_indirect: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    performed_by_vendor_id: Mapped[int | None] = mapped_column(ForeignKey("vendors.id", ondelete="RESTRICT"))
    performed_by_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    scope_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    summary: Mapped[str] = mapped_column(Text, nullable=False, default="")
    overall_rating: Mapped[str | None] = mapped_column(String(20))
    decision: Mapped[str | None] = mapped_column(String(20))
    decision_conditions: Mapped[str] = mapped_column(Text, nullable=False, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signoff_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    return_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # The day the audit counts from for the next one (last day of fieldwork), set at sign-off.
    completed_on: Mapped[date | None] = mapped_column(Date, index=True)

    vendor: Mapped[Vendor] = relationship(foreign_keys=[vendor_id], lazy="joined")
    performed_by_vendor: Mapped[Vendor | None] = relationship(foreign_keys=[performed_by_vendor_id], lazy="raise")
    template: Mapped[ChecklistTemplate | None] = relationship(lazy="raise")
    auditors: Mapped[list[User]] = relationship(secondary=audit_auditors, lazy="selectin", order_by=User.id)
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id], lazy="raise")
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id], lazy="raise")
    signed_off_by: Mapped[User | None] = relationship(foreign_keys=[signed_off_by_id], lazy="raise")
    results: Mapped[list[AuditResult]] = relationship(
        back_populates="audit", cascade="all, delete-orphan", lazy="select", order_by="AuditResult.id"
    )
    findings: Mapped[list[Finding]] = relationship(
        back_populates="audit", cascade="all, delete-orphan", lazy="select", order_by="Finding.id"
    )
    triggers: Mapped[list[AuditTrigger]] = relationship(
        back_populates="audit", lazy="select", order_by="AuditTrigger.id", foreign_keys="AuditTrigger.audit_id"
    )

    def __repr__(self) -> str:
        return f"<Audit {self.id} vendor={self.vendor_id} {self.kind} {self.status}>"

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
    def rating_label(self) -> str:
        return str(RATING_LABELS.get(self.overall_rating, "")) if self.overall_rating else ""

    @property
    def decision_label(self) -> str:
        return str(DECISION_LABELS.get(self.decision, "")) if self.decision else ""

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def is_recording(self) -> bool:
        return self.status in RECORDING

    @property
    def auditor_ids(self) -> frozenset[int]:
        """The users named as this audit's auditors."""
        return frozenset(auditor.id for auditor in self.auditors)

    @property
    def last_day_on(self) -> date | None:
        """The last day of fieldwork (the single day for a one-day audit)."""
        return self.conducted_end_on or self.conducted_on


class AuditResult(VersionedMixin, db.Model):
    """The result of one checklist item (A01–A20) in an audit."""

    __tablename__ = "audit_results"
    __table_args__ = (UniqueConstraint("audit_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"), nullable=False, index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_items.id"), nullable=False, index=True)
    result: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")

    audit: Mapped[Audit] = relationship(back_populates="results")
    item: Mapped[ChecklistItem] = relationship(lazy="joined")

    activity_type = "audit_item"

    def __repr__(self) -> str:
        return f"<AuditResult {self.id} {self.result}>"

    @property
    def result_label(self) -> str:
        return str(RESULT_LABELS.get(self.result, "")) if self.result else ""


class Finding(VersionedMixin, db.Model):
    """A 指摘事項: what was found, the corrective action asked for in writing, the vendor's plan, verification."""

    __tablename__ = "audit_findings"
    # A vendor's unresolved findings (its 把握 light, the vendor page) without reading its resolved ones.
    __table_args__ = (
        Index("ix_audit_findings_vendor_status", "vendor_id", "status"),
        # The due lists read the few unresolved findings by due date (the due-date index alone walks all).
        Index("ix_audit_findings_status_due_on", "status", "due_on"),
        # The dashboard counts the unresolved findings of each severity from the index alone (the severity
        # index alone walks every finding of that severity ever raised).
        Index("ix_audit_findings_status_severity", "status", "severity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"), nullable=False, index=True)
    # Copied from the audit so vendor lights and lists need no join.
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="RESTRICT"), nullable=False, index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("checklist_items.id"), index=True)
    severity: Mapped[str] = mapped_column(String(20), nullable=False, default=MODERATE, index=True)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    requested_action: Mapped[str] = mapped_column(Text, nullable=False, default="")
    requested_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=OPEN, index=True)
    plan_text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    plan_received_on: Mapped[date | None] = mapped_column(Date)
    verification_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    verified_on: Mapped[date | None] = mapped_column(Date)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    audit: Mapped[Audit] = relationship(back_populates="findings", lazy="joined")
    vendor: Mapped[Vendor] = relationship(lazy="joined")
    item: Mapped[ChecklistItem | None] = relationship(lazy="joined")
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id], lazy="joined")
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id], lazy="joined")

    activity_type = "finding"

    def __repr__(self) -> str:
        return f"<Finding {self.id} {self.severity} {self.status}>"

    @property
    def severity_label(self) -> str:
        return str(SEVERITY_LABELS.get(self.severity, self.severity))

    @property
    def severity_colour(self) -> str:
        return SEVERITY_COLOURS.get(self.severity, "secondary")

    @property
    def status_label(self) -> str:
        return str(FINDING_STATUS_LABELS.get(self.status, self.status))

    @property
    def status_colour(self) -> str:
        return FINDING_STATUS_COLOURS.get(self.status, "secondary")

    @property
    def is_unresolved(self) -> bool:
        return self.status in UNRESOLVED

    def is_overdue_on(self, day: date) -> bool:
        """Unresolved after its corrective-action due date."""
        return self.is_unresolved and self.due_on < day


class AuditTrigger(TimestampMixin, db.Model):
    """A reason for an extra audit (incident, new subcontractor, renewal, location change), until one is signed off."""

    __tablename__ = "audit_triggers"

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="RESTRICT"), nullable=False, index=True)
    audit_id: Mapped[int | None] = mapped_column(ForeignKey("audits.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    raised_on: Mapped[date] = mapped_column(Date, nullable=False)
    due_on: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolved_on: Mapped[date | None] = mapped_column(Date, index=True)
    resolved_by_audit_id: Mapped[int | None] = mapped_column(ForeignKey("audits.id", ondelete="SET NULL"))

    audit: Mapped[Audit | None] = relationship(back_populates="triggers", foreign_keys=[audit_id], lazy="select")
    raised_by: Mapped[User | None] = relationship(foreign_keys=[raised_by_id], lazy="joined")

    activity_type = "audit_trigger"

    def __repr__(self) -> str:
        return f"<AuditTrigger {self.id} {self.kind} due={self.due_on}>"

    @property
    def kind_label(self) -> str:
        return str(TRIGGER_LABELS.get(self.kind, self.kind))

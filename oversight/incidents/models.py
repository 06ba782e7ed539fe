"""Incidents (漏えい等事案) at a vendor or further down its chain, and their response steps.

Only facts are stored: the clocks and reportability are computed from them (``services``
with the pure rules of ``clocks``). Dates people think in (when something happened, when
somebody knew) are ``date``s; instants are UTC.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oversight.auth.models import User
from oversight.core.models import VersionedMixin
from oversight.core.types import UTCDateTime
from oversight.extensions import db
from oversight.vendors.models import Vendor

LEAK, LOSS, DAMAGE = "leak", "loss", "damage"
KIND_LABELS = {LEAK: _l("Leak (漏えい)"), LOSS: _l("Loss (滅失)"), DAMAGE: _l("Damage (毀損)")}

OPEN, CLOSED = "open", "closed"
STATUS_LABELS = {OPEN: _l("Open"), CLOSED: _l("Closed")}

# Where the cause lies ([GL] 別添2 3D ④: the reporter or its contractor).
CAUSE_PARTY_LABELS = {
    "vendor": _l("The vendor (direct contractor)"),
    "subcontractor": _l("A subcontractor in the vendor's chain"),
    "principal": _l("Our company"),
    "unknown": _l("Not known yet"),
}

# Response steps ([GL] 別添2 2 A–E, 3, 4) and, for vendor incidents, the vendor's own duties.
INITIAL_RESPONSE = "initial_response"
INVESTIGATION = "investigation"
IMPACT = "impact"
PRELIMINARY_REPORT = "preliminary_report"
FINAL_REPORT = "final_report"
INDIVIDUAL_NOTICE = "individual_notice"
PUBLICATION = "publication"
PREVENTION = "prevention"
VENDOR_PLAN = "vendor_plan"
CHAIN_REVIEW = "chain_review"
SUSPENSION = "suspension"
STEP_CODES = (
    INITIAL_RESPONSE,
    INVESTIGATION,
    IMPACT,
    PRELIMINARY_REPORT,
    FINAL_REPORT,
    INDIVIDUAL_NOTICE,
    PUBLICATION,
    PREVENTION,
    VENDOR_PLAN,
    CHAIN_REVIEW,
    SUSPENSION,
)
STEP_LABELS = {
    INITIAL_RESPONSE: _l("Initial response: report inside, stop the spread, preserve logs"),
    INVESTIGATION: _l("Investigate the facts and find the cause"),
    IMPACT: _l("Identify the scope of the impact"),
    PRELIMINARY_REPORT: _l("Preliminary report (速報) to the PPC"),
    FINAL_REPORT: _l("Final report (確報) to the PPC"),
    INDIVIDUAL_NOTICE: _l("Notify the individuals (or the alternative measure)"),
    PUBLICATION: _l("Publication"),
    PREVENTION: _l("Recurrence prevention measures"),
    VENDOR_PLAN: _l("Vendor's written recurrence-prevention plan"),
    CHAIN_REVIEW: _l("Review of the subcontract chain"),
    SUSPENSION: _l("Suspend the entrustment if needed"),
}
STEP_HINTS = {
    INITIAL_RESPONSE: _l("Who was told inside, what was done to stop the spread, which logs were preserved."),
    INDIVIDUAL_NOTICE: _l("Method, date and number notified; or the alternative measure (publication, inquiry desk)."),
    PREVENTION: _l("Measures already taken and measures planned."),
    VENDOR_PLAN: _l("Attach the vendor's plan as a file; set its due date."),
    SUSPENSION: _l("Whether the entrustment was suspended, or why it was not needed."),
}
# Steps that carry the PPC's reference number (受付番号).
REPORT_STEPS = (PRELIMINARY_REPORT, FINAL_REPORT)

STEP_OPEN, STEP_DONE, STEP_WAIVED = "open", "done", "waived"
STEP_STATUS_LABELS = {STEP_OPEN: _l("Not done yet"), STEP_DONE: _l("Done"), STEP_WAIVED: _l("Waived")}


class Incident(VersionedMixin, db.Model):
    """A leak, loss or damage (or suspected one) of 特定個人情報 entrusted to a vendor."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="RESTRICT"), nullable=False, index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id", ondelete="RESTRICT"), index=True)
    # The business unit: the contract's when the incident names one, else chosen (docs/units.md).
    unit_id: Mapped[int] = mapped_column(
        ForeignKey("business_units.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    # 0 = the direct contractor, 1 = its 再委託先, 2 = 再々委託先 …; where_vendor names the node when not the vendor.
    chain_level: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    where_vendor_id: Mapped[int | None] = mapped_column(ForeignKey("vendors.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False, default=LEAK)
    is_suspected: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    discovered_by: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    occurred_on: Mapped[date | None] = mapped_column(Date)
    vendor_knew_on: Mapped[date | None] = mapped_column(Date)
    vendor_notified_on: Mapped[date | None] = mapped_column(Date)
    # A notice the vendor gave through the portal: when it knew and when its notice arrived (instants, the
    # dates above are their Japanese dates), the contact who gave it and how the log names them.
    vendor_knew_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    vendor_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reported_by_contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("vendor_contacts.id", ondelete="SET NULL"), index=True
    )
    reported_by_label: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    # The earliest day any of our departments learned of it (before or without the vendor's notice).
    department_knew_on: Mapped[date | None] = mapped_column(Date)
    categories: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    is_highly_encrypted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    is_improper_purpose: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # The app derives R4 from the facts (``clocks.derived_categories``); the user may set it aside only with a reason.
    finding_override_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    people_min: Mapped[int | None] = mapped_column(Integer)
    people_max: Mapped[int | None] = mapped_column(Integer)
    people_final: Mapped[int | None] = mapped_column(Integer)
    data_items: Mapped[str] = mapped_column(Text, nullable=False, default="")
    media: Mapped[str] = mapped_column(Text, nullable=False, default="")
    cause: Mapped[str] = mapped_column(Text, nullable=False, default="")
    cause_party: Mapped[str] = mapped_column(String(20), nullable=False, default="unknown")
    secondary_harm: Mapped[str] = mapped_column(Text, nullable=False, default="")
    containment: Mapped[str] = mapped_column(Text, nullable=False, default="")
    other_notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=OPEN, index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    closing_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # Set when the incident is closed: the vendor's selection must be re-evaluated (DESIGN §2).
    reevaluation_requested_on: Mapped[date | None] = mapped_column(Date, index=True)

    vendor: Mapped[Vendor] = relationship(foreign_keys=[vendor_id], lazy="joined")
    where_vendor: Mapped[Vendor | None] = relationship(foreign_keys=[where_vendor_id], lazy="select")
    contract = relationship("Contract", foreign_keys=[contract_id], lazy="select")
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id], lazy="select")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id], lazy="select")
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id], lazy="select")
    steps: Mapped[list[IncidentStep]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", order_by="IncidentStep.position", lazy="select"
    )

    def __repr__(self) -> str:
        return f"<Incident {self.id} {self.kind} {self.status}>"

    @property
    def is_open(self) -> bool:
        return self.status == OPEN

    @property
    def is_from_portal(self) -> bool:
        """Reported by the vendor itself through the vendor portal."""
        return bool(self.reported_by_label)

    @property
    def kind_label(self) -> str:
        label = str(KIND_LABELS.get(self.kind, self.kind))
        return str(_l("%(kind)s (suspected)", kind=label)) if self.is_suspected else label

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))

    @property
    def cause_party_label(self) -> str:
        return str(CAUSE_PARTY_LABELS.get(self.cause_party, self.cause_party))


class IncidentStep(VersionedMixin, db.Model):
    """One response step of an incident: open, done (who, when) or waived (with a reason)."""

    __tablename__ = "incident_steps"
    __table_args__ = (UniqueConstraint("incident_id", "code"),)
    activity_type = "incident_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False, index=True)
    code: Mapped[str] = mapped_column(String(30), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=STEP_OPEN)
    due_on: Mapped[date | None] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    waiver_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    incident: Mapped[Incident] = relationship(back_populates="steps", lazy="select")
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id], lazy="joined")

    def __repr__(self) -> str:
        return f"<IncidentStep {self.incident_id} {self.code} {self.status}>"

    @property
    def label(self) -> str:
        return str(STEP_LABELS.get(self.code, self.code))

    @property
    def hint(self) -> str:
        hint = STEP_HINTS.get(self.code)
        return str(hint) if hint else ""

    @property
    def status_label(self) -> str:
        return str(STEP_STATUS_LABELS.get(self.status, self.status))

    @property
    def is_settled(self) -> bool:
        """Done or waived: closing the incident does not wait for it."""
        return self.status in (STEP_DONE, STEP_WAIVED)

    @property
    def is_report(self) -> bool:
        return self.code in REPORT_STEPS

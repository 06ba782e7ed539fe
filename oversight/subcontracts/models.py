"""Subcontract chain nodes and the principal's consents to them (guideline-reference §5)."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oversight.auth.models import User
from oversight.contracts.models import Contract
from oversight.core.models import VersionedMixin
from oversight.core.types import UTCDateTime
from oversight.evaluations.models import Evaluation
from oversight.extensions import db
from oversight.vendors.models import Vendor

LOCATION_LABELS = {"domestic": _l("Japan"), "abroad": _l("Abroad")}
# Subcontract.is_entrusted: planned (consent requested before entrustment) or already entrusted.
STAGE_LABELS = {
    False: _l("Planned: not entrusted yet (consent requested beforehand)"),
    True: _l("Already entrusted: the subcontractor handles the data"),
}

# --- consent ----------------------------------------------------------------------------------
PER_EVENT = "per_event"
ADVANCE = "advance"
CONSENT_TYPE_LABELS = {PER_EVENT: _l("Per event (個別許諾)"), ADVANCE: _l("Advance (包括・事前許諾)")}

REQUESTED = "requested"
REVIEWED = "reviewed"
APPROVED = "approved"
REFUSED = "refused"
REVOKED = "revoked"
STATUS_LABELS = {
    REQUESTED: _l("Awaiting legal review"),
    REVIEWED: _l("Awaiting manager decision"),
    APPROVED: _l("Consented"),  # 許諾済み: the principal's consent, not a contract's approval
    REFUSED: _l("Refused"),
    REVOKED: _l("Revoked"),
}
STATUS_COLOURS = {
    REQUESTED: "info",
    REVIEWED: "primary",
    APPROVED: "success",
    REFUSED: "danger",
    REVOKED: "danger",
}
PENDING = frozenset({REQUESTED, REVIEWED})

RECOMMEND_APPROVE = "approve"
RECOMMEND_REFUSE = "refuse"
RECOMMENDATION_LABELS = {RECOMMEND_APPROVE: _l("Recommend approval"), RECOMMEND_REFUSE: _l("Recommend refusal")}

# The flow-down clauses (contract checklist codes) a consent request states are in the parent's contract.
FLOW_DOWN_CLAUSES = {
    "C04": _l("C04 Conditions for re-subcontracting"),
    "C14": _l("C14 Subcontracting conditions and notice duty flowed down"),
    "C16": _l("C16 Subcontractor told that the principal consented"),
}


class Subcontract(VersionedMixin, db.Model):
    """One node of a contract's subcontract chain: ``vendor`` works for ``parent_vendor`` at ``level``.

    Level 1 (再委託) has no parent node: its parent is the contract's vendor. Level n+1 (再々委託 …) hangs
    below a level-n node. ``level``, ``parent_vendor_id`` and ``path`` are derived from the parent by the
    service, never typed in; ``path`` ("/3/7/") lets SQL find a node's ancestors.
    """

    __tablename__ = "subcontracts"
    __table_args__ = (UniqueConstraint("contract_id", "vendor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contracts.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("subcontracts.id", ondelete="CASCADE"), index=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="RESTRICT"), nullable=False, index=True)
    parent_vendor_id: Mapped[int] = mapped_column(
        ForeignKey("vendors.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    level: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    path: Mapped[str] = mapped_column(String(400), nullable=False, default="/", index=True)
    scope_of_work: Mapped[str] = mapped_column(Text, nullable=False, default="")
    data_scope: Mapped[str] = mapped_column(Text, nullable=False, default="")
    handling_method: Mapped[str] = mapped_column(Text, nullable=False, default="")
    handling_location: Mapped[str] = mapped_column(String(10), nullable=False, default="domestic")
    handling_country: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    # Planned (consent asked before the work is entrusted) or already entrusted (the subcontractor handles the
    # data): an entrusted node without a valid consent is a violation even while a request awaits a decision.
    is_entrusted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    contract: Mapped[Contract] = relationship(lazy="raise")
    vendor: Mapped[Vendor] = relationship(foreign_keys=[vendor_id], lazy="raise")
    parent_vendor: Mapped[Vendor] = relationship(foreign_keys=[parent_vendor_id], lazy="raise")
    recorded_by: Mapped[User | None] = relationship(lazy="raise")

    activity_type = "subcontract"

    def __repr__(self) -> str:
        return f"<Subcontract {self.id} contract={self.contract_id} vendor={self.vendor_id} level={self.level}>"

    @property
    def is_abroad(self) -> bool:
        return self.handling_location == "abroad"

    @property
    def location_label(self) -> str:
        return str(LOCATION_LABELS.get(self.handling_location, self.handling_location))

    @property
    def level_label(self) -> str:
        return level_label(self.level)

    @property
    def stage_label(self) -> str:
        return str(STAGE_LABELS[self.is_entrusted])


def level_label(level: int) -> str:
    """再委託 for level 1, 再々委託 for 2, then 再×n委託."""
    if level == 1:
        return str(_l("Level 1 (再委託)"))
    if level == 2:
        return str(_l("Level 2 (再々委託)"))
    return str(_l("Level %(level)d", level=level))


class SubcontractConsent(VersionedMixin, db.Model):
    """A consent request for one node and the principal's decision on it (§5.2).

    Procurement requests it on the vendor's behalf; legal reviews; a manager of the principal decides.
    ``decided_by_id`` is always a principal's user: there are no vendor accounts, and the service refuses a
    decider who is not a manager of the principal, so no intermediate vendor can consent at any level.
    """

    __tablename__ = "subcontract_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    subcontract_id: Mapped[int] = mapped_column(
        ForeignKey("subcontracts.id", ondelete="CASCADE"), nullable=False, index=True
    )
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=REQUESTED, index=True)
    # What the request covers (copied from the node when requested, the record of what was consented).
    scope_of_work: Mapped[str] = mapped_column(Text, nullable=False, default="")
    data_scope: Mapped[str] = mapped_column(Text, nullable=False, default="")
    handling_method: Mapped[str] = mapped_column(Text, nullable=False, default="")
    handling_location: Mapped[str] = mapped_column(String(10), nullable=False, default="domestic")
    handling_country: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    evaluation_id: Mapped[int | None] = mapped_column(ForeignKey("evaluations.id", ondelete="SET NULL"), index=True)
    supervision_plan: Mapped[str] = mapped_column(Text, nullable=False, default="")
    has_c04: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    has_c14: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    has_c16: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    consent_type: Mapped[str] = mapped_column(String(20), nullable=False, default=PER_EVENT)
    # Advance consent (Q&A 3-9): (a) identified at signing, (b) ability confirmed from documents,
    # (c) agreed notice when it happens and periodic reports.
    advance_identified: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    advance_ability_confirmed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    advance_reporting_agreed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    report_schedule: Mapped[str] = mapped_column(Text, nullable=False, default="")
    request_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # The subcontractor's safety measures as the requesting vendor describes them (the portal's request).
    safety_measures: Mapped[str] = mapped_column(Text, nullable=False, default="")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # A request the vendor made itself through the portal: its contact (no user account) and how the log names it.
    requested_by_contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("vendor_contacts.id", ondelete="SET NULL"), index=True
    )
    requested_by_label: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    recommendation: Mapped[str | None] = mapped_column(String(20))
    review_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    conditions: Mapped[str] = mapped_column(Text, nullable=False, default="")
    refusal_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revocation_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")

    # Q&A 3-8-2: the contractor tells the subcontractor that the principal's consent exists.
    notified_on: Mapped[date | None] = mapped_column(Date)
    notified_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    notified_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    subcontract: Mapped[Subcontract] = relationship(lazy="raise")
    evaluation: Mapped[Evaluation | None] = relationship(lazy="raise")
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id], lazy="raise")
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id], lazy="raise")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id], lazy="raise")
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id], lazy="raise")

    activity_type = "subcontract_consent"

    def __repr__(self) -> str:
        return f"<SubcontractConsent {self.id} node={self.subcontract_id} {self.status}>"

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS.get(self.status, "secondary")

    @property
    def consent_type_label(self) -> str:
        return str(CONSENT_TYPE_LABELS.get(self.consent_type, self.consent_type))

    @property
    def recommendation_label(self) -> str:
        return str(RECOMMENDATION_LABELS.get(self.recommendation, "")) if self.recommendation else ""

    @property
    def location_label(self) -> str:
        return str(LOCATION_LABELS.get(self.handling_location, self.handling_location))

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING

    @property
    def is_from_portal(self) -> bool:
        """Requested by the vendor itself through the vendor portal."""
        return bool(self.requested_by_label)

    @property
    def flow_down_present(self) -> list[str]:
        return [code for code in FLOW_DOWN_CLAUSES if getattr(self, f"has_{code.lower()}")]

    def is_valid_on(self, day: date) -> bool:
        """Approved, not revoked, and ``day`` is on or before the expiry date."""
        return self.status == APPROVED and self.expires_on is not None and day <= self.expires_on

    def is_expired_on(self, day: date) -> bool:
        return self.status == APPROVED and self.expires_on is not None and self.expires_on < day


class SubcontractState(db.Model):
    """The node rule's state code of one subcontract node (``lights.node_code_of``) as judged on ``as_of``.

    Derived data: written only by :mod:`oversight.subcontracts.states`, in the same transaction as the
    nodes, consents and contracts it is judged from, and again at the day boundary; a row whose
    ``as_of`` is not today is judged again before it is read.
    """

    __tablename__ = "subcontract_states"

    subcontract_id: Mapped[int] = mapped_column(
        ForeignKey("subcontracts.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    as_of: Mapped[date] = mapped_column(Date, nullable=False, index=True)  # counted by day (states.stale_count)

    def __repr__(self) -> str:
        return f"<SubcontractState {self.subcontract_id} {self.code}>"

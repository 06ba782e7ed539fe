"""Each vendor's five duty states, stored (``status.store`` keeps them current)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from oversight.extensions import db


class VendorState(db.Model):
    """The state code of each duty light of one vendor, as judged on ``as_of`` under the rule settings
    ``rules`` (a digest of the settings that shape the rules' SQL).

    Derived data: written only by :mod:`oversight.status.store`, in the same transaction as the
    records it is derived from, and again at the day boundary. A row whose ``as_of`` or ``rules`` is
    not today's is recomputed before it is read.
    """

    __tablename__ = "vendor_states"
    # The rows current for a day and settings, counted from the index alone (``store.ensure_current``).
    __table_args__ = (Index("ix_vendor_states_as_of_rules", "as_of", "rules"),)

    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), primary_key=True)
    selection: Mapped[str] = mapped_column(String(40), nullable=False)
    contract: Mapped[str] = mapped_column(String(40), nullable=False)
    monitoring: Mapped[str] = mapped_column(String(40), nullable=False)
    subcontract: Mapped[str] = mapped_column(String(40), nullable=False)
    disposal: Mapped[str] = mapped_column(String(40), nullable=False)
    # The 把握 rule's audit facts, which no day changes: the audit schedule and the due lists read them
    # instead of every vendor's audits and triggers.
    last_audit_on: Mapped[date | None] = mapped_column(Date)  # the last signed-off audit
    audit_trigger_on: Mapped[date | None] = mapped_column(Date)  # the earliest open trigger's due date
    # Due dates computed from the facts (``store.DATE_COLUMNS``), indexed for the due lists' range scans.
    audit_due_on: Mapped[date | None] = mapped_column(Date, index=True)  # on the audit schedule; NULL off it
    evaluation_due_on: Mapped[date | None] = mapped_column(Date, index=True)  # the latest evaluation's expiry
    as_of: Mapped[date] = mapped_column(Date, nullable=False)
    rules: Mapped[str] = mapped_column(String(40), nullable=False)

    def __repr__(self) -> str:
        return f"<VendorState {self.vendor_id} {self.as_of}>"


class VendorUnitState(db.Model):
    """The contract-bound lights (契約, 再委託, 返却・廃棄) of a vendor as one business unit reads them:
    the same rules judged reading only the unit's records and those of the units below it.

    Derived data, written only by :mod:`oversight.status.store` beside the vendor's :class:`VendorState`
    (same transaction, same day and settings). A row exists only where the unit's codes may differ from the
    vendor's: the vendor has records of the unit's subtree *and* records outside it (a vendor shared by units).
    A unit-bound reader reads the worst colour over the rows of their root units, the vendor's codes where
    there is no row (docs/status.md).
    """

    __tablename__ = "vendor_unit_states"
    # The rows current for a day and settings, counted from the index alone (``store.ensure_current``).
    __table_args__ = (Index("ix_vendor_unit_states_as_of_rules", "as_of", "rules"),)

    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), primary_key=True)
    # A unit is archived, never deleted while records name it; rows of a deleted (empty) unit go with it.
    unit_id: Mapped[int] = mapped_column(
        ForeignKey("business_units.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    contract: Mapped[str] = mapped_column(String(40), nullable=False)
    subcontract: Mapped[str] = mapped_column(String(40), nullable=False)
    disposal: Mapped[str] = mapped_column(String(40), nullable=False)
    as_of: Mapped[date] = mapped_column(Date, nullable=False)
    rules: Mapped[str] = mapped_column(String(40), nullable=False)

    def __repr__(self) -> str:
        return f"<VendorUnitState {self.vendor_id} unit {self.unit_id} {self.as_of}>"

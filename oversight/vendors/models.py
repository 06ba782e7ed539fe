"""Vendors (委託先), their contacts and their certifications."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oversight.auth.models import User
from oversight.core.models import VersionedMixin
from oversight.extensions import db

CANDIDATE = "candidate"
EVALUATING = "evaluating"
SELECTED = "selected"
ACTIVE = "active"
TERMINATING = "terminating"
ENDED = "ended"
REJECTED = "rejected"
# Instead of deleting: the entry and every oversight record stay, read-only, out of the default lists.
ARCHIVED = "archived"

STATUS_LABELS = {
    CANDIDATE: _l("Candidate"),
    EVALUATING: _l("Under evaluation"),
    SELECTED: _l("Selected"),
    ACTIVE: _l("Active"),
    TERMINATING: _l("Ending"),
    ENDED: _l("Ended"),
    REJECTED: _l("Not adopted"),
    ARCHIVED: _l("Archived"),
}

RISK_LABELS = {"high": _l("High"), "medium": _l("Medium"), "low": _l("Low")}
LOCATION_LABELS = {"domestic": _l("Japan"), "abroad": _l("Abroad")}
SITE_LABELS = {"own_site": _l("Vendor's own site"), "cloud": _l("Cloud service"), "both": _l("Own site and cloud")}
CERTIFICATION_LABELS = {"pmark": _l("Privacy Mark"), "isms": _l("ISMS (ISO 27001)"), "other": _l("Other")}


class Vendor(VersionedMixin, db.Model):
    """A register entry: who the vendor is, what My Number work it does, where, and who owns it."""

    __tablename__ = "vendors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    name_kana: Mapped[str] = mapped_column(String(200), nullable=False, default="", index=True)
    # Public 13-digit number; NULL for foreign vendors that have none.
    corporate_number: Mapped[str | None] = mapped_column(String(13), unique=True)
    address: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    representative: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    entrusted_work: Mapped[str] = mapped_column(Text, nullable=False, default="")
    data_scope: Mapped[str] = mapped_column(Text, nullable=False, default="")
    data_subject_count: Mapped[int | None] = mapped_column(Integer)
    handling_location: Mapped[str] = mapped_column(String(10), nullable=False, default="domestic")
    handling_country: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    handling_site: Mapped[str] = mapped_column(String(10), nullable=False, default="own_site")
    risk_tier: Mapped[str] = mapped_column(String(10), nullable=False, default="medium", index=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=CANDIDATE, index=True)
    # Scoping (guideline §1.1): is this vendor a 委託先 under 番号法? None = not yet decided.
    is_entrustment: Mapped[bool | None] = mapped_column(Boolean)
    entrustment_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id], lazy="raise")
    manager: Mapped[User | None] = relationship(foreign_keys=[manager_id], lazy="raise")
    contacts: Mapped[list[VendorContact]] = relationship(
        back_populates="vendor", cascade="all, delete-orphan", order_by="VendorContact.id", lazy="raise"
    )
    # Certifications are selection evidence: deleting the vendor does not take them along (the database
    # refuses, RESTRICT); the contacts are part of the register entry and go with it.
    certifications: Mapped[list[VendorCertification]] = relationship(
        back_populates="vendor", passive_deletes="all", order_by="VendorCertification.id", lazy="raise"
    )

    def __repr__(self) -> str:
        return f"<Vendor {self.id} {self.name}>"

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))

    @property
    def is_archived(self) -> bool:
        return self.status == ARCHIVED

    @property
    def risk_label(self) -> str:
        return str(RISK_LABELS.get(self.risk_tier, self.risk_tier))

    @property
    def is_abroad(self) -> bool:
        return self.handling_location == "abroad"


class VendorContact(VersionedMixin, db.Model):
    """A person at the vendor the principal deals with."""

    __tablename__ = "vendor_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    department: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    email: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    phone: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    role: Mapped[str] = mapped_column(String(100), nullable=False, default="")

    vendor: Mapped[Vendor] = relationship(back_populates="contacts")

    activity_type = "vendor_contact"

    def __repr__(self) -> str:
        return f"<VendorContact {self.id} {self.name}>"


class VendorCertification(VersionedMixin, db.Model):
    """A third-party certification the vendor holds (Pマーク, ISMS …) and when it expires."""

    __tablename__ = "vendor_certifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="RESTRICT"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    number: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    issuer: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    expires_on: Mapped[date | None] = mapped_column(Date)

    vendor: Mapped[Vendor] = relationship(back_populates="certifications")

    activity_type = "vendor_certification"

    def __repr__(self) -> str:
        return f"<VendorCertification {self.id} {self.kind} {self.number}>"

    @property
    def kind_label(self) -> str:
        return str(CERTIFICATION_LABELS.get(self.kind, self.kind))

    def is_expired_on(self, day: date) -> bool:
        return self.expires_on is not None and self.expires_on < day


# The vendors table itself, for the statements that judge the lights of vendors already read under the reader's
# scope and named by id (``status.lights``): the scope's ORM conditions then bind the records the rules read
# about them (contracts, nodes, items), not the named vendors again in every subquery of the facts.
VENDORS = Vendor.__table__


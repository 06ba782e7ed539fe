"""The business units (事業部・グループ会社) and which vendors belong to which unit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oversight.core.models import VersionedMixin
from oversight.extensions import db

COMPANY = "company"
DEPARTMENT = "department"
KIND_LABELS = {COMPANY: _l("Group company"), DEPARTMENT: _l("Department")}

# The unit the migration puts every existing record in; a single-unit company never sees another.
DEFAULT_CODE = "default"

# A vendor belongs to one or more units: its register entry is shown to each of them (docs/units.md).
vendor_units = Table(
    "vendor_units",
    db.metadata,
    Column("vendor_id", ForeignKey("vendors.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("business_units.id", ondelete="RESTRICT"), primary_key=True, index=True),
)


class BusinessUnit(VersionedMixin, db.Model):
    """A company of the group or one of its departments. A role held in a unit holds in its sub-units too."""

    __tablename__ = "business_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    # NO ACTION, checked at the end of a statement: deleting a whole subtree at once is not refused.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("business_units.id"), index=True)
    code: Mapped[str] = mapped_column(String(30), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default=DEPARTMENT)
    is_archived: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    parent: Mapped[BusinessUnit | None] = relationship(remote_side=[id], lazy="raise")

    def __repr__(self) -> str:
        return f"<BusinessUnit {self.id} {self.code}>"

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

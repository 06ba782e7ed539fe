"""Evidence file rows. The bytes live in the evidence store (``storage.py``), named by their SHA-256."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oversight.auth.models import User
from oversight.core.timeutil import utcnow
from oversight.core.types import UTCDateTime
from oversight.extensions import db


class EvidenceFile(db.Model):
    """One uploaded document attached to one record (``owner_type``, ``owner_id``)."""

    __tablename__ = "evidence_files"
    __table_args__ = (Index("ix_evidence_files_owner", "owner_type", "owner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_type: Mapped[str] = mapped_column(String(40), nullable=False)
    owner_id: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    original_filename: Mapped[str] = mapped_column(String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    document_date: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")

    uploaded_by: Mapped[User | None] = relationship(lazy="joined")

    activity_type = "evidence_file"

    def __repr__(self) -> str:
        return f"<EvidenceFile {self.id} {self.owner_type}:{self.owner_id} {self.original_filename}>"

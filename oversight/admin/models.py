"""Settings administrators can change while the app runs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oversight.auth.models import User
from oversight.core.models import VersionedMixin
from oversight.extensions import db


class Setting(VersionedMixin, db.Model):
    """The stored value of one setting; a setting without a row has its default."""

    __tablename__ = "settings"
    activity_type = "setting"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)
    value: Mapped[Any] = mapped_column(JSON, nullable=False)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    updated_by: Mapped[User | None] = relationship(lazy="raise")

    def __repr__(self) -> str:
        return f"<Setting {self.key}={self.value!r}>"

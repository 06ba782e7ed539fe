"""Mixins for models: timestamps and a version counter for optimistic locking."""

from datetime import datetime

from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from oversight.core.timeutil import utcnow
from oversight.core.types import UTCDateTime


class TimestampMixin:
    """``created_at`` and ``updated_at``, kept by the database session."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False
    )


class VersionedMixin(TimestampMixin):
    """A version counter SQLAlchemy raises on if two writers update the same row.

    Edit forms carry the version they were loaded with, so a save over somebody
    else's newer change is refused (``oversight.core.editing.ensure_current``).
    """

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.version}

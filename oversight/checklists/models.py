"""Checklist templates and their items. A published template never changes; edits go into a new draft version."""

from __future__ import annotations

from datetime import datetime

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from oversight.auth.models import User
from oversight.core.models import VersionedMixin
from oversight.core.types import UTCDateTime
from oversight.extensions import db

SELECTION = "selection"
CONTRACT = "contract"
AUDIT = "audit"
DELETION_CERTIFICATE = "deletion_certificate"
KINDS: tuple[str, ...] = (SELECTION, CONTRACT, AUDIT, DELETION_CERTIFICATE)
KIND_LABELS = {
    SELECTION: _l("Selection checklist"),
    CONTRACT: _l("Contract clause checklist"),
    AUDIT: _l("Audit checklist"),
    DELETION_CERTIFICATE: _l("Deletion certificate fields"),
}

DRAFT = "draft"
PUBLISHED = "published"
RETIRED = "retired"
STATUS_LABELS = {DRAFT: _l("Draft"), PUBLISHED: _l("Published"), RETIRED: _l("Retired")}

# How strongly the guideline asks for an item (domain reference §0.3 and §3).
REQUIRED = "required"
RECOMMENDED = "recommended"
DESIRABLE = "desirable"
SUPPORTED = "supported"
PRACTICE = "practice"
OPTIONAL = "optional"
LEVELS: tuple[str, ...] = (REQUIRED, RECOMMENDED, DESIRABLE, SUPPORTED, PRACTICE, OPTIONAL)
LEVEL_LABELS = {
    REQUIRED: _l("Required"),
    RECOMMENDED: _l("Recommended"),
    DESIRABLE: _l("Desirable"),
    SUPPORTED: _l("Supported by PPC text"),
    PRACTICE: _l("Common practice"),
    OPTIONAL: _l("Optional"),
}


def _localised(japanese: str, english: str) -> str:
    """The English text in an English UI (when there is one), the Japanese otherwise."""
    return english if str(get_locale()) == "en" and english else japanese


class ChecklistTemplate(VersionedMixin, db.Model):
    """One version of a checklist of a given kind. Records keep the template id they were filled against."""

    __tablename__ = "checklist_templates"
    __table_args__ = (UniqueConstraint("kind", "version_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), nullable=False, index=True)
    version_number: Mapped[int] = mapped_column(Integer, nullable=False)  # 1, 2, 3… within the kind
    name_ja: Mapped[str] = mapped_column(String(200), nullable=False)
    name_en: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=DRAFT, index=True)
    is_shipped: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    shipped_digest: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("checklist_templates.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    items: Mapped[list[ChecklistItem]] = relationship(
        back_populates="template",
        cascade="all, delete-orphan",
        order_by="(ChecklistItem.position, ChecklistItem.id)",
        lazy="selectin",
    )
    based_on: Mapped[ChecklistTemplate | None] = relationship(remote_side=[id], lazy="joined", join_depth=1)
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id], lazy="joined")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id], lazy="joined")

    activity_type = "checklist_template"

    def __repr__(self) -> str:
        return f"<ChecklistTemplate {self.id} {self.kind} v{self.version_number} {self.status}>"

    @property
    def is_draft(self) -> bool:
        return self.status == DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == PUBLISHED

    @property
    def name(self) -> str:
        return _localised(self.name_ja, self.name_en)

    @property
    def label(self) -> str:
        """``選定評価チェックリスト v2``."""
        return f"{self.name} v{self.version_number}"

    def item_by_code(self, code: str) -> ChecklistItem | None:
        return next((item for item in self.items if item.code == code), None)

    @property
    def required_codes(self) -> list[str]:
        return [item.code for item in self.items if item.is_required]


class ChecklistItem(VersionedMixin, db.Model):
    """One question, clause or certificate field of a template."""

    __tablename__ = "checklist_items"
    __table_args__ = (UniqueConstraint("template_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("checklist_templates.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    code: Mapped[str] = mapped_column(String(20), nullable=False)
    category_ja: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    category_en: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    text_ja: Mapped[str] = mapped_column(Text, nullable=False)
    text_en: Mapped[str] = mapped_column(Text, nullable=False, default="")
    is_required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    requirement_level: Mapped[str] = mapped_column(String(20), nullable=False, default=REQUIRED)
    requirement_note: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    guidance_ja: Mapped[str] = mapped_column(Text, nullable=False, default="")
    guidance_en: Mapped[str] = mapped_column(Text, nullable=False, default="")
    source_reference: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    # The vendor answers the item itself (the portal's selection questionnaire); staff answer the others.
    vendor_answerable: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    template: Mapped[ChecklistTemplate] = relationship(back_populates="items")

    activity_type = "checklist_item"

    def __repr__(self) -> str:
        return f"<ChecklistItem {self.id} {self.code}>"

    @property
    def text(self) -> str:
        return _localised(self.text_ja, self.text_en)

    @property
    def category(self) -> str:
        return _localised(self.category_ja, self.category_en)

    @property
    def guidance(self) -> str:
        return _localised(self.guidance_ja, self.guidance_en)


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_frozen_templates(session: Session, flush_context, instances) -> None:
    """A safety net under the services: a published or retired template's content never changes."""
    with session.no_autoflush:
        for obj in (*session.new, *session.dirty, *session.deleted):
            if isinstance(obj, ChecklistItem):
                _check_item(session, obj)
            elif isinstance(obj, ChecklistTemplate) and obj not in session.new and _stored_status(obj) != DRAFT:
                state = inspect(obj)
                changed = {attr.key for attr in state.attrs if attr.history.has_changes()} - _LIFECYCLE_FIELDS
                if obj in session.deleted or changed & _CONTENT_FIELDS:
                    raise FrozenTemplateError(f"{obj!r} is frozen; changed {sorted(changed)}")


def _check_item(session: Session, item: ChecklistItem) -> None:
    template = item.template
    if template is None and item.template_id is not None:
        template = session.get(ChecklistTemplate, item.template_id)
    if template is None or template in session.new or _stored_status(template) == DRAFT:
        return
    if item in session.new or item in session.deleted or session.is_modified(item):
        raise FrozenTemplateError(f"{template!r} is frozen; its items cannot change")


_LIFECYCLE_FIELDS = {"status", "version", "updated_at", "published_at", "published_by_id", "published_by"}
_CONTENT_FIELDS = {"kind", "version_number", "name_ja", "name_en", "note", "items", "shipped_digest", "is_shipped"}


def _stored_status(template: ChecklistTemplate) -> str:
    """The status as stored in the database (before an unflushed change)."""
    history = inspect(template).attrs.status.history
    return history.deleted[0] if history.deleted else template.status


class FrozenTemplateError(RuntimeError):
    """Raised at flush time when code bypasses the services and edits a frozen template's item."""

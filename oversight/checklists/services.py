"""Checklist template versions: load the shipped defaults, copy, edit drafts, publish.

A published (or retired) template is frozen: records that were filled against it keep
pointing at it, so its items never change. Edits happen in a draft copy, which becomes
the current version of its kind when it is published.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from oversight.activity import services as activity
from oversight.checklists.defaults import SHIPPED_TEMPLATES, TemplateData
from oversight.checklists.models import (
    DRAFT,
    KINDS,
    LEVELS,
    PUBLISHED,
    RETIRED,
    ChecklistItem,
    ChecklistTemplate,
)
from oversight.core.editing import apply_changes, snapshot
from oversight.core.timeutil import utcnow
from oversight.extensions import db

ITEM_FIELDS = [
    "code",
    "category_ja",
    "category_en",
    "text_ja",
    "text_en",
    "is_required",
    "requirement_level",
    "requirement_note",
    "guidance_ja",
    "guidance_en",
    "source_reference",
    "vendor_answerable",
]


class TemplateLockedError(Exception):
    """Only draft templates can change; published and retired versions are frozen."""


class ChecklistError(ValueError):
    """A change that would leave the template inconsistent (duplicate code, empty template…)."""


def current_template(kind: str) -> ChecklistTemplate:
    """The published template of ``kind``; the shipped default is loaded first if none exists yet."""
    if kind not in KINDS:
        raise ValueError(f"unknown checklist kind: {kind!r}")
    template = _published(kind)
    if template is None:
        template = _load_shipped(SHIPPED_TEMPLATES[kind], actor=None, now=utcnow())
    return template


def _published(kind: str) -> ChecklistTemplate | None:
    return db.session.scalar(
        db.select(ChecklistTemplate)
        .where(ChecklistTemplate.kind == kind, ChecklistTemplate.status == PUBLISHED)
        .order_by(ChecklistTemplate.version_number.desc())
        .limit(1)
    )


def versions(kind: str) -> list[ChecklistTemplate]:
    """Every version of ``kind``, newest first."""
    query = (
        db.select(ChecklistTemplate)
        .where(ChecklistTemplate.kind == kind)
        .order_by(ChecklistTemplate.version_number.desc())
    )
    return list(db.session.scalars(query))


def templates_by_kind() -> dict[str, list[ChecklistTemplate]]:
    """All versions grouped by kind (in ``KINDS`` order), newest first, in one query."""
    query = db.select(ChecklistTemplate).order_by(ChecklistTemplate.kind, ChecklistTemplate.version_number.desc())
    grouped: dict[str, list[ChecklistTemplate]] = {kind: [] for kind in KINDS}
    for template in db.session.scalars(query):
        grouped.setdefault(template.kind, []).append(template)
    return grouped


def _next_version_number(kind: str) -> int:
    highest = db.session.scalar(
        db.select(db.func.max(ChecklistTemplate.version_number)).where(ChecklistTemplate.kind == kind)
    )
    return (highest or 0) + 1


# --- shipped defaults -----------------------------------------------------------------


@dataclass(frozen=True)
class SyncResult:
    kind: str
    action: str  # "unchanged", "created", "new_version", "new_draft"
    template: ChecklistTemplate


def sync_default_templates(*, actor: Any = None, now: datetime | None = None) -> list[SyncResult]:
    """Make the database hold the shipped checklists; idempotent.

    A kind with no shipped version gets one, published. When the shipped content changed
    since the last shipped version, a new version is added: published when the current
    version is the shipped one, kept as a draft for review when the company publishes its own.
    """
    now = now or utcnow()
    return [_sync_kind(data, actor=actor, now=now) for data in SHIPPED_TEMPLATES.values()]


def _sync_kind(data: TemplateData, *, actor: Any, now: datetime) -> SyncResult:
    latest_shipped = db.session.scalar(
        db.select(ChecklistTemplate)
        .where(ChecklistTemplate.kind == data.kind, ChecklistTemplate.is_shipped.is_(True))
        .order_by(ChecklistTemplate.version_number.desc())
        .limit(1)
    )
    if latest_shipped is not None and latest_shipped.shipped_digest == data.digest():
        return SyncResult(data.kind, "unchanged", latest_shipped)
    current = _published(data.kind)
    company_version_in_use = current is not None and not current.is_shipped
    template = _load_shipped(data, actor=actor, now=now, publish_now=not company_version_in_use, based_on=current)
    if latest_shipped is None and current is None:
        action = "created"
    else:
        action = "new_draft" if company_version_in_use else "new_version"
    return SyncResult(data.kind, action, template)


def _load_shipped(
    data: TemplateData,
    *,
    actor: Any,
    now: datetime,
    publish_now: bool = True,
    based_on: ChecklistTemplate | None = None,
) -> ChecklistTemplate:
    template = ChecklistTemplate(
        kind=data.kind,
        version_number=_next_version_number(data.kind),
        name_ja=data.name_ja,
        name_en=data.name_en,
        note=data.note,
        status=DRAFT,
        is_shipped=True,
        shipped_digest=data.digest(),
        based_on=based_on,
        created_by_id=getattr(actor, "id", None),
    )
    for position, item in enumerate(data.items, start=1):
        template.items.append(ChecklistItem(position=position, **asdict(item)))
    db.session.add(template)
    db.session.flush()
    activity.record(
        "checklist.ship",
        actor=actor,
        target=template,
        summary=template.label,  # codes and counts go in the changes, which the log shows in the reader's language
        changes={"kind": [None, data.kind], "items": [None, len(data.items)]},
    )
    if publish_now:
        publish(template, actor=actor, now=now)
    return template


# --- drafts -------------------------------------------------------------------------------


def ensure_draft(template: ChecklistTemplate) -> None:
    """Raise :class:`TemplateLockedError` unless ``template`` is a draft."""
    if not template.is_draft:
        raise TemplateLockedError(f"{template!r} is {template.status}; copy it to a draft to change it")


def copy_template(template: ChecklistTemplate, actor: Any) -> ChecklistTemplate:
    """A new draft version of ``template``'s kind with the same name and items."""
    draft = ChecklistTemplate(
        kind=template.kind,
        version_number=_next_version_number(template.kind),
        name_ja=template.name_ja,
        name_en=template.name_en,
        note=template.note,
        status=DRAFT,
        is_shipped=False,
        based_on=template,
        created_by_id=getattr(actor, "id", None),
    )
    for item in template.items:
        values = {field: getattr(item, field) for field in ITEM_FIELDS}
        draft.items.append(ChecklistItem(position=item.position, **values))
    db.session.add(draft)
    db.session.flush()
    activity.record(
        "checklist.copy",
        actor=actor,
        target=draft,
        summary=f"{template.label} → {draft.label}",
    )
    return draft


def update_template(template: ChecklistTemplate, *, actor: Any, **values: Any) -> dict[str, list[Any]]:
    """Change a draft's name or note (``name_ja``, ``name_en``, ``note``)."""
    ensure_draft(template)
    changes = apply_changes(template, {key: values[key] for key in ("name_ja", "name_en", "note") if key in values})
    if changes:
        activity.record("checklist.update", actor=actor, target=template, summary=template.label, changes=changes)
    return changes


def _check_item_values(template: ChecklistTemplate, values: dict[str, Any], item: ChecklistItem | None = None) -> None:
    unknown = set(values) - {*ITEM_FIELDS, "position"}
    if unknown:
        raise ChecklistError(f"unknown item fields: {sorted(unknown)}")
    if "requirement_level" in values and values["requirement_level"] not in LEVELS:
        raise ChecklistError(f"unknown requirement level: {values['requirement_level']!r}")
    code = values.get("code")
    if code is not None and any(other.code == code and other is not item for other in template.items):
        raise ChecklistError(f"code {code!r} is already used in this template")


def update_item(item: ChecklistItem, *, actor: Any, **values: Any) -> dict[str, list[Any]]:
    """Change an item of a draft; returns ``{field: [before, after]}``."""
    template = item.template
    ensure_draft(template)
    _check_item_values(template, values, item)
    changes = apply_changes(item, values)
    if changes:
        activity.record(
            "checklist.item_update",
            actor=actor,
            target=item,
            summary=f"{template.label} {item.code}",
            changes=changes,
        )
    return changes


def add_item(template: ChecklistTemplate, *, actor: Any, **values: Any) -> ChecklistItem:
    """Append an item to a draft (``code`` and ``text_ja`` are needed)."""
    ensure_draft(template)
    if not values.get("code") or not values.get("text_ja"):
        raise ChecklistError("an item needs a code and a Japanese text")
    _check_item_values(template, values)
    position = values.pop("position", None) or max((item.position for item in template.items), default=0) + 1
    item = ChecklistItem(position=position, **values)
    template.items.append(item)
    db.session.flush()
    activity.record(
        "checklist.item_add",
        actor=actor,
        target=item,
        summary=f"{template.label} {item.code}",
        changes=snapshot(item, ["position", *ITEM_FIELDS]),
    )
    return item


def remove_item(item: ChecklistItem, *, actor: Any) -> None:
    """Delete an item from a draft."""
    template = item.template
    ensure_draft(template)
    activity.record(
        "checklist.item_remove",
        actor=actor,
        target=item,
        summary=f"{template.label} {item.code}",
        changes={field: [getattr(item, field), None] for field in ("code", "text_ja")},
    )
    template.items.remove(item)
    db.session.flush()


def publish(template: ChecklistTemplate, actor: Any, now: datetime) -> ChecklistTemplate:
    """Make a draft the current version of its kind; the previously published one is retired."""
    ensure_draft(template)
    if not template.items:
        raise ChecklistError("a template without items cannot be published")
    previous = _published(template.kind)
    if previous is not None and previous is not template:
        previous.status = RETIRED
        activity.record(
            "checklist.retire",
            actor=actor,
            target=previous,
            summary=f"{previous.label} → {template.label}",
            changes={"status": [PUBLISHED, RETIRED]},
        )
    template.status = PUBLISHED
    template.published_at = now
    template.published_by_id = getattr(actor, "id", None)
    db.session.flush()
    activity.record(
        "checklist.publish",
        actor=actor,
        target=template,
        summary=template.label,
        changes={"status": [DRAFT, PUBLISHED]},
    )
    return template


def delete_draft(template: ChecklistTemplate, *, actor: Any) -> None:
    """Discard a draft that was never published."""
    ensure_draft(template)
    activity.record("checklist.delete_draft", actor=actor, target=template, summary=template.label)
    db.session.delete(template)
    db.session.flush()

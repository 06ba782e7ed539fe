"""Safe edits: refuse stale saves and describe what changed for the activity log."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any


class StaleEditError(Exception):
    """The record changed since the form was loaded; the edit would overwrite it."""


def ensure_current(record: Any, submitted_version: int | str | None) -> None:
    """Raise :class:`StaleEditError` unless the form was loaded from the current version."""
    try:
        submitted = int(submitted_version)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise StaleEditError from exc
    if submitted != record.version:
        raise StaleEditError


def plain(value: Any) -> Any:
    """A JSON-friendly form of a field value, for before/after records."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return [plain(item) for item in value]
    return value


def apply_changes(record: Any, values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Set attributes on ``record`` and return ``{field: [before, after]}`` for those that changed."""
    changes: dict[str, list[Any]] = {}
    for field, new in values.items():
        old = getattr(record, field)
        if old != new:
            changes[field] = [plain(old), plain(new)]
            setattr(record, field, new)
    return changes


def snapshot(record: Any, fields: list[str]) -> dict[str, list[Any]]:
    """``{field: [None, value]}`` for a newly created record."""
    return {field: [None, plain(getattr(record, field))] for field in fields}

"""Settings: typed definitions with defaults, read with :func:`get_setting`, changed by admins.

A feature that needs a setting registers it at import time::

    register_setting("reminders.lead_days", label=_l("Reminder lead days"), kind=TEXT, default="30,7,1")

and reads it with ``get_setting("reminders.lead_days")``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import g, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from oversight.activity import services as activity
from oversight.admin.models import Setting
from oversight.core.editing import StaleEditError
from oversight.core.timeutil import utcnow
from oversight.extensions import db

INTEGER = "integer"
TIME = "time"
TEXT = "text"
BOOLEAN = "boolean"
_TIME_PATTERN = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@dataclass(frozen=True)
class SettingDefinition:
    """What a setting is: its key, label, type, default and allowed range."""

    key: str
    label: Any
    kind: str
    default: Any
    help: Any = ""
    min_value: int | None = None
    max_value: int | None = None
    # For a text setting: ``check(value)`` answers why the value is refused (a message) or None.
    check: Callable[[Any], Any] | None = None
    # A text setting that may be left empty (an empty value turns its feature off).
    optional: bool = False

    def is_valid(self, value: Any) -> bool:
        """True when ``value`` has this setting's type and lies in its range."""
        if self.kind == INTEGER:
            return (
                isinstance(value, int)
                and not isinstance(value, bool)
                and (self.min_value is None or value >= self.min_value)
                and (self.max_value is None or value <= self.max_value)
            )
        if self.kind == TIME:
            return isinstance(value, str) and bool(_TIME_PATTERN.match(value))
        if self.kind == BOOLEAN:
            return isinstance(value, bool)
        return isinstance(value, str) and (
            self.check is None or (self.optional and not value) or self.check(value) is None
        )


SETTINGS: dict[str, SettingDefinition] = {}


def register_setting(
    key: str,
    *,
    label: Any,
    default: Any,
    kind: str = TEXT,
    help: Any = "",
    min_value: int | None = None,
    max_value: int | None = None,
    check: Callable[[Any], Any] | None = None,
    optional: bool = False,
) -> SettingDefinition:
    """Declare a setting (once per key) so that it can be read and shown on the settings page."""
    definition = SettingDefinition(key, label, kind, default, help, min_value, max_value, check, optional)
    if not definition.is_valid(default):
        raise ValueError(f"the default of {key} is not a valid {kind}: {default!r}")
    existing = SETTINGS.get(key)
    if existing is not None and existing != definition:
        raise ValueError(f"setting {key} is already registered differently")
    SETTINGS[key] = definition
    return definition


def get_setting(key: str) -> Any:
    """The current value of a registered setting: the stored one, or its default.

    :raises KeyError: ``key`` was never registered.
    """
    definition = SETTINGS[key]
    value = stored_values().get(key)
    return value if value is not None and definition.is_valid(value) else definition.default


def stored_values() -> dict[str, Any]:
    """Every stored setting's value by key: one query, read once per request (every request reads the
    second factor's roles, and pages read several settings), afresh in every other context."""
    if not has_request_context():
        return _read_values()
    if "settings_values" not in g:
        g.settings_values = _read_values()
    return g.settings_values


def _read_values() -> dict[str, Any]:
    return {key: value for key, value in db.session.execute(db.select(Setting.key, Setting.value))}


def effective_values(rows: dict[str, Setting]) -> dict[str, Any]:
    """Every registered setting's value given the stored ``rows`` (no further queries)."""
    values = {}
    for key, definition in SETTINGS.items():
        row = rows.get(key)
        values[key] = row.value if row is not None and definition.is_valid(row.value) else definition.default
    return values


def stored_settings() -> dict[str, Setting]:
    """The stored rows by key, with who last changed them."""
    rows = db.session.scalars(db.select(Setting).options(selectinload(Setting.updated_by)))
    return {row.key: row for row in rows}


def edit_state(rows: dict[str, Setting]) -> str:
    """A fingerprint of the stored versions; the settings form carries it to detect stale saves."""
    return ",".join(f"{key}:{rows[key].version}" for key in sorted(rows))


def save_settings(values: dict[str, Any], *, actor: Any, state: str | None) -> dict[str, list[Any]]:
    """Store the values that differ from the current ones and log each change.

    :raises StaleEditError: someone saved settings after ``state`` was read.
    :raises ValueError: a value has the wrong type or lies outside its range (forms check this first).
    """
    rows = stored_settings()
    if state != edit_state(rows):
        raise StaleEditError
    current = effective_values(rows)
    changes: dict[str, list[Any]] = {}
    for key, value in values.items():
        if not SETTINGS[key].is_valid(value):
            raise ValueError(f"not a valid value for {key}: {value!r}")
        row = rows.get(key)
        before = current[key]
        if value == before:
            continue
        if row is None:
            row = Setting(key=key, value=value)
            db.session.add(row)
        row.value = value
        row.updated_by_id = getattr(actor, "id", None)
        row.updated_at = utcnow()
        db.session.flush()
        changes[key] = [before, value]
        activity.record("setting.update", actor=actor, target=row, summary=key, changes={key: [before, value]})
    if has_request_context():
        g.pop("settings_values", None)  # the rest of the request reads the new values
    return changes


register_setting(
    "evaluation.validity_months",
    label=_l("Validity of a selection evaluation (months)"),
    help=_l("An approved evaluation is due for re-evaluation after this many months."),
    kind=INTEGER, default=12, min_value=1, max_value=120,
)
register_setting(
    "audit.interval_months.high",
    label=_l("Audit interval, high-risk vendors (months)"),
    kind=INTEGER, default=6, min_value=1, max_value=120,
)
register_setting(
    "audit.interval_months.medium",
    label=_l("Audit interval, medium-risk vendors (months)"),
    kind=INTEGER, default=12, min_value=1, max_value=120,
)
register_setting(
    "audit.interval_months.low",
    label=_l("Audit interval, low-risk vendors (months)"),
    kind=INTEGER, default=24, min_value=1, max_value=120,
)
register_setting(
    "reminders.sweep_time",
    label=_l("Daily reminder time"),
    help=_l("24-hour HH:MM in Japan time; the scheduler uses it after its next restart."),
    kind=TIME, default="08:30",
)

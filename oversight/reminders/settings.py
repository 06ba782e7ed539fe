"""The reminder settings: registered with the admin settings, read once per sweep."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from flask_babel import lazy_gettext as _l

from oversight.admin.settings import INTEGER, TEXT, get_setting, register_setting

SWEEP_TIME = "reminders.sweep_time"  # registered by oversight.admin.settings
LEAD_DAYS = "reminders.lead_days"
OVERDUE_REPEAT_DAYS = "reminders.overdue_repeat_days"

DEFAULT_SWEEP_TIME = time(8, 30)
DEFAULT_LEAD_DAYS = (30, 7, 1)

register_setting(
    LEAD_DAYS,
    label=_l("Reminder lead times (days before the due date)"),
    help=_l("Comma-separated, for example 30,7,1: a reminder goes out when each is reached."),
    kind=TEXT, default="30,7,1",
)
register_setting(
    OVERDUE_REPEAT_DAYS,
    label=_l("Repeat overdue reminders every (days)"),
    kind=INTEGER, default=7, min_value=1, max_value=90,
)


@dataclass(frozen=True)
class StagePolicy:
    """When reminders go out for a due date: lead times before it, then a repeat period after it."""

    lead_days: tuple[int, ...] = DEFAULT_LEAD_DAYS
    overdue_repeat_days: int = 7


def stage_policy() -> StagePolicy:
    """The policy from the current settings (read it once per rule run, not per item)."""
    return StagePolicy(lead_days=parse_lead_days(str(get_setting(LEAD_DAYS))),
                       overdue_repeat_days=int(get_setting(OVERDUE_REPEAT_DAYS)))


def sweep_time() -> time:
    """When the daily sweep runs (``HH:MM`` in the app's time zone)."""
    try:
        hour, minute = (int(part) for part in str(get_setting(SWEEP_TIME)).split(":"))
        return time(hour, minute)
    except ValueError:
        return DEFAULT_SWEEP_TIME


def parse_lead_days(text: str) -> tuple[int, ...]:
    """``"30, 7,1"`` → ``(30, 7, 1)``; the default when the text holds no positive whole numbers."""
    try:
        days = {int(part) for part in text.replace(" ", "").split(",") if part}
    except ValueError:
        days = set()
    days = {day for day in days if day > 0}
    return tuple(sorted(days, reverse=True)) if days else DEFAULT_LEAD_DAYS

"""The reminder settings (lead times, repeat period, sweep time): registered with the admin settings,
read once per rule run."""

from __future__ import annotations

from datetime import time

from flask_babel import lazy_gettext as _l

from oversight.admin.settings import INTEGER, TEXT, get_setting, register_setting
from oversight.core.due import DEFAULT_LEAD_DAYS, StagePolicy

SWEEP_TIME = "reminders.sweep_time"  # registered by oversight.admin.settings
LEAD_DAYS = "reminders.lead_days"
OVERDUE_REPEAT_DAYS = "reminders.overdue_repeat_days"

DEFAULT_SWEEP_TIME = time(8, 30)

# Per-rule lead times (comma-separated days before the due date); a rule passes its key to
# ``stage_policy(key)``. ``reminders.lead_days`` stays the default for rules without their own.
AUDIT_LEAD_DAYS = "reminders.audit_lead_days"
CONTRACT_END_LEAD_DAYS = "reminders.contract_end_lead_days"
CERTIFICATION_LEAD_DAYS = "reminders.certification_lead_days"
DISPOSAL_LEAD_DAYS = "reminders.disposal_lead_days"
FINDING_LEAD_DAYS = "reminders.finding_lead_days"
EVALUATION_LEAD_DAYS = "reminders.evaluation_lead_days"
CONSENT_LEAD_DAYS = "reminders.consent_lead_days"
APPROVAL_WAIT_BUSINESS_DAYS = "reminders.approval_wait_business_days"

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

_LEAD_HELP = _l("Comma-separated days before the due date, for example 30,7,1.")
for _key, _label, _default in (
    (AUDIT_LEAD_DAYS, _l("Audit reminder lead times (days)"), "30,7,1"),
    (CONTRACT_END_LEAD_DAYS, _l("Contract end reminder lead times (days)"), "90,30"),
    (CERTIFICATION_LEAD_DAYS, _l("Certification expiry reminder lead times (days)"), "60"),
    (DISPOSAL_LEAD_DAYS, _l("Return/deletion reminder lead times (days)"), "7"),
    (FINDING_LEAD_DAYS, _l("Audit finding reminder lead times (days)"), "7"),
    (EVALUATION_LEAD_DAYS, _l("Selection evaluation expiry reminder lead times (days)"), "30"),
    (CONSENT_LEAD_DAYS, _l("Subcontract consent expiry reminder lead times (days)"), "30"),
):
    register_setting(_key, label=_label, help=_LEAD_HELP, kind=TEXT, default=_default)
register_setting(
    APPROVAL_WAIT_BUSINESS_DAYS,
    label=_l("Remind reviews and approvals waiting longer than (business days)"),
    kind=INTEGER, default=3, min_value=1, max_value=60,
)


def stage_policy(lead_key: str = LEAD_DAYS) -> StagePolicy:
    """The policy from the current settings (read it once per rule run, not per item).

    ``lead_key`` names the lead-time setting of one rule (``reminders.audit_lead_days`` …); the
    shared ``reminders.lead_days`` when omitted.
    """
    return StagePolicy(lead_days=parse_lead_days(str(get_setting(lead_key))),
                       overdue_repeat_days=int(get_setting(OVERDUE_REPEAT_DAYS)))


def approval_wait_business_days() -> int:
    """After how many business days a pending review or approval is reminded (default 3)."""
    return int(get_setting(APPROVAL_WAIT_BUSINESS_DAYS))


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

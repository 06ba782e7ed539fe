"""Audit settings, read through the admin settings (``oversight.admin.settings``).

``audit.interval_months.<tier>``: months from one signed-off audit to the next (high 6, medium 12,
low 24 by default); ``audit.trigger_due_days``: days after a trigger (incident, new subcontractor …)
within which the extra audit is due; ``audit.warning_days``: how early the 把握 light turns amber.
``current()`` reads them all with one query, so pages stay at a constant number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, has_app_context, has_request_context
from flask_babel import lazy_gettext as _l

from oversight.admin.settings import INTEGER, SETTINGS, register_setting, stored_values

INTERVAL_KEY = "audit.interval_months.{tier}"
TRIGGER_DUE_DAYS = "audit.trigger_due_days"
WARNING_DAYS = "audit.warning_days"

DEFAULT_INTERVALS = {"high": 6, "medium": 12, "low": 24}
DEFAULTS: dict[str, int] = {
    **{INTERVAL_KEY.format(tier=tier): months for tier, months in DEFAULT_INTERVALS.items()},
    TRIGGER_DUE_DAYS: 30,
    WARNING_DAYS: 30,
}


@dataclass(frozen=True)
class AuditSettings:
    intervals: dict[str, int]
    trigger_due_days: int
    warning_days: int

    def interval_months(self, tier: str) -> int:
        """Months between audits for a risk tier (an unknown tier counts as medium)."""
        return self.intervals.get(tier, self.intervals["medium"])


def _stored_values() -> dict:
    return stored_values() if has_app_context() else {}


def current() -> AuditSettings:
    """Every audit setting, in one query (defaults for those unset or invalid); read once per request
    (the dashboard's panels and the lights all need them), afresh in every other context."""
    if has_request_context():
        if "audit_settings" not in g:
            g.audit_settings = _read()
        return g.audit_settings
    return _read()


def _read() -> AuditSettings:
    stored = _stored_values()

    def value(key: str) -> int:
        found = stored.get(key)
        return found if isinstance(found, int) and not isinstance(found, bool) and found > 0 else DEFAULTS[key]

    return AuditSettings(
        {tier: value(INTERVAL_KEY.format(tier=tier)) for tier in DEFAULT_INTERVALS},
        value(TRIGGER_DUE_DAYS),
        value(WARNING_DAYS),
    )


def defaults() -> AuditSettings:
    """The shipped defaults (for pure computations without a database)."""
    return AuditSettings(dict(DEFAULT_INTERVALS), DEFAULTS[TRIGGER_DUE_DAYS], DEFAULTS[WARNING_DAYS])


def _register() -> None:
    """Declare the settings the admin module does not already declare, so admins can change them."""
    extra = {
        TRIGGER_DUE_DAYS: (_l("Extra audit due after a trigger (days)"), 30),
        WARNING_DAYS: (_l("Monitoring light turns amber this many days before the audit due date"), 30),
    }
    for key, (label, default) in extra.items():
        if key not in SETTINGS:
            register_setting(key, label=label, kind=INTEGER, default=default, min_value=1, max_value=365)


_register()

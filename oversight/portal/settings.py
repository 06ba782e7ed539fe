"""Portal settings, stored like every other setting (``oversight.admin.settings``).

``portal.link_days``: how many days a portal link stays valid (default 14).
``portal.report_interval_months.<tier>``: how often a vendor of each risk tier reports (定期報告):
high 3, medium 6, low 12 months. ``portal.report_open_days``: how many days before its due date a
recurring report is opened (default 30). ``portal.reminder_lead_days``: when the vendor's contacts are
reminded of a request before it falls due (default 7,1). ``portal.escalation_days``: after how many days
overdue the vendor's owner is told (default 14).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from oversight.admin.settings import INTEGER, TEXT, get_setting, register_setting

LINK_DAYS = "portal.link_days"
REPORT_INTERVAL_MONTHS = {
    "high": "portal.report_interval_months.high",
    "medium": "portal.report_interval_months.medium",
    "low": "portal.report_interval_months.low",
}
REPORT_OPEN_DAYS = "portal.report_open_days"
REMINDER_LEAD_DAYS = "portal.reminder_lead_days"
ESCALATION_DAYS = "portal.escalation_days"

register_setting(
    LINK_DAYS,
    label=_l("Vendor portal: days a sign-in link stays valid"),
    kind=INTEGER,
    default=14,
    min_value=1,
    max_value=90,
)
for _tier, _label, _default in (
    ("high", _l("Periodic report interval, high-risk vendors (months)"), 3),
    ("medium", _l("Periodic report interval, medium-risk vendors (months)"), 6),
    ("low", _l("Periodic report interval, low-risk vendors (months)"), 12),
):
    register_setting(REPORT_INTERVAL_MONTHS[_tier], label=_label, kind=INTEGER, default=_default,
                     min_value=1, max_value=60)
register_setting(
    REPORT_OPEN_DAYS,
    label=_l("Open a recurring periodic report this many days before its due date"),
    help=_l("The daily job sends the next periodic report to the vendor's contacts this long ahead."),
    kind=INTEGER,
    default=30,
    min_value=1,
    max_value=180,
)


def lead_days_problem(text: str):
    """Why ``text`` is not a list of lead days (whole numbers 1–365, comma-separated), or None."""
    parts = [part.strip() for part in (text or "").split(",")]
    if not all(part.isdigit() and 1 <= int(part) <= 365 for part in parts):
        return _l("Enter whole numbers of days from 1 to 365, separated by commas (for example 7,1).")
    return None


register_setting(
    REMINDER_LEAD_DAYS,
    label=_l("Vendor portal: remind the vendor's contacts this many days before a request falls due"),
    help=_l("Comma-separated, for example 7,1. Overdue requests are reminded again at the overdue repeat period."),
    kind=TEXT,
    default="7,1",
    check=lead_days_problem,
)
register_setting(
    ESCALATION_DAYS,
    label=_l("Vendor portal: tell the vendor's owner when a request is overdue by (days)"),
    kind=INTEGER,
    default=14,
    min_value=1,
    max_value=365,
)

# Link requests ("send me a new link") allowed per hour, per e-mail address and per IP address.
LINK_REQUESTS_PER_ADDRESS = 3
LINK_REQUESTS_PER_IP = 10
LINK_REQUEST_WINDOW_MINUTES = 60


def link_days() -> int:
    return int(get_setting(LINK_DAYS))


def report_interval_months(tier: str) -> int:
    """How many months apart a vendor of ``tier`` reports (an unknown tier reports as medium)."""
    return int(get_setting(REPORT_INTERVAL_MONTHS.get(tier, REPORT_INTERVAL_MONTHS["medium"])))


def report_open_days() -> int:
    return int(get_setting(REPORT_OPEN_DAYS))


def escalation_days() -> int:
    return int(get_setting(ESCALATION_DAYS))

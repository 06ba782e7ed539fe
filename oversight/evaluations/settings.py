"""How long an approved selection evaluation stays valid (setting ``evaluation.validity_months``)."""

from __future__ import annotations

DEFAULT_VALIDITY_MONTHS = 12
SETTING_KEY = "evaluation.validity_months"


def validity_months() -> int:
    """The configured validity in months; the default until the admin settings page provides one."""
    return DEFAULT_VALIDITY_MONTHS

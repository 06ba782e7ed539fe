"""How long an approved selection evaluation stays valid (setting ``evaluation.validity_months``)."""

from __future__ import annotations

from oversight.admin.settings import get_setting

SETTING_KEY = "evaluation.validity_months"


def validity_months() -> int:
    """The months an approved evaluation stays valid, as an admin set it (default 12)."""
    return int(get_setting(SETTING_KEY))

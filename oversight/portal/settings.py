"""Portal settings, stored like every other setting (``oversight.admin.settings``).

``portal.link_days``: how many days a portal link stays valid (default 14).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from oversight.admin.settings import INTEGER, get_setting, register_setting

LINK_DAYS = "portal.link_days"

register_setting(
    LINK_DAYS,
    label=_l("Vendor portal: days a sign-in link stays valid"),
    kind=INTEGER,
    default=14,
    min_value=1,
    max_value=90,
)

# Link requests ("send me a new link") allowed per hour, per e-mail address and per IP address.
LINK_REQUESTS_PER_ADDRESS = 3
LINK_REQUESTS_PER_IP = 10
LINK_REQUEST_WINDOW_MINUTES = 60


def link_days() -> int:
    return int(get_setting(LINK_DAYS))

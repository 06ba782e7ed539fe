"""The roles a user can hold (DESIGN.md §1)."""

from flask_babel import lazy_gettext as _l

ADMIN = "admin"
PROCUREMENT = "procurement"
LEGAL = "legal"
AUDITOR = "auditor"
MANAGER = "manager"
VIEWER = "viewer"

ALL_ROLES: tuple[str, ...] = (ADMIN, PROCUREMENT, LEGAL, AUDITOR, MANAGER, VIEWER)

ROLE_LABELS = {
    ADMIN: _l("Administrator"),
    PROCUREMENT: _l("Procurement"),
    LEGAL: _l("Legal"),
    AUDITOR: _l("Auditor"),
    MANAGER: _l("Manager"),
    VIEWER: _l("Viewer"),
}

LANGUAGE_LABELS = {"ja": "日本語", "en": "English"}

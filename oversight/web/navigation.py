"""The main navigation: an entry per feature page, shown when it exists and the user may open it
(``web.layout.navigation`` builds the entries a set of roles sees, once per language)."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    section: str = "main"


NAV_ITEMS = (
    NavItem("dashboard.index", _l("Dashboard")),
    NavItem("vendors.index", _l("Vendors")),
    NavItem("evaluations.index", _l("Evaluations")),
    NavItem("contracts.index", _l("Contracts")),
    NavItem("subcontracts.index", _l("Subcontracting")),
    NavItem("disposals.index", _l("Return/deletion")),
    NavItem("audits.index", _l("Audits")),
    NavItem("incidents.index", _l("Incidents")),
    NavItem("imports.index", _l("Import"), "admin"),
    NavItem("admin.users", _l("Users"), "admin"),
    NavItem("admin.units", _l("Business units"), "admin"),
    NavItem("checklists.index", _l("Checklist templates"), "admin"),
    NavItem("admin.settings", _l("Settings"), "admin"),
    NavItem("corporate_numbers.index", _l("Corporate-number data"), "admin"),
    NavItem("activity.index", _l("Activity log"), "admin"),
    NavItem("reminders.outbox", _l("Reminder outbox"), "admin"),
    NavItem("admin.tokens", _l("API access tokens"), "admin"),
    NavItem("webhooks.index", _l("Webhooks"), "admin"),
)


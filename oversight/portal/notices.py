"""The e-mail a vendor contact gets from the reminder sweep: their requests that are new, falling due or
overdue, and a fresh sign-in link. In Japanese, the contacts' language (they have no account to choose one).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from oversight.portal import settings
from oversight.portal.models import KIND_LABELS, PortalRequest
from oversight.vendors.models import Vendor, VendorContact

OPENED = "opened"


def _state(request: PortalRequest, stage: str, today: date) -> str:
    days_left = (request.due_on - today).days
    if stage == OPENED:
        return _("new request")
    if days_left > 0:
        return _("due in %(days)d days", days=days_left)
    if days_left == 0:
        return _("due today")
    return _("overdue by %(days)d days", days=-days_left)


def reminder_mail(
    contact: VendorContact, vendor: Vendor, requests: Iterable[tuple[PortalRequest, str]], link: str, today: date
) -> tuple[str, str]:
    """The subject and text of one contact's reminder: each request once (its latest stage), then the link."""
    company = current_app.config["COMPANY_NAME"]
    with force_locale("ja"):
        lines = [_("Dear %(name)s,", name=contact.name), ""]
        entries = list(requests)
        if all(stage == OPENED for _request, stage in entries):
            subject = _("[%(company)s] New request from the vendor portal", company=company)
            lines.append(_("%(company)s asks %(vendor)s for the following:", company=company, vendor=vendor.name))
        else:
            subject = _("[%(company)s] Reminder: requests from the vendor portal", company=company)
            lines.append(_("A reminder of what %(company)s asked %(vendor)s for:", company=company,
                           vendor=vendor.name))
        lines.append("")
        for request, stage in entries:
            lines.append(_(
                "- %(kind)s, due %(date)s (%(state)s)",
                kind=KIND_LABELS.get(request.kind, request.kind),
                date=request.due_on.isoformat(),
                state=_state(request, stage, today),
            ))
            if stage == OPENED and request.message:
                lines.append(f"  {request.message}")
        lines += [
            "",
            _("Open the vendor portal with this link (it works once and for %(days)d days):",
              days=settings.link_days()),
            link,
            "",
            _("If the link no longer works, ask for a new one on the portal's sign-in page."),
        ]
        return str(subject), "\n".join(str(line) for line in lines) + "\n"

"""The incident list as CSV/XLSX rows."""

from __future__ import annotations

from collections.abc import Iterator

from flask_babel import gettext as _
from sqlalchemy import Select

from oversight.core.exports import ListExport, batched
from oversight.incidents import status


def _incident_rows(query: Select) -> Iterator[tuple]:
    for incident in batched(query):
        yield (
            incident.id,
            incident.vendor.name,
            incident.title,
            incident.kind_label,
            incident.status_label,
            incident.chain_level,
            incident.occurred_on,
            incident.vendor_knew_on,
            incident.department_knew_on,
            ", ".join(status.categories(incident)),
            incident.people_final,
            incident.closed_on,
        )

def _incident_header() -> list[str]:
    return [
        _("ID"),
        _("Vendor"),
        _("Title"),
        _("Kind"),
        _("Status"),
        _("Chain level"),
        _("Occurred on"),
        _("Vendor knew on"),
        _("Department knew on"),
        _("Categories"),
        _("People (final)"),
        _("Closed on"),
    ]


EXPORT = ListExport("incidents", lambda: _("Incidents"), _incident_header, _incident_rows)

"""The return/deletion list as CSV/XLSX rows."""

from __future__ import annotations

from collections.abc import Iterator

from flask_babel import gettext as _
from sqlalchemy import Select

from oversight.core.exports import ListExport, batched


def _disposal_rows(query: Select) -> Iterator[tuple]:
    for item in batched(query):
        yield (
            item.id,
            item.contract.number,
            item.vendor.name,
            item.level,
            item.reason_label,
            item.opened_on,
            item.due_on,
            item.state_label,
            item.method_label,
            item.completed_on,
            item.certificate_number,
            item.confirmed_at,
        )

def _disposal_header() -> list[str]:
    return [
        _("ID"),
        _("Contract number"),
        _("Vendor"),
        _("Chain level"),
        _("Reason"),
        _("Opened on"),
        _("Due date"),
        _("State"),
        _("Method"),
        _("Completed on"),
        _("Certificate number"),
        _("Confirmed at"),
    ]


EXPORT = ListExport("disposals", lambda: _("Return/deletion"), _disposal_header, _disposal_rows)

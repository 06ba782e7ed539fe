"""The contract list as CSV/XLSX rows (the list page's filters applied by its view)."""

from __future__ import annotations

from collections.abc import Iterator

from flask_babel import gettext as _
from sqlalchemy import Select

from oversight.core.exports import ListExport, batched


def _contract_rows(query: Select) -> Iterator[tuple]:
    for contract in batched(query):
        yield (
            contract.number,
            contract.title,
            contract.vendor.name,
            contract.type_label,
            contract.status_label,
            contract.start_on,
            contract.end_on,
            contract.auto_renewal,
            contract.notice_days,
            contract.incident_notice_hours,
            contract.end_handling_label,
            contract.disposal_days,
            contract.signed_on,
            contract.ended_on,
        )


def _contract_header() -> list[str]:
    # end_on is the end of the term the contract states; ended_on the day it really ended (at that
    # end or by an early termination), so the two get different names.
    return [
        _("Contract number"),
        _("Title"),
        _("Vendor"),
        _("Type"),
        _("Status"),
        _("Start date"),
        _("Term ends on"),
        _("Renews automatically"),
        _("Notice period (days)"),
        _("Incident notice deadline (hours)"),
        _("At the end, the data is"),
        _("Days after the end for the return/deletion"),
        _("Date signed"),
        _("Actually ended on"),
    ]


EXPORT = ListExport("contracts", lambda: _("Contracts"), _contract_header, _contract_rows)

"""The evaluation list as CSV/XLSX rows (the list page's filters applied by its view)."""

from __future__ import annotations

from collections.abc import Iterator

from flask_babel import gettext as _
from sqlalchemy import Select

from oversight.core.exports import ListExport, batched


def _evaluation_rows(query: Select) -> Iterator[tuple]:
    for evaluation in batched(query):
        yield (
            evaluation.id,
            evaluation.vendor.name,
            evaluation.status_label,
            evaluation.decision_label,
            evaluation.submitted_at,
            evaluation.decided_at,
            evaluation.valid_until,
            evaluation.conditions,
        )

def _evaluation_header() -> list[str]:
    return [
        _("ID"),
        _("Vendor"),
        _("Status"),
        _("Decision"),
        _("Submitted at"),
        _("Decided at"),
        _("Valid until"),
        _("Conditions"),
    ]


EXPORT = ListExport("evaluations", lambda: _("Evaluations"), _evaluation_header, _evaluation_rows)

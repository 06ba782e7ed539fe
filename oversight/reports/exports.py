"""The vendor register as CSV/XLSX rows: register data and the five oversight lights of each vendor
(a consumer of every duty's light, so it lives here rather than in ``vendors``)."""

from __future__ import annotations

from collections.abc import Iterator

from flask_babel import gettext as _
from sqlalchemy import Select

from oversight.core.exports import ListExport
from oversight.extensions import db
from oversight.reports import data


def _vendor_rows(query: Select) -> Iterator[tuple]:
    ids = list(db.session.scalars(query.with_only_columns(data.Vendor.id).options()))
    for row in data.register_rows(ids, localised=True):
        yield (
            row.vendor_id,
            row.name,
            row.name_kana,
            row.corporate_number,
            row.status,
            row.risk,
            row.owner,
            *(light.text if light else "" for light in row.lights),
        )


def _vendor_header() -> list[str]:
    return [
        _("ID"),
        _("Legal name"),
        _("Name (kana)"),
        _("Corporate number"),
        _("Status"),
        _("Risk tier"),
        _("Owner"),
        _("Selection"),
        _("Contract"),
        _("Monitoring"),
        _("Subcontracting"),
        _("Return/deletion"),
    ]


VENDORS = ListExport("vendors", lambda: _("Vendors"), _vendor_header, _vendor_rows)

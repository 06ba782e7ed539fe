"""The subcontract list as CSV/XLSX rows: every node with each of its consent requests."""

from __future__ import annotations

from collections.abc import Iterator

from flask_babel import gettext as _
from sqlalchemy import Select
from sqlalchemy.orm import joinedload

from oversight.core.exports import ListExport
from oversight.extensions import db
from oversight.subcontracts.models import Subcontract, SubcontractConsent


def subcontract_query() -> Select:
    """Every subcontract node with each of its consent requests (one row per request, or one without)."""
    return (
        db.select(Subcontract, SubcontractConsent)
        .outerjoin(SubcontractConsent, SubcontractConsent.subcontract_id == Subcontract.id)
        .options(
            joinedload(Subcontract.vendor), joinedload(Subcontract.parent_vendor), joinedload(Subcontract.contract)
        )
        .order_by(Subcontract.contract_id, Subcontract.path, Subcontract.id, SubcontractConsent.id)
    )


def _subcontract_rows(query: Select) -> Iterator[tuple]:
    for node, consent in db.session.execute(query):
        yield (
            node.id,
            node.contract.number,
            node.level,
            node.vendor.name,
            node.parent_vendor.name,
            consent.id if consent else None,
            consent.status_label if consent else "",
            consent.consent_type_label if consent else "",
            consent.decided_at if consent else None,
            consent.expires_on if consent else None,
        )


def _subcontract_header() -> list[str]:
    return [
        _("ID"),
        _("Contract number"),
        _("Chain level"),
        _("Subcontractor"),
        _("Entrusted by"),
        _("Consent"),
        _("Consent status"),
        _("Consent type"),
        _("Decided at"),
        _("Expires on"),
    ]


EXPORT = ListExport("subcontracts", lambda: _("Subcontracts"), _subcontract_header, _subcontract_rows)

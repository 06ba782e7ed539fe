"""Contract end: every consented subcontractor in the chain owes its own return/deletion (§6).

``oversight.disposals.services.open_items_for`` reads ``parties`` when a contract ends (at its end
date or early), and opens one DisposalItem, with its own certificate, per node that was ever
granted consent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from oversight.contracts.models import Contract
from oversight.extensions import db
from oversight.subcontracts.models import APPROVED, REVOKED, Subcontract, SubcontractConsent

# A consent that was granted at some point: the subcontractor may hold the data even if it has
# since expired or been revoked.
GRANTED = (APPROVED, REVOKED)


@dataclass(frozen=True)
class Party:
    """A subcontractor besides the contractor who holds the contract's data."""

    vendor_id: int
    subcontract_id: int
    level: int


def parties(contract: Contract) -> Iterator[Party]:
    """The consented subcontractors of ``contract``, level by level (one query)."""
    granted = db.select(SubcontractConsent.subcontract_id).where(
        SubcontractConsent.status.in_(GRANTED), SubcontractConsent.decided_at.is_not(None)
    )
    query = (
        db.select(Subcontract.id, Subcontract.vendor_id, Subcontract.level)
        .where(Subcontract.contract_id == contract.id, Subcontract.id.in_(granted))
        .order_by(Subcontract.level, Subcontract.id)
    )
    for row in db.session.execute(query):
        yield Party(vendor_id=row.vendor_id, subcontract_id=row.id, level=row.level)

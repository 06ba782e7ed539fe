"""Contract end: every consented subcontractor in the chain owes its own return/deletion (§6).

``parties`` is registered with ``disposals.services.register_party_provider`` when the blueprint is
registered, so ``contracts.services.close_ended_contracts`` (and early termination) open one
DisposalItem, with its own certificate, per node that was ever granted consent.
"""

from __future__ import annotations

from collections.abc import Iterator

from oversight.contracts.models import Contract
from oversight.disposals.services import Party
from oversight.extensions import db
from oversight.subcontracts.models import APPROVED, REVOKED, Subcontract, SubcontractConsent

# A consent that was granted at some point: the subcontractor may hold the data even if it has
# since expired or been revoked.
GRANTED = (APPROVED, REVOKED)


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

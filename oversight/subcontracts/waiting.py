"""Consent requests waiting for legal's review or a manager's decision (see ``oversight.core.waiting``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial

from flask_babel import gettext
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from oversight.auth.roles import LEGAL, MANAGER
from oversight.contracts.models import Contract
from oversight.core.waiting import Waiting, ordered
from oversight.subcontracts import permissions
from oversight.subcontracts.models import REQUESTED, REVIEWED, Subcontract, SubcontractConsent
from oversight.vendors.models import Vendor

ROLES = frozenset({LEGAL, MANAGER})


def query() -> Select:
    """The requested and the reviewed consent requests, oldest request first."""
    contractor = aliased(Vendor)
    subcontractor = aliased(Vendor)
    return ordered(
        select(
            SubcontractConsent.id,
            SubcontractConsent.subcontract_id,
            SubcontractConsent.status,
            SubcontractConsent.requested_by_id,
            SubcontractConsent.requested_by_label,
            SubcontractConsent.requested_at,
            SubcontractConsent.reviewed_by_id,
            SubcontractConsent.reviewed_at,
            contractor.name.label("contractor_name"),
            subcontractor.name.label("subcontractor_name"),
        )
        .join(Subcontract, Subcontract.id == SubcontractConsent.subcontract_id)
        .join(Contract, Contract.id == Subcontract.contract_id)
        .join(contractor, contractor.id == Contract.vendor_id)
        .join(subcontractor, subcontractor.id == Subcontract.vendor_id)
        .where(SubcontractConsent.status.in_((REQUESTED, REVIEWED))),
        SubcontractConsent.requested_at,
        SubcontractConsent.id,
    )


def waiting(session: Session) -> Iterator[Waiting]:
    """Each request since it was made (for legal) and each reviewed one since its review (for a
    manager who neither requested nor reviewed it), in one query."""
    return items(session.execute(query()))


def items(rows: Iterable) -> Iterator[Waiting]:
    """The waiting items of ``rows`` of :func:`query`."""
    subcontract_to = gettext("Subcontract to %(vendor)s")  # translated once, not per row
    from_portal = gettext("asked by the vendor through the vendor portal")
    for row in rows:
        title = subcontract_to % {"vendor": row.subcontractor_name}
        common = {
            "object_type": "subcontract_consent",
            "object_id": row.id,
            "title": f"{title} ({from_portal})" if row.requested_by_label else title,
            "vendor_name": row.contractor_name,
            "url_path": f"/subcontracts/{row.subcontract_id}",
        }
        if row.status == REQUESTED and row.requested_at is not None:
            yield Waiting(
                kind="consent_review", since=row.requested_at, role=LEGAL, may_act=partial(_may_review, row), **common
            )
        elif row.status == REVIEWED and row.reviewed_at is not None:
            yield Waiting(
                kind="consent_decision",
                since=row.reviewed_at,
                role=MANAGER,
                may_act=partial(_may_decide, row),
                **common,
            )


def _may_review(row, user) -> bool:
    return permissions.can_review(user, row)


def _may_decide(row, user) -> bool:
    return permissions.can_decide(user, row)

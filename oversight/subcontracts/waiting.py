"""Consent requests waiting for legal's review or a manager's decision (see ``oversight.core.waiting``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial
from typing import Any

from flask_babel import gettext
from sqlalchemy import Select, case, or_, select
from sqlalchemy.orm import Session, aliased

from oversight.auth.roles import LEGAL, MANAGER
from oversight.contracts.models import Contract
from oversight.core.waiting import Waiting, ordered
from oversight.subcontracts import permissions
from oversight.subcontracts.models import REQUESTED, REVIEWED, Subcontract, SubcontractConsent
from oversight.vendors.models import Vendor

ROLES = frozenset({LEGAL, MANAGER})


REVIEW_KIND, DECISION_KIND = "consent_review", "consent_decision"


def query(user: Any = None) -> Select:
    """The requested and the reviewed consent requests (those ``user`` may review or decide, when
    given), oldest request first, each with its ``kind`` and the moment it has waited ``since`` (a
    request since it was made, a reviewed one since its review)."""
    contractor = aliased(Vendor)
    subcontractor = aliased(Vendor)
    requested = SubcontractConsent.status == REQUESTED
    since = case((requested, SubcontractConsent.requested_at), else_=SubcontractConsent.reviewed_at)
    found = (
        select(
            SubcontractConsent.id,
            SubcontractConsent.subcontract_id,
            SubcontractConsent.status,
            SubcontractConsent.requested_by_id,
            SubcontractConsent.requested_by_label,
            SubcontractConsent.requested_at,
            SubcontractConsent.reviewed_by_id,
            SubcontractConsent.reviewed_at,
            Contract.unit_id,  # the contract's unit: whose legal and managers decide
            contractor.name.label("contractor_name"),
            subcontractor.name.label("subcontractor_name"),
            case((requested, REVIEW_KIND), else_=DECISION_KIND).label("kind"),
            since.label("since"),
        )
        .join(Subcontract, Subcontract.id == SubcontractConsent.subcontract_id)
        .join(Contract, Contract.id == Subcontract.contract_id)
        .join(contractor, contractor.id == Contract.vendor_id)
        .join(subcontractor, subcontractor.id == Subcontract.vendor_id)
        .where(SubcontractConsent.status.in_((REQUESTED, REVIEWED)), since.is_not(None))
    )
    if user is not None:
        found = found.where(
            or_(
                permissions.REVIEW.clause(user, SubcontractConsent),
                permissions.DECIDE.clause(user, SubcontractConsent),
            )
        )
    return ordered(found, SubcontractConsent.requested_at, SubcontractConsent.id)


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
        if row.kind == REVIEW_KIND:
            yield Waiting(kind=row.kind, since=row.since, role=LEGAL, may_act=partial(_may_review, row), **common)
        else:
            yield Waiting(
                kind=row.kind,
                since=row.since,
                role=MANAGER,
                may_act=partial(_may_decide, row),
                **common,
            )


def _may_review(row, user) -> bool:
    return permissions.can_review(user, row)


def _may_decide(row, user) -> bool:
    return permissions.can_decide(user, row)

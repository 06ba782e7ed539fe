"""Who may send requests to vendors and who reviews what the vendors submit (docs/permissions.md)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select

from oversight.auth.roles import AUDITOR, MANAGER, PROCUREMENT
from oversight.portal.kinds import kind_of, reviewed_by, reviewer_roles
from oversight.portal.models import SUBMITTED, PortalRequest
from oversight.units.models import vendor_units
from oversight.units.services import holds, holds_for_vendor, unit_ids_for_action

# Send a request, revoke a contact's links: those who deal with the vendor.
SENDERS = (PROCUREMENT, AUDITOR, MANAGER)
# Review a submission (return or accept): each kind names its reviewers (a periodic report becomes an audit
# record, so the auditors; a questionnaire and a certificate go to procurement). These are all of them.
REVIEWERS = reviewer_roles()


def can_send(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_role(*SENDERS))


def reviews(user: Any, request: PortalRequest) -> bool:
    """``user`` holds a reviewer role of ``request``'s kind where it counts: for a request about a unit's record
    (``unit_id``), group-wide or in that unit; for one about the vendor, group-wide or in one of its units."""
    rules = kind_of(request.kind)
    if rules is None:
        return False
    if request.unit_id is not None:
        return holds(user, request, *rules.reviewers)
    return holds_for_vendor(user, request, *rules.reviewers)


def review_units(user: Any, role: str) -> tuple[int, ...] | None:
    """The units where ``user`` reviews with ``role`` (None: the whole group), for :func:`review_clause`: a
    hashable value, so that a statement built from it can be kept."""
    allowed = unit_ids_for_action(user, role)
    return None if allowed is None else tuple(allowed)


def review_clause(role: str, units: tuple[int, ...] | None) -> ColumnElement[bool]:
    """:func:`reviews` in SQL, for the requests whose kind ``role`` reviews, ``units`` being
    ``review_units(user, role)``: a request about a unit's record in one of those units, one about the vendor
    of a vendor in one of them (the dashboard's review inbox lists only what its reader may decide)."""
    of_kind = PortalRequest.kind.in_(reviewed_by(role))
    if units is None:
        return of_kind
    if not units:
        return false()
    members = select(vendor_units.c.vendor_id).where(vendor_units.c.unit_id.in_(units)).correlate(None)
    return and_(
        of_kind,
        or_(
            PortalRequest.unit_id.in_(units),
            and_(PortalRequest.unit_id.is_(None), PortalRequest.vendor_id.in_(members)),
        ),
    )


def can_review(user: Any, request: PortalRequest) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and request.status == SUBMITTED
        and reviews(user, request)
    )

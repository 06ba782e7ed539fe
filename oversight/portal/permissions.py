"""Who may send requests to vendors and who reviews what the vendors submit (docs/permissions.md)."""

from __future__ import annotations

from typing import Any

from oversight.auth.roles import AUDITOR, MANAGER, PROCUREMENT
from oversight.portal.kinds import kind_of, reviewer_roles
from oversight.portal.models import SUBMITTED, PortalRequest
from oversight.units.services import holds, holds_for_vendor

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


def can_review(user: Any, request: PortalRequest) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and request.status == SUBMITTED
        and reviews(user, request)
    )

"""Who may send requests to vendors and who reviews what the vendors submit (docs/permissions.md)."""

from __future__ import annotations

from typing import Any

from oversight.auth.roles import AUDITOR, MANAGER, PROCUREMENT
from oversight.portal.kinds import kind_of, reviewer_roles
from oversight.portal.models import SUBMITTED, PortalRequest

# Send a request, revoke a contact's links: those who deal with the vendor.
SENDERS = (PROCUREMENT, AUDITOR, MANAGER)
# Review a submission (return or accept): each kind names its reviewers (a periodic report becomes an audit
# record, so the auditors; a questionnaire and a certificate go to procurement). These are all of them.
REVIEWERS = reviewer_roles()


def can_send(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_role(*SENDERS))


def can_review(user: Any, request: PortalRequest) -> bool:
    rules = kind_of(request.kind)
    return bool(
        getattr(user, "is_authenticated", False)
        and rules is not None
        and user.has_role(*rules.reviewers)
        and request.status == SUBMITTED
    )

"""Who may send requests to vendors and who reviews what the vendors submit (docs/permissions.md)."""

from __future__ import annotations

from typing import Any

from oversight.auth.roles import AUDITOR, MANAGER, PROCUREMENT
from oversight.portal.models import SUBMITTED, PortalRequest

# Send a request, revoke a contact's links: those who deal with the vendor.
SENDERS = (PROCUREMENT, AUDITOR, MANAGER)
# Review a periodic report (return or accept): it becomes an audit record, so the auditors.
REVIEWERS = (AUDITOR,)


def can_send(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_role(*SENDERS))


def can_review(user: Any, request: PortalRequest) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_role(*REVIEWERS) and request.status == SUBMITTED)

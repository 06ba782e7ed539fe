"""Who may do what with a subcontract consent: one predicate per decision (docs/permissions.md).

Pages (which buttons show), services (which refuse), the dashboard's work list and the approval
reminders all ask these. They read only columns of the consent (``status``, ``requested_by_id``,
``reviewed_by_id``), so a waiting list may pass a selected row instead of an ORM object.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from oversight.auth.models import User
from oversight.auth.roles import ADMIN, LEGAL, MANAGER, PROCUREMENT
from oversight.core.predicates import Equals, HasRole, Predicate, UserIs, actors, step
from oversight.subcontracts.models import APPROVED, REQUESTED, REVIEWED

REQUESTERS = (PROCUREMENT, ADMIN)  # record subcontractors, request consents, record the notice to the vendor
REVIEWERS = (LEGAL,)  # review a request before the decision
DECIDERS = (MANAGER,)  # grant, refuse or revoke a consent


def is_principal_manager(user: Any) -> bool:
    """An active manager of the principal (委託者): no vendor, at any level, consents."""
    return isinstance(user, User) and user.is_active and user.has_role(*DECIDERS)


REVIEW = Predicate(
    (
        step(_l("Only legal reviews a consent request."), HasRole(REVIEWERS)),
        step(_l("This request is not waiting for legal's review."), Equals("status", (REQUESTED,))),
    )
)
# Separation of duties: the deciding manager is neither the requester nor the legal reviewer.
_NOT_PARTICIPANT = actors("requested_by_id", "reviewed_by_id")
DECIDE = Predicate(
    (
        step(_l("Only a manager of the principal (委託者) can decide on a consent."), UserIs(is_principal_manager)),
        step(_l("Legal must review the request before a manager decides."), Equals("status", (REVIEWED,))),
        step(
            _l("The manager who decides must be somebody other than the requester and the legal reviewer."),
            _NOT_PARTICIPANT,
        ),
    )
)


def review_refusal(user: Any, consent: Any) -> Any:
    """Why ``user`` may not review ``consent`` (a message), or None when they may (:data:`REVIEW`)."""
    return REVIEW.refusal(user, consent)


def can_review(user: Any, consent: Any) -> bool:
    """``user`` may give legal's recommendation on ``consent``."""
    return REVIEW.allows(user, consent)


def took_part(user: Any, consent: Any) -> bool:
    """``user`` requested ``consent`` or reviewed it."""
    return not _NOT_PARTICIPANT.check(user, (consent,))


def decide_refusal(user: Any, consent: Any) -> Any:
    """Why ``user`` may not grant or refuse ``consent``, or None when they may (:data:`DECIDE`)."""
    return DECIDE.refusal(user, consent)


def can_decide(user: Any, consent: Any) -> bool:
    """``user`` may grant or refuse ``consent``."""
    return DECIDE.allows(user, consent)


def revoke_refusal(user: Any, consent: Any) -> Any:
    """Why ``user`` may not revoke ``consent``, or None when they may (a manager, on a granted consent)."""
    if not is_principal_manager(user):
        return _l("Only a manager of the principal (委託者) can decide on a consent.")
    if consent.status != APPROVED:
        return _l("Only a granted consent can be revoked.")
    return None


def can_revoke(user: Any, consent: Any) -> bool:
    """``user`` may revoke ``consent``."""
    return revoke_refusal(user, consent) is None

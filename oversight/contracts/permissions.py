"""Who may do what with a contract: one predicate per decision (docs/permissions.md).

Pages (which buttons show), services (which refuse), the dashboard's work list and the approval
reminders all ask these. They read only columns (a contract's ``status`` and ``created_by_id``, a
review round's ``outcome``, ``submitted_by_id`` and ``reviewer_id``), so a waiting list may pass
selected rows instead of ORM objects.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from oversight.auth.roles import ADMIN, LEGAL, MANAGER, PROCUREMENT
from oversight.contracts.models import APPROVED, EDITABLE, IN_REVIEW, OUTCOME_APPROVED, SIGNED
from oversight.core.predicates import Equals, IsNull, NotActor, Predicate, step
from oversight.units.predicates import HoldsRole
from oversight.units.services import holds

EDITORS = (PROCUREMENT, ADMIN)  # draft, edit, submit, start an amendment or renewal, record subcontractors
SIGNERS = (PROCUREMENT, LEGAL, ADMIN)  # mark signed, attach documents
TERMINATORS = (PROCUREMENT, MANAGER, ADMIN)  # end a signed contract early
REVIEWERS = (LEGAL,)  # judge the clauses, clear or return a round
APPROVERS = (MANAGER,)  # approve or return a cleared contract, approve a waiver


def can_edit(user: Any, contract: Any) -> bool:
    """Change or submit ``contract``: procurement (or admin) while it is a draft or returned."""
    return contract.status in EDITABLE and holds(user, contract, *EDITORS)


_OPEN_ROUND = (Equals("status", (IN_REVIEW,)), IsNull("outcome", record=1))  # (contract, review)
_CLEARED = (Equals("status", (IN_REVIEW,)), Equals("outcome", (OUTCOME_APPROVED,), record=1))
_NOT_REVIEWER = NotActor(((1, "reviewer_id"),))
# Separation of duties: the approving manager neither drafted the contract, nor submitted the round,
# nor reviewed its clauses.
_NOT_PARTICIPANT = NotActor(((0, "created_by_id"), (1, "submitted_by_id"), (1, "reviewer_id")))
REVIEW = Predicate(
    (
        step(_l("This contract is not waiting for legal review."), *_OPEN_ROUND),
        step(_l("Only legal can review contract clauses."), HoldsRole(REVIEWERS)),
    )
)
APPROVE = Predicate(
    (
        step(_l("Only a contract whose clauses legal has cleared can be approved."), *_CLEARED),
        step(_l("Only a manager can approve a contract."), HoldsRole(APPROVERS)),
        step(_l("You reviewed the clauses of this contract; another manager must approve it."), _NOT_REVIEWER),
        step(_l("You drafted or submitted this contract; another manager must approve it."), _NOT_PARTICIPANT),
    )
)


def is_open_round(contract: Any, review: Any) -> bool:
    """``review`` is the round legal has still to judge."""
    return all(condition.check(None, (contract, review)) for condition in _OPEN_ROUND)


def is_cleared(contract: Any, review: Any) -> bool:
    """Legal cleared ``review`` and the contract waits for a manager."""
    return all(condition.check(None, (contract, review)) for condition in _CLEARED)


def review_refusal(user: Any, contract: Any, review: Any) -> Any:
    """Why ``user`` may not judge, clear or return the ``review`` round, or None when they may (:data:`REVIEW`)."""
    return REVIEW.refusal(user, contract, review)


def can_review(user: Any, contract: Any, review: Any) -> bool:
    """Judge the clauses of the open ``review`` round, clear it or return it: legal."""
    return REVIEW.allows(user, contract, review)


def took_part(user: Any, contract: Any, review: Any) -> bool:
    """``user`` drafted the contract, submitted the round or reviewed its clauses."""
    return not _NOT_PARTICIPANT.check(user, (contract, review))


def approve_refusal(user: Any, contract: Any, review: Any) -> Any:
    """Why ``user`` may not approve (or return) ``contract`` cleared in ``review``, or None when they may
    (:data:`APPROVE`)."""
    return APPROVE.refusal(user, contract, review)


def can_approve(user: Any, contract: Any, review: Any) -> bool:
    """``user`` may approve or return ``contract`` whose latest round is ``review``."""
    return APPROVE.allows(user, contract, review)


def waiver_refusal(user: Any, contract: Any, result: Any) -> Any:
    """Why ``user`` may not approve the waiver recorded on clause ``result``, or None when they may.

    Separation of duties: the manager who approves a waiver did not record it.
    """
    if not is_open_round(contract, result.review):
        return _l("This contract is not waiting for legal review.")
    if not holds(user, contract, *APPROVERS):
        return _l("Only a manager can approve a waiver.")
    if not result.has_waiver:
        return _l("No waiver is recorded for this clause.")
    if user.id == result.waiver_by_id:
        return _l("You recorded this waiver; another person must approve it.")
    if result.is_waived:
        return _l("This waiver is already approved.")
    return None


def can_approve_waiver(user: Any, contract: Any, result: Any) -> bool:
    """``user`` may approve the waiver on clause ``result``."""
    return waiver_refusal(user, contract, result) is None


def can_sign(user: Any, contract: Any) -> bool:
    """Mark an approved ``contract`` as signed: procurement, legal or admin."""
    return contract.status == APPROVED and holds(user, contract, *SIGNERS)


def can_upload(user: Any, contract: Any) -> bool:
    """Attach a document to ``contract`` until it is closed: procurement, legal or admin."""
    return not contract.is_closed and holds(user, contract, *SIGNERS)


def can_change(user: Any, contract: Any) -> bool:
    """Start an amendment or renewal of a signed ``contract``: procurement or admin."""
    return contract.status == SIGNED and holds(user, contract, *EDITORS)


def can_terminate(user: Any, contract: Any) -> bool:
    """End a signed ``contract`` early: procurement, manager or admin, until it is closed."""
    return contract.has_been_signed and not contract.is_closed and holds(user, contract, *TERMINATORS)

"""Who may do what with a selection evaluation: one predicate per decision (docs/permissions.md).

Pages (which buttons show), services (which refuse), the dashboard's work list and the approval
reminders all ask these. The predicates read only columns of the evaluation (``status``,
``submitted_by_id``, ``vendor_id``) and its vendor's business units, so a waiting list may pass a selected
row (carrying ``vendor_unit_ids``) instead of an ORM object.

An evaluation belongs to the vendor, and a vendor can be in several units: a role counts when it is held
for the whole group or in any unit the vendor belongs to (or a unit above it), docs/units.md.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from oversight.auth.roles import ADMIN, MANAGER, PROCUREMENT
from oversight.core.predicates import Equals, Predicate, actors, step
from oversight.evaluations.models import EDITABLE, SUBMITTED
from oversight.units.predicates import HoldsRoleForVendor
from oversight.units.services import holds_for_vendor

EDITORS = (PROCUREMENT, ADMIN)  # start, answer, attach evidence, submit
DECIDERS = (MANAGER,)  # approve or return a submitted evaluation


def can_edit(user: Any, evaluation: Any) -> bool:
    """Answer, attach evidence to or submit ``evaluation``: procurement (or admin) while it is a draft."""
    return evaluation.status in EDITABLE and holds_for_vendor(user, evaluation, *EDITORS)


# Separation of duties: the manager who decides is not the person who submitted it.
_NOT_SUBMITTER = actors("submitted_by_id")
DECIDE = Predicate(
    (
        step(_l("Only an evaluation awaiting approval can be decided."), Equals("status", (SUBMITTED,))),
        step(_l("Only a manager can decide on an evaluation."), HoldsRoleForVendor(DECIDERS)),
        step(_l("You submitted this evaluation; another manager must approve it."), _NOT_SUBMITTER),
    )
)


def is_own_submission(user: Any, evaluation: Any) -> bool:
    """``user`` submitted ``evaluation`` (so may not decide on it)."""
    return not _NOT_SUBMITTER.check(user, (evaluation,))


def decide_refusal(user: Any, evaluation: Any) -> Any:
    """Why ``user`` may not approve or return ``evaluation`` (a message), or None when they may (:data:`DECIDE`)."""
    return DECIDE.refusal(user, evaluation)


def can_decide(user: Any, evaluation: Any) -> bool:
    """``user`` may approve or return ``evaluation``."""
    return DECIDE.allows(user, evaluation)

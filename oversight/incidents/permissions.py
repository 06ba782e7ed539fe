"""Who may do what with an incident: one predicate per decision (docs/permissions.md).

Pages (which buttons show) and services (which refuse) ask these.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from oversight.auth.roles import AUDITOR, LEGAL, MANAGER, PROCUREMENT
from oversight.units.services import has_role_in, holds

RECORDERS = (MANAGER, PROCUREMENT, LEGAL, AUDITOR)  # open an incident, edit it, complete its steps
OWNERS = (MANAGER,)  # waive or reopen a step, close the incident


def can_record(user: Any, incident: Any) -> bool:
    """Edit an open ``incident`` and complete its steps: anybody but an administrator or a viewer."""
    return incident.is_open and holds(user, incident, *RECORDERS)


EDIT_REFUSAL = _l("Only the people who record incidents in this incident's business unit can change it.")
MOVE_REFUSAL = _l("Moving an incident to another business unit needs your role in both units.")


def edit_refusal(user: Any, incident: Any) -> Any:
    """Why ``user`` may not change ``incident``'s facts (a message), or None (the edit button: :func:`can_record`)."""
    if not holds(user, incident, *RECORDERS):
        return EDIT_REFUSAL
    return None


def move_refusal(user: Any, incident: Any, unit_id: int) -> Any:
    """Why ``user`` may not move ``incident`` from its business unit to ``unit_id`` (a message), or None: the role
    to record incidents is needed in both units (held for the group, or in each unit or a unit above it)."""
    if not (holds(user, incident, *RECORDERS) and has_role_in(user, unit_id, *RECORDERS)):
        return MOVE_REFUSAL
    return None


STEP_REFUSAL = _l("Only the people who record incidents in this incident's business unit can record its steps.")
MANAGE_REFUSAL = _l("Only a manager of this incident's business unit can waive or reopen its steps.")


def step_refusal(user: Any, incident: Any) -> Any:
    """Why ``user`` may not record (save or complete) a step of ``incident`` (a message), or None (the
    "record step" button: :func:`can_record`)."""
    if not holds(user, incident, *RECORDERS):
        return STEP_REFUSAL
    return None


def manage_refusal(user: Any, incident: Any) -> Any:
    """Why ``user`` may not waive or reopen a step of ``incident`` (a message), or None (the buttons:
    :func:`can_manage`)."""
    if not holds(user, incident, *OWNERS):
        return MANAGE_REFUSAL
    return None


def can_manage(user: Any, incident: Any) -> bool:
    """Waive or reopen a step of an open ``incident``: a manager."""
    return incident.is_open and holds(user, incident, *OWNERS)


def close_refusal(user: Any, incident: Any) -> Any:
    """Why ``user`` may not close ``incident`` (a message), or None when they may (a manager, while open)."""
    if not holds(user, incident, *OWNERS):
        return _l("Only a manager can close an incident.")
    if not incident.is_open:
        return _l("This incident is already closed.")
    return None


def can_close(user: Any, incident: Any) -> bool:
    """``user`` may close ``incident`` (once every step is settled)."""
    return close_refusal(user, incident) is None

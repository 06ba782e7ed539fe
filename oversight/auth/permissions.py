"""Account decisions: who may stay signed in with the remember-me cookie (docs/sessions.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oversight.auth.roles import ADMIN, MANAGER

if TYPE_CHECKING:
    from oversight.auth.models import User

# Administrators manage accounts and settings, managers give the approvals: a computer left signed in
# as one of them is worth the most to whoever finds it, so they always sign in with their password
# after the idle timeout.
NEVER_REMEMBERED_ROLES = (ADMIN, MANAGER)


def can_stay_signed_in(user: User) -> bool:
    """Whether the "keep me signed in" cookie may sign ``user`` in again after the idle timeout."""
    return not user.has_role(*NEVER_REMEMBERED_ROLES)

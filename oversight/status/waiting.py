"""Everything waiting for a review or an approval, from each duty feature's own queue.

The dashboard's work list ("waiting for you") and the approval-wait reminders both read
:func:`waiting_items`; each item carries its decision's permission predicate (``may_act``), so a
manager is neither shown nor reminded of what they may not decide (separation of duties).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

from sqlalchemy.orm import Session

from oversight.audits import waiting as audit_waiting
from oversight.contracts import waiting as contract_waiting
from oversight.core.waiting import Waiting
from oversight.disposals import waiting as disposal_waiting
from oversight.evaluations import waiting as evaluation_waiting
from oversight.subcontracts import waiting as subcontract_waiting

# Each lists its queue with ``waiting(session)`` (one query) and names the roles it waits for in ``ROLES``.
SOURCES = (evaluation_waiting, contract_waiting, subcontract_waiting, audit_waiting, disposal_waiting)

WAITING_ROLES = frozenset().union(*(source.ROLES for source in SOURCES))


def waiting_items(session: Session, roles: Collection[str] | None = None) -> Iterator[Waiting]:
    """Every item waiting, or only those of the queues that wait for one of ``roles`` (one query per queue)."""
    for source in SOURCES:
        if roles is None or source.ROLES & set(roles):
            yield from source.waiting(session)


def waiting_for(user, session: Session) -> Iterator[Waiting]:
    """The items ``user`` may act on now: a role the item waits for, and the decision's predicate."""
    user = getattr(user, "_get_current_object", lambda: user)()  # the user itself, not a request proxy
    roles = set(user.roles)
    for item in waiting_items(session, roles=roles):
        if item.role in roles and item.may_act(user):
            yield item

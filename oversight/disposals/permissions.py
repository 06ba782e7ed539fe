"""Who may do what with a return/deletion (返却・廃棄) item: one predicate per decision (docs/permissions.md).

Pages (which buttons show), services (which refuse), the dashboard's work list and the approval
reminders all ask these. They read only columns of the item (``recorded_at``, ``recorded_by_id``,
``confirmed_at``), so a waiting list may pass a selected row instead of an ORM object.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from oversight.auth.roles import ADMIN, MANAGER, PROCUREMENT
from oversight.units.services import holds

RECORDERS = (PROCUREMENT, ADMIN)  # record the vendor's certificate
CONFIRMERS = (MANAGER,)  # confirm the return or deletion
RETURNERS = (MANAGER,)  # send a certificate back (差戻し) to be recorded again


def _contract_of(item: Any) -> Any:
    """The item's contract, whose unit the roles are checked in (the item itself when not loaded)."""
    return getattr(item, "contract", None) or item


def can_record(user: Any, item: Any) -> bool:
    """Record or correct the certificate of ``item`` until it is confirmed: procurement or admin."""
    return item.confirmed_at is None and holds(user, _contract_of(item), *RECORDERS)


def is_own_certificate(user: Any, item: Any) -> bool:
    """``user`` recorded the certificate of ``item``."""
    return item.recorded_by_id is not None and user.id == item.recorded_by_id


def confirm_refusal(user: Any, item: Any) -> Any:
    """Why ``user`` may not confirm ``item`` (a message), or None when they may.

    Separation of duties: the manager who confirms did not record the certificate.
    """
    if not holds(user, _contract_of(item), *CONFIRMERS):
        return _l("Only a manager can confirm a return/deletion.")
    if item.confirmed_at is not None:
        return _l("This return/deletion is already confirmed.")
    if item.recorded_at is None:
        return _l("Record the certificate before confirming.")
    if is_own_certificate(user, item):
        return _l("You recorded this certificate; another manager must confirm it.")
    return None


def can_confirm(user: Any, item: Any) -> bool:
    """``user`` may confirm the return or deletion of ``item``."""
    return confirm_refusal(user, item) is None


def return_refusal(user: Any, item: Any) -> Any:
    """Why ``user`` may not return the certificate of ``item`` (差戻し, a message), or None when they may.

    A manager returns a recorded, unconfirmed certificate; separation of duties: not the one who recorded it.
    """
    if not holds(user, _contract_of(item), *RETURNERS):
        return _l("Only a manager can return a certificate.")
    if item.confirmed_at is not None:
        return _l("This return/deletion is already confirmed.")
    if item.recorded_at is None:
        return _l("No certificate is recorded to return.")
    if is_own_certificate(user, item):
        return _l("You recorded this certificate; another manager must decide on it.")
    return None


def can_return(user: Any, item: Any) -> bool:
    """``user`` may return the certificate of ``item`` to procurement."""
    return return_refusal(user, item) is None

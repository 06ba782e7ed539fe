"""Who may do what with a return/deletion (返却・廃棄) item: one predicate per decision (docs/permissions.md).

Pages (which buttons show), services (which refuse), the dashboard's work list and the approval
reminders all ask these. They read only columns of the item (``recorded_at``, ``recorded_by_id``,
``confirmed_at``), so a waiting list may pass a selected row instead of an ORM object.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from oversight.auth.roles import ADMIN, MANAGER, PROCUREMENT
from oversight.contracts.models import Contract
from oversight.core.predicates import IsNull, NotNull, Predicate, actors, step
from oversight.units.predicates import HoldsRole
from oversight.units.services import holds

RECORDERS = (PROCUREMENT, ADMIN)  # record the vendor's certificate
CONFIRMERS = (MANAGER,)  # confirm the return or deletion
RETURNERS = (MANAGER,)  # send a certificate back (差戻し) to be recorded again


def _contract_of(item: Any) -> Any:
    """The item's contract, whose unit the roles are checked in (the item itself when not loaded)."""
    return getattr(item, "contract", None) or item


# A table alias: the read scope adds nothing to it (the listed items are scoped already).
_contracts = Contract.__table__.alias("disposal_unit_contracts")


def _in_units(table: Any, unit_ids: list[int]) -> Any:
    """The items (rows of ``table``) whose contract is in one of ``unit_ids`` (the SQL form of the unit step)."""
    return table.contract_id.in_(
        select(_contracts.c.id).where(_contracts.c.unit_id.in_(unit_ids)).correlate(None)
    )


def can_record(user: Any, item: Any) -> bool:
    """Record or correct the certificate of ``item`` until it is confirmed: procurement or admin."""
    return item.confirmed_at is None and holds(user, _contract_of(item), *RECORDERS)


# Separation of duties: the manager who confirms or returns did not record the certificate.
_NOT_RECORDER = actors("recorded_by_id")
CONFIRM = Predicate(
    (
        step(
            _l("Only a manager can confirm a return/deletion."),
            HoldsRole(CONFIRMERS, unit_of=_contract_of, in_units=_in_units),
        ),
        step(_l("This return/deletion is already confirmed."), IsNull("confirmed_at")),
        step(_l("Record the certificate before confirming."), NotNull("recorded_at")),
        step(_l("You recorded this certificate; another manager must confirm it."), _NOT_RECORDER),
    )
)
RETURN = Predicate(
    (
        step(
            _l("Only a manager can return a certificate."),
            HoldsRole(RETURNERS, unit_of=_contract_of, in_units=_in_units),
        ),
        step(_l("This return/deletion is already confirmed."), IsNull("confirmed_at")),
        step(_l("No certificate is recorded to return."), NotNull("recorded_at")),
        step(_l("You recorded this certificate; another manager must decide on it."), _NOT_RECORDER),
    )
)


def is_own_certificate(user: Any, item: Any) -> bool:
    """``user`` recorded the certificate of ``item``."""
    return not _NOT_RECORDER.check(user, (item,))


def confirm_refusal(user: Any, item: Any) -> Any:
    """Why ``user`` may not confirm ``item`` (a message), or None when they may (:data:`CONFIRM`)."""
    return CONFIRM.refusal(user, item)


def can_confirm(user: Any, item: Any) -> bool:
    """``user`` may confirm the return or deletion of ``item``."""
    return CONFIRM.allows(user, item)


def return_refusal(user: Any, item: Any) -> Any:
    """Why ``user`` may not return the certificate of ``item`` (差戻し, a message), or None when they may
    (:data:`RETURN`: a manager, on a recorded, unconfirmed certificate they did not record)."""
    return RETURN.refusal(user, item)


def can_return(user: Any, item: Any) -> bool:
    """``user`` may return the certificate of ``item`` to procurement."""
    return RETURN.allows(user, item)

"""Who may do what with a subcontract consent: one predicate per decision (docs/permissions.md).

Pages (which buttons show), services (which refuse), the dashboard's work list and the approval
reminders all ask these. They read only columns of the consent (``status``, ``requested_by_id``,
``reviewed_by_id``) and the unit of its contract (a consent belongs to the contract's business unit: a
role held group-wide or in that unit, or a unit above it, counts), so a waiting list may pass a selected
row carrying ``unit_id`` instead of an ORM object.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from oversight.auth.models import User
from oversight.auth.roles import ADMIN, LEGAL, MANAGER, PROCUREMENT
from oversight.contracts.models import Contract
from oversight.core.predicates import Equals, Predicate, UserIs, actors, step
from oversight.extensions import db
from oversight.subcontracts.models import APPROVED, REQUESTED, REVIEWED, Subcontract
from oversight.units.predicates import HoldsRole
from oversight.units.services import holds

REQUESTERS = (PROCUREMENT, ADMIN)  # record subcontractors, request consents, record the notice to the vendor
REVIEWERS = (LEGAL,)  # review a request before the decision
DECIDERS = (MANAGER,)  # grant, refuse or revoke a consent


def _loaded(record: Any, name: str, model: type, key: Any) -> Any:
    """``record.<name>`` when loaded, else the record of ``model`` with id ``key`` from the session (its
    identity map first: the pages and services have loaded the node and its contract already)."""
    if name in getattr(record, "__dict__", {}):
        return getattr(record, name)
    return db.session.get(model, key) if key is not None else None


def _contract_of(record: Any) -> Any:
    """The contract whose unit counts for a consent or a node (a selected row carries ``unit_id`` itself)."""
    if hasattr(record, "unit_id"):
        return record
    node = record if isinstance(record, Subcontract) else _loaded(
        record, "subcontract", Subcontract, getattr(record, "subcontract_id", None)
    )
    if node is None:
        return record
    return _loaded(node, "contract", Contract, node.contract_id) or record


# Table aliases: the read scope adds nothing to them (the listed consents are scoped already).
_nodes = Subcontract.__table__.alias("consent_unit_subcontracts")
_contracts = Contract.__table__.alias("consent_unit_contracts")


def _in_units(table: Any, unit_ids: list[int]) -> Any:
    """The consents (rows of ``table``) of the contracts in ``unit_ids`` (the SQL form of the unit step)."""
    return table.subcontract_id.in_(
        select(_nodes.c.id)
        .select_from(_nodes.join(_contracts, _contracts.c.id == _nodes.c.contract_id))
        .where(_contracts.c.unit_id.in_(unit_ids))
        .correlate(None)
    )


def is_principal_manager(user: Any, record: Any = None) -> bool:
    """An active manager of the principal (委託者): no vendor, at any level, consents. With ``record`` (a
    consent or a node), a manager for the unit of its contract."""
    if not (isinstance(user, User) and user.is_active):
        return False
    if record is None:
        return user.has_role(*DECIDERS)
    return holds(user, _contract_of(record), *DECIDERS)


def is_requester(user: Any, record: Any) -> bool:
    """``user`` records subcontractors and asks consents for ``record``'s contract (a contract, a node or a
    consent): procurement or admin, for the contract's unit."""
    contract = record if isinstance(record, Contract) else _contract_of(record)
    return holds(user, contract, *REQUESTERS)


REQUEST_REFUSAL = _l("Only procurement or an administrator of this contract's business unit can change its "
                     "subcontract chain.")


def request_refusal(actor: Any, record: Any) -> Any:
    """Why ``actor`` may not record a subcontractor, its entrustment, a consent request, its evaluation or the
    notice to the subcontractor for ``record``'s contract (the page's buttons ask :func:`is_requester`), or None.
    A vendor's contact asking through the portal (``contact_id``) is bound to their own vendor by the portal;
    no actor is a job or an import of the whole group."""
    if actor is None or getattr(actor, "contact_id", None) is not None:
        return None
    return None if is_requester(actor, record) else REQUEST_REFUSAL


def _is_active(user: Any) -> bool:
    return isinstance(user, User) and user.is_active


REVIEW = Predicate(
    (
        step(_l("Only legal reviews a consent request."),
             HoldsRole(REVIEWERS, unit_of=_contract_of, in_units=_in_units)),
        step(_l("This request is not waiting for legal's review."), Equals("status", (REQUESTED,))),
    )
)
# Separation of duties: the deciding manager is neither the requester nor the legal reviewer.
_NOT_PARTICIPANT = actors("requested_by_id", "reviewed_by_id")
DECIDE = Predicate(
    (
        step(
            _l("Only a manager of the principal (委託者) can decide on a consent."),
            UserIs(_is_active),
            HoldsRole(DECIDERS, unit_of=_contract_of, in_units=_in_units),
        ),
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
    if not is_principal_manager(user, consent):
        return _l("Only a manager of the principal (委託者) can decide on a consent.")
    if consent.status != APPROVED:
        return _l("Only a granted consent can be revoked.")
    return None


def can_revoke(user: Any, consent: Any) -> bool:
    """``user`` may revoke ``consent``."""
    return revoke_refusal(user, consent) is None

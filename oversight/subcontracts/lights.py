"""The 再委託 (subcontract) light: has every subcontractor in the vendor's open chains a valid consent?

A node is consented while one of its consents is approved and not past its expiry. It is a violation
when it has no valid consent and no request awaiting a decision, or when any node above it lacks a
valid consent (a consented node below an unconsented one is still a violation). It is amber when its
consent expires within ``WARNING_DAYS`` or its request awaits a decision. :func:`node_severity` is
that rule in SQL (2 violation, 1 amber, 0 consented); the chain pages read it per node.

A vendor's light (:func:`state`) is the worst node of the chains of contracts that have not ended in
which it takes part (as the subcontractor, its parent, or the contract's vendor); grey without any.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, not_, or_
from sqlalchemy.orm import aliased

from oversight.contracts.models import CLOSED, Contract
from oversight.core.i18n import Translate
from oversight.core.lights import AMBER, GREEN, GREY, RED, Light
from oversight.extensions import db
from oversight.subcontracts.models import APPROVED, PENDING, Subcontract, SubcontractConsent

WARNING_DAYS = 30
KEY = "subcontract"
VIOLATIONS, EXPIRING, PENDING_CODE, CONSENTED, NO_NODES = "violations", "expiring", "pending", "consented", "none"
COLOURS = {VIOLATIONS: RED, EXPIRING: AMBER, PENDING_CODE: AMBER, CONSENTED: GREEN, NO_NODES: GREY}
VIOLATION, WARNING, FINE = 2, 1, 0


def horizon(today: date, warning_days: int = WARNING_DAYS) -> date:
    """Consents expiring on or before this day turn the node amber."""
    return today + timedelta(days=warning_days)


def valid_until(node, today: date) -> ColumnElement[date]:
    """The latest expiry of the node's consents valid ``today`` (NULL when none is)."""
    return (
        db.select(func.max(SubcontractConsent.expires_on))
        .where(
            SubcontractConsent.subcontract_id == node.id,
            SubcontractConsent.status == APPROVED,
            SubcontractConsent.expires_on >= today,
        )
        .scalar_subquery()
    )


def has_valid(node, today: date) -> ColumnElement[bool]:
    """The node has a consent valid ``today``."""
    return exists().where(
        SubcontractConsent.subcontract_id == node.id,
        SubcontractConsent.status == APPROVED,
        SubcontractConsent.expires_on >= today,
    )


def has_pending(node) -> ColumnElement[bool]:
    """A request for the node awaits a decision."""
    return exists().where(SubcontractConsent.subcontract_id == node.id, SubcontractConsent.status.in_(PENDING))


def broken_above(node, today: date) -> ColumnElement[bool]:
    """A node above ``node`` in its chain lacks a valid consent."""
    ancestor = aliased(Subcontract)
    return exists().where(
        ancestor.contract_id == node.contract_id,
        ancestor.id != node.id,
        node.path.startswith(ancestor.path),
        not_(has_valid(ancestor, today)),
    )


def is_violation(node, today: date) -> ColumnElement[bool]:
    """The node is a violation ``today`` (rule in the module docstring)."""
    return or_(and_(not_(has_valid(node, today)), not_(has_pending(node))), broken_above(node, today))


def is_expiring(node, today: date) -> ColumnElement[bool]:
    """The node's valid consent expires within ``WARNING_DAYS`` (no later valid one)."""
    lasting = exists().where(
        SubcontractConsent.subcontract_id == node.id,
        SubcontractConsent.status == APPROVED,
        SubcontractConsent.expires_on > horizon(today),
    )
    return and_(has_valid(node, today), not_(lasting))


def node_severity(node, today: date) -> ColumnElement[int]:
    """The rule for one node: 2 violation, 1 amber (consent expiring or awaiting a decision), 0 consented."""
    return case(
        (is_violation(node, today), VIOLATION),
        (is_expiring(node, today), WARNING),
        (not_(has_valid(node, today)), WARNING),  # not a violation without a valid consent: a request is pending
        else_=FINE,
    )


ROLES = ("sub", "parent", "contractor")


def _nodes_in_role(role: str, vendor_id: ColumnElement[int]):
    """A correlated select of the open-contract nodes in which ``vendor_id`` takes ``role``: the
    subcontractor, the parent (below another vendor's contract), the contract's vendor. The roles don't
    overlap (a level-1 node's parent is the contractor), and each is one indexed lookup: an OR or a
    UNION across them made the database read every node of the register."""
    node, contract = aliased(Subcontract, name=f"node_{role}"), aliased(Contract, name=f"contract_{role}")
    role_condition = {
        "sub": node.vendor_id == vendor_id,
        "parent": and_(node.parent_vendor_id == vendor_id, contract.vendor_id != vendor_id),
        "contractor": contract.vendor_id == vendor_id,
    }[role]
    query = (
        db.select(node.id)
        .join(contract, contract.id == node.contract_id)
        .where(contract.status.not_in(CLOSED), role_condition)
        .correlate_except(node, contract)
    )
    return node, query


def facts_columns(vendor_id: ColumnElement[int], today: date) -> list[ColumnElement]:
    """Correlated subqueries over the nodes the vendor takes part in, per role: the worst severity
    (NULL without nodes), how many are violations, and the earliest expiry among the expiring ones."""
    columns = []
    for role in ROLES:
        node, nodes = _nodes_in_role(role, vendor_id)
        violation = is_violation(node, today)
        expiring_on = case((and_(not_(violation), is_expiring(node, today)), valid_until(node, today)))
        columns += [
            nodes.with_only_columns(func.max(node_severity(node, today)))
            .scalar_subquery()
            .label(f"subcontract_{role}_worst"),
            nodes.with_only_columns(func.count(case((violation, node.id))))
            .scalar_subquery()
            .label(f"subcontract_{role}_violations"),
            nodes.with_only_columns(func.min(expiring_on)).scalar_subquery().label(f"subcontract_{role}_expiring_on"),
        ]
    return columns


def state(facts: Mapping[str, Any], today: date) -> ColumnElement[str]:
    """The rule: the state code from the columns of :func:`facts_columns` (``facts``: by name)."""
    worst = [facts[f"subcontract_{role}_worst"] for role in ROLES]
    expiring = [facts[f"subcontract_{role}_expiring_on"].is_not(None) for role in ROLES]
    return case(
        (and_(*(value.is_(None) for value in worst)), NO_NODES),
        (or_(*(value == VIOLATION for value in worst)), VIOLATIONS),
        (or_(*expiring), EXPIRING),
        (or_(*(value == WARNING for value in worst)), PENDING_CODE),
        else_=CONSENTED,
    )


def light(code: str, row: Any, today: date, *, _: Translate) -> Light:
    """The light of state ``code``, worded from the facts in ``row``."""
    label = _("Subcontracting")
    if code == VIOLATIONS:
        count = sum(int(getattr(row, f"subcontract_{role}_violations") or 0) for role in ROLES)
        return Light(KEY, RED, label, _("%(count)d violations", count=count))
    if code == EXPIRING:
        until = min(day for role in ROLES if (day := getattr(row, f"subcontract_{role}_expiring_on")))
        text = _("Consent expires in %(days)d days", days=(until - today).days)
        return Light(KEY, AMBER, label, text, until.isoformat())
    if code == PENDING_CODE:
        return Light(KEY, AMBER, label, _("Consent awaiting decision"))
    if code == CONSENTED:
        return Light(KEY, GREEN, label, _("Every subcontractor consented"))
    return Light(KEY, GREY, label, _("No subcontractors"))


def columns(facts: Mapping[str, Any], today: date) -> dict[str, ColumnElement]:
    """The state code (``code``) from ``facts``, for a query that selects the light."""
    return {"code": state(facts, today)}

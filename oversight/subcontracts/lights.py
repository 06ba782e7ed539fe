"""The 再委託 (subcontract) light: has every subcontractor in the vendor's open chains a valid consent?

A node is consented while one of its consents is approved and not past its expiry. It is a violation
when it has no valid consent and either no request awaiting a decision or is already entrusted (it handles
the data: asking now does not cure handling without consent, [ACT] 第10条第1項), or when any node above it
lacks a valid consent (a consented node below an unconsented one is still a violation). It is amber when its
consent expires within ``WARNING_DAYS`` or, for a planned node, its request awaits a decision. :func:`severity_of` over
:func:`node_facts` is that rule in SQL (2 violation, 1 amber, 0 consented).

A vendor's light (:func:`state`) is the worst node of the chains of contracts that have not ended in
which it takes part (as the subcontractor, its parent, or the contract's vendor); grey without any.

A node of a contract that has ended (or whose data has been returned or deleted) is no longer in force:
:func:`node_code_of` gives it a grey code of its own, whatever its consents say, and no light counts it.

A vendor that works only as a subcontractor has no contract of its own: its 契約 light is judged on its
consents (:func:`subcontractor_columns`, :func:`subcontractor_state`), composed in ``status.contract``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, not_, or_, union, union_all
from sqlalchemy.orm import aliased

from oversight.contracts.models import CLOSED, DISPOSED, ENDED, SIGNED, Contract
from oversight.core.i18n import Translate
from oversight.core.lights import AMBER, GREEN, GREY, RED, Light
from oversight.extensions import db
from oversight.subcontracts.models import APPROVED, PENDING, Subcontract, SubcontractConsent

WARNING_DAYS = 30
KEY = "subcontract"
VIOLATIONS, EXPIRING, PENDING_CODE, CONSENTED, NO_NODES = "violations", "expiring", "pending", "consented", "none"
COLOURS = {VIOLATIONS: RED, EXPIRING: AMBER, PENDING_CODE: AMBER, CONSENTED: GREEN, NO_NODES: GREY}
VIOLATION, WARNING, FINE = 2, 1, 0
# One node's state (chain pages): its own consent, or a node above it without one.
NODE_UNCONSENTED, NODE_BELOW_UNCONSENTED, NODE_EXPIRING = "unconsented", "below_unconsented", "expiring"
NODE_CONSENTED, NODE_PENDING = "consented", "pending"
NODE_ENTRUSTED_PENDING = "entrusted_pending"
# The node's contract has ended (its consents are no longer in force) / and its data was returned or deleted.
NODE_CONTRACT_ENDED, NODE_DATA_DISPOSED = "contract_ended", "data_disposed"
NODES_ENDED = (NODE_CONTRACT_ENDED, NODE_DATA_DISPOSED)
NODE_COLOURS = {
    NODE_CONTRACT_ENDED: GREY,
    NODE_DATA_DISPOSED: GREY,
    NODE_UNCONSENTED: RED,
    NODE_ENTRUSTED_PENDING: RED,
    NODE_BELOW_UNCONSENTED: RED,
    NODE_EXPIRING: AMBER,
    NODE_CONSENTED: GREEN,
    NODE_PENDING: AMBER,
}


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
        .correlate_except(SubcontractConsent)
        .scalar_subquery()
    )


def _consented(node, *conditions) -> ColumnElement[bool]:
    """``node`` has a consent meeting ``conditions``: a correlated ``EXISTS``, one index seek per node on
    the node's consents, so judging a page's or a contract's few nodes does not read every consent of
    the register (judging every node at once, at the day boundary, costs about a third more)."""
    consent = aliased(SubcontractConsent)
    return exists().where(consent.subcontract_id == node.id, *(condition(consent) for condition in conditions))


def _valid(today: date):
    return (lambda consent: consent.status == APPROVED, lambda consent: consent.expires_on >= today)


def has_valid(node, today: date) -> ColumnElement[bool]:
    """The node has a consent valid ``today``."""
    return _consented(node, *_valid(today))


def has_pending(node) -> ColumnElement[bool]:
    """A request for the node awaits a decision."""
    return _consented(node, lambda consent: consent.status.in_(PENDING))


def broken_above(node, today: date) -> ColumnElement[bool]:
    """A node above ``node`` in its chain lacks a valid consent."""
    ancestor = aliased(Subcontract)
    return exists().where(
        ancestor.contract_id == node.contract_id,
        ancestor.id != node.id,
        node.path.startswith(ancestor.path),
        not_(has_valid(ancestor, today)),
    )


def is_lasting(node, today: date) -> ColumnElement[bool]:
    """The node has an approved consent expiring after the warning horizon."""
    later = horizon(today)
    return _consented(node, lambda consent: consent.status == APPROVED, lambda consent: consent.expires_on > later)


def contract_status(node) -> ColumnElement[str]:
    """The status of the node's contract (``ended``, ``disposed`` … : whether its consents are still in force)."""
    return (
        db.select(Contract.status).where(Contract.id == node.contract_id).correlate_except(Contract).scalar_subquery()
    )


def node_facts(node, today: date) -> dict[str, ColumnElement]:
    """What the node rule reads of ``node``, by name (selected once, then judged by the ``*_of`` functions)."""
    return {
        "contract_status": contract_status(node),
        "has_valid": has_valid(node, today),
        "has_pending": has_pending(node),
        "broken_above": broken_above(node, today),
        "is_lasting": is_lasting(node, today),
        "is_entrusted": node.is_entrusted,
    }


def is_unconsented_of(facts: Mapping[str, Any]) -> ColumnElement[bool]:
    """No valid consent, and no request awaiting a decision or already entrusted (a pending request only
    excuses a planned node)."""
    return and_(not_(facts["has_valid"]), or_(not_(facts["has_pending"]), facts["is_entrusted"]))


def is_violation_of(facts: Mapping[str, Any]) -> ColumnElement[bool]:
    """The node rule: unconsented (:func:`is_unconsented_of`), or a node above without a valid consent."""
    return or_(is_unconsented_of(facts), facts["broken_above"])


def is_expiring_of(facts: Mapping[str, Any]) -> ColumnElement[bool]:
    """The node's valid consent expires within ``WARNING_DAYS`` (no later valid one)."""
    return and_(facts["has_valid"], not_(facts["is_lasting"]))


def severity_of(facts: Mapping[str, Any]) -> ColumnElement[int]:
    """2 violation, 1 amber (consent expiring, or a planned node awaiting a decision: not a violation without
    a valid consent), 0 consented."""
    return case(
        (is_violation_of(facts), VIOLATION),
        (is_expiring_of(facts), WARNING),
        (not_(facts["has_valid"]), WARNING),
        else_=FINE,
    )


def node_code_of(facts: Mapping[str, Any]) -> ColumnElement[str]:
    """The node rule as a state code (:data:`NODE_COLOURS`): a node of an ended contract is no longer in
    force (its data returned or deleted, or not yet); otherwise its own consent first, then the nodes above."""
    return case(
        (facts["contract_status"] == DISPOSED, NODE_DATA_DISPOSED),
        (facts["contract_status"] == ENDED, NODE_CONTRACT_ENDED),
        (and_(not_(facts["has_valid"]), not_(facts["has_pending"])), NODE_UNCONSENTED),
        (is_unconsented_of(facts), NODE_ENTRUSTED_PENDING),
        (facts["broken_above"], NODE_BELOW_UNCONSENTED),
        (is_expiring_of(facts), NODE_EXPIRING),
        (facts["has_valid"], NODE_CONSENTED),
        else_=NODE_PENDING,
    )


def is_violation(node, today: date) -> ColumnElement[bool]:
    """The node is a violation ``today`` (rule in the module docstring)."""
    return is_violation_of(node_facts(node, today))


def facts(vendors: Select, today: date) -> Select:
    """``vendor_id`` and the facts of each vendor taking part in an open chain with a vendor of ``vendors``
    (a select of vendor ids): the worst node severity, how many nodes are violations, and the earliest
    expiry among the expiring ones. A vendor in no open chain has no row (its facts read as NULL).

    Each node is judged once (a materialised CTE of the nodes involving ``vendors``, found by three
    indexed lookups: one OR across the joined tables read every node of the register), then its
    judgement goes to its subcontractor, its parent and the contract's vendor.
    """
    node, contract = aliased(Subcontract, name="node"), aliased(Contract, name="node_contract")
    involved_ids = union(
        db.select(Subcontract.id).where(Subcontract.vendor_id.in_(vendors)),
        db.select(Subcontract.id).where(Subcontract.parent_vendor_id.in_(vendors)),
        db.select(Subcontract.id)
        .join(Contract, Contract.id == Subcontract.contract_id)
        .where(Contract.vendor_id.in_(vendors)),
    )
    facts_of_nodes = (
        db.select(
            node.vendor_id,
            node.parent_vendor_id,
            contract.vendor_id.label("contractor_id"),
            valid_until(node, today).label("valid_until"),
            *(column.label(name) for name, column in node_facts(node, today).items()),
        )
        .join(contract, contract.id == node.contract_id)
        .where(contract.status.not_in(CLOSED), node.id.in_(involved_ids))
        .cte("subcontract_node_facts")
        .prefix_with("MATERIALIZED")
    )
    node_row = facts_of_nodes.c
    violation = is_violation_of(node_row)
    judged = db.select(
        node_row.vendor_id,
        node_row.parent_vendor_id,
        node_row.contractor_id,
        severity_of(node_row).label("severity"),
        case((violation, 1), else_=0).label("violation"),
        case((and_(not_(violation), is_expiring_of(node_row)), node_row.valid_until)).label("expiring_on"),
    ).cte("subcontract_nodes")
    judgements = (judged.c.severity, judged.c.violation, judged.c.expiring_on)
    by_vendor = union_all(
        db.select(judged.c.vendor_id.label("vendor_id"), *judgements),
        # A level-1 node's parent is the contract's vendor: counted once, as the contractor.
        db.select(judged.c.parent_vendor_id, *judgements).where(judged.c.parent_vendor_id != judged.c.contractor_id),
        db.select(judged.c.contractor_id, *judgements),
    ).subquery("subcontract_roles")
    return db.select(
        by_vendor.c.vendor_id,
        func.max(by_vendor.c.severity).label("subcontract_worst"),
        func.sum(by_vendor.c.violation).label("subcontract_violations"),
        func.min(by_vendor.c.expiring_on).label("subcontract_expiring_on"),
    ).group_by(by_vendor.c.vendor_id)


# --- a subcontractor's own consents, for the 契約 light of a vendor without a contract of its own ----------

SUB_CONSENTED, SUB_EXPIRING, SUB_PENDING = "as_subcontractor", "as_subcontractor_expiring", "as_subcontractor_pending"
SUB_PARENT_NOT_IN_FORCE, SUB_UNCONSENTED = "as_subcontractor_parent_not_in_force", "as_subcontractor_unconsented"
SUBCONTRACTOR_COLOURS = {
    SUB_CONSENTED: GREEN,
    SUB_EXPIRING: AMBER,
    SUB_PENDING: AMBER,
    SUB_PARENT_NOT_IN_FORCE: AMBER,
    SUB_UNCONSENTED: RED,
}


def subcontractor_columns(vendor_id: ColumnElement[int], today: date) -> list[ColumnElement]:
    """Correlated subqueries over the nodes where ``vendor_id`` is the subcontractor, in contracts that have
    not ended: the worst node severity (NULL: no such node), the earliest expiry of their valid consents,
    and whether any of these contracts is not in force today (signed, begun, not past its end)."""
    node, contract = aliased(Subcontract, name="own_node"), aliased(Contract, name="own_node_contract")
    own = (
        db.select(node.id)
        .join(contract, contract.id == node.contract_id)
        .where(node.vendor_id == vendor_id, contract.status.not_in(CLOSED))
    )
    in_force = and_(
        contract.status == SIGNED,
        contract.signed_on.is_not(None),
        contract.start_on <= today,
        contract.end_on >= today,
    )
    facts = node_facts(node, today)
    return [
        own.with_only_columns(func.max(severity_of(facts))).scalar_subquery().label("as_subcontractor_worst"),
        own.with_only_columns(func.min(valid_until(node, today))).scalar_subquery().label("as_subcontractor_until"),
        own.where(not_(in_force)).exists().label("as_subcontractor_parent_idle"),
    ]


def is_subcontractor_of(facts: Mapping[str, Any]) -> ColumnElement[bool]:
    """The vendor is a subcontractor in a chain of a contract that has not ended."""
    return facts["as_subcontractor_worst"].is_not(None)


def subcontractor_state(facts: Mapping[str, Any], today: date) -> ColumnElement[str]:
    """The consent rule of a subcontractor as a 契約 state code (:data:`SUBCONTRACTOR_COLOURS`): red when a
    node of it is a violation (:func:`severity_of`), amber while a parent contract is not in force, a
    consent expires within ``WARNING_DAYS`` or a request awaits a decision, green otherwise."""
    worst, until = facts["as_subcontractor_worst"], facts["as_subcontractor_until"]
    return case(
        (worst == VIOLATION, SUB_UNCONSENTED),
        (facts["as_subcontractor_parent_idle"], SUB_PARENT_NOT_IN_FORCE),
        (and_(worst == WARNING, until <= horizon(today)), SUB_EXPIRING),
        (worst == WARNING, SUB_PENDING),
        else_=SUB_CONSENTED,
    )


def subcontractor_light(code: str, row: Any, today: date, *, _: Translate) -> Light:
    """The 契約 light of a subcontractor-only vendor in state ``code``, worded from the facts in ``row``."""
    label = _("Contract")
    key = "contract"
    until = row.as_subcontractor_until
    if code == SUB_CONSENTED:
        return Light(key, GREEN, label, _("Subcontractor (under consent)"), _("until %(date)s", date=until.isoformat()))
    if code == SUB_EXPIRING:
        text = _("Subcontractor: consent expires in %(days)d days", days=(until - today).days)
        return Light(key, AMBER, label, text, until.isoformat())
    if code == SUB_PENDING:
        return Light(key, AMBER, label, _("Subcontractor: consent awaiting decision"))
    if code == SUB_PARENT_NOT_IN_FORCE:
        return Light(key, AMBER, label, _("Subcontractor: the contract above is not in force"))
    return Light(key, RED, label, _("Subcontractor without valid consent"))


def state(facts: Mapping[str, Any], today: date) -> ColumnElement[str]:
    """The rule: the state code from the columns of :func:`facts` (``facts``: by name)."""
    worst = facts["subcontract_worst"]
    return case(
        (worst.is_(None), NO_NODES),
        (worst == VIOLATION, VIOLATIONS),
        (facts["subcontract_expiring_on"].is_not(None), EXPIRING),
        (worst == WARNING, PENDING_CODE),
        else_=CONSENTED,
    )


def light(code: str, row: Any, today: date, *, _: Translate) -> Light:
    """The light of state ``code``, worded from the facts in ``row``."""
    label = _("Subcontracting")
    if code == VIOLATIONS:
        return Light(KEY, RED, label, _("%(count)d violations", count=int(row.subcontract_violations)))
    if code == EXPIRING:
        until = row.subcontract_expiring_on
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

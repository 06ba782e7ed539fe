"""Reading chains: a contract's or a vendor's tree, the 再委託 light of many vendors, the violations.

Every function loads the nodes in one query (vendor, parent vendor and contract joined) and their
consents in one more, then assembles the trees in Python, so a page costs the same number of
queries whatever the size of the chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, CompoundSelect, Select, and_, exists, not_, or_, union
from sqlalchemy.orm import aliased, joinedload

from oversight.contracts.models import CLOSED, Contract
from oversight.core.i18n import translator
from oversight.evaluations.lights import AMBER, GREEN, RED, Light
from oversight.extensions import db
from oversight.subcontracts import chain
from oversight.subcontracts.models import APPROVED, PENDING, Subcontract, SubcontractConsent
from oversight.vendors.models import Vendor


def _node_query() -> Select:
    return db.select(Subcontract).options(
        joinedload(Subcontract.vendor), joinedload(Subcontract.parent_vendor), joinedload(Subcontract.contract)
    )


def _assess(node_query: Select, today: date) -> dict[int, chain.NodeStatus]:
    """The nodes of ``node_query`` with their consents (outer-joined: one query) assessed."""
    query = (
        node_query.outerjoin(SubcontractConsent, SubcontractConsent.subcontract_id == Subcontract.id)
        .add_columns(SubcontractConsent)
        .options(joinedload(SubcontractConsent.decided_by))
    )
    nodes: dict[int, Subcontract] = {}
    consents: list[SubcontractConsent] = []
    for node, consent in db.session.execute(query).unique():
        nodes.setdefault(node.id, node)
        if consent is not None:
            consents.append(consent)
    return chain.assess(list(nodes.values()), consents, today) if nodes else {}


def contract_tree(contract: Contract, today: date) -> list[chain.NodeStatus]:
    """The level-1 nodes of ``contract`` with their subtrees and statuses (two queries)."""
    return chain.roots(_assess(_node_query().where(Subcontract.contract_id == contract.id), today))


def _contracts_involving(vendor_ids: list[int]) -> CompoundSelect:
    """Ids of the contracts whose chain involves any of ``vendor_ids`` (as contractor, parent or subcontractor)."""
    # A union of three indexed lookups: one OR across the joined tables read every node of the register.
    # (The contractor's contracts include some without subcontractors; callers filter nodes by contract.)
    return union(
        db.select(Contract.id.label("contract_id")).where(Contract.vendor_id.in_(vendor_ids)),
        db.select(Subcontract.contract_id).where(Subcontract.vendor_id.in_(vendor_ids)),
        db.select(Subcontract.contract_id).where(Subcontract.parent_vendor_id.in_(vendor_ids)),
    )


def vendor_trees(vendor: Vendor, today: date) -> list[tuple[Contract, list[chain.NodeStatus]]]:
    """Every chain that ``vendor`` is part of, by contract (two queries)."""
    statuses = _assess(_node_query().where(Subcontract.contract_id.in_(_contracts_involving([vendor.id]))), today)
    trees: dict[int, tuple[Contract, list[chain.NodeStatus]]] = {}
    for root in chain.roots(statuses):
        trees.setdefault(root.node.contract_id, (root.node.contract, []))[1].append(root)
    return sorted(trees.values(), key=lambda pair: (pair[0].is_closed, pair[0].number))


def chain_statuses(contract_id: int, today: date) -> dict[int, chain.NodeStatus]:
    """The status of every node of one contract's chain, by node id (two queries)."""
    return _assess(_node_query().where(Subcontract.contract_id == contract_id), today)


def node_status(node: Subcontract, today: date) -> chain.NodeStatus:
    """The status of one node, judged with the whole chain of its contract."""
    return chain_statuses(node.contract_id, today)[node.id]


def open_statuses(today: date) -> dict[int, chain.NodeStatus]:
    """The status of every node of contracts that have not ended."""
    query = _node_query().join(Contract, Contract.id == Subcontract.contract_id).where(Contract.status.not_in(CLOSED))
    return _assess(query, today)


@dataclass(frozen=True)
class _Name:
    name: str


@dataclass(frozen=True)
class _NodeRow:
    """What ``chain.assess`` and the light read of a node, without loading the ORM objects."""

    id: int
    parent_id: int | None
    level: int
    vendor_id: int
    parent_vendor_id: int
    contract_vendor_id: int
    vendor: _Name


@dataclass(frozen=True)
class _ConsentRow:
    """What ``chain.assess`` reads of a consent; ``is_valid_on`` is the model's own rule."""

    id: int
    subcontract_id: int
    status: str
    expires_on: date | None
    revocation_reason: str
    refusal_reason: str

    is_valid_on = SubcontractConsent.is_valid_on


def lights_for(vendor_ids: list[int], today: date) -> dict[int, Light]:
    """The 再委託 light of each vendor: the worst node of the open chains it is part of (one query).

    The nodes and their consents come as plain rows (one per consent, outer-joined): building the ORM
    objects of every node of 50 vendors' chains cost a list page more than the rest of it.
    """
    if not vendor_ids:
        return {}
    involved = _contracts_involving(vendor_ids).subquery()
    query = (
        db.select(
            Subcontract.id,
            Subcontract.parent_id,
            Subcontract.level,
            Subcontract.vendor_id,
            Subcontract.parent_vendor_id,
            Contract.vendor_id.label("contract_vendor_id"),
            Vendor.name.label("vendor_name"),
            SubcontractConsent.id.label("consent_id"),
            SubcontractConsent.status.label("consent_status"),
            SubcontractConsent.expires_on,
            SubcontractConsent.revocation_reason,
            SubcontractConsent.refusal_reason,
        )
        .join(Contract, Contract.id == Subcontract.contract_id)
        .join(Vendor, Vendor.id == Subcontract.vendor_id)
        .outerjoin(SubcontractConsent, SubcontractConsent.subcontract_id == Subcontract.id)
        .where(Contract.status.not_in(CLOSED), Subcontract.contract_id.in_(db.select(involved.c.contract_id)))
    )
    nodes: dict[int, _NodeRow] = {}
    consents: list[_ConsentRow] = []
    for row in db.session.execute(query):
        if row.id not in nodes:
            nodes[row.id] = _NodeRow(
                row.id,
                row.parent_id,
                row.level,
                row.vendor_id,
                row.parent_vendor_id,
                row.contract_vendor_id,
                _Name(row.vendor_name),
            )
        if row.consent_id is not None:
            consents.append(
                _ConsentRow(
                    row.consent_id,
                    row.id,
                    row.consent_status,
                    row.expires_on,
                    row.revocation_reason,
                    row.refusal_reason,
                )
            )
    _ = translator()
    wanted = set(vendor_ids)
    by_vendor: dict[int, list[chain.NodeStatus]] = {vendor_id: [] for vendor_id in vendor_ids}
    for status in chain.assess(nodes.values(), consents, today, _=_).values():
        node = status.node
        for vendor_id in {node.vendor_id, node.parent_vendor_id, node.contract_vendor_id} & wanted:
            by_vendor[vendor_id].append(status)
    return {vendor_id: chain.combined_light(by_vendor[vendor_id], _=_) for vendor_id in vendor_ids}


@dataclass(frozen=True)
class Violation:
    """A node the dashboard must show in red, with the reason."""

    node: Subcontract
    reason: str
    detail: str

    @property
    def url_path(self) -> str:
        return f"/subcontracts/{self.node.id}"


def violations(today: date) -> list[Violation]:
    """Every node of a contract in force or being prepared that is a violation today (two queries)."""
    return [
        Violation(status.node, status.light.text, status.light.detail)
        for status in chain.flatten(chain.roots(open_statuses(today)))
        if status.is_violation
    ]


# --- the same rule in SQL, for the vendor list filter --------------------------------------------


def _has_valid(node, today: date) -> ColumnElement[bool]:
    return exists().where(
        SubcontractConsent.subcontract_id == node.id,
        SubcontractConsent.status == APPROVED,
        SubcontractConsent.expires_on >= today,
    )


def _has_pending(node) -> ColumnElement[bool]:
    return exists().where(SubcontractConsent.subcontract_id == node.id, SubcontractConsent.status.in_(PENDING))


def _is_violation(node, today: date) -> ColumnElement[bool]:
    ancestor = aliased(Subcontract)
    broken_above = exists().where(
        ancestor.contract_id == node.contract_id,
        ancestor.id != node.id,
        node.path.startswith(ancestor.path),
        not_(_has_valid(ancestor, today)),
    )
    return or_(and_(not_(_has_valid(node, today)), not_(_has_pending(node))), broken_above)


def _is_amber(node, today: date) -> ColumnElement[bool]:
    lasting = exists().where(
        SubcontractConsent.subcontract_id == node.id,
        SubcontractConsent.status == APPROVED,
        SubcontractConsent.expires_on > chain.horizon(today),
    )
    expiring = and_(_has_valid(node, today), not_(lasting))
    pending = and_(not_(_has_valid(node, today)), _has_pending(node))
    return and_(not_(_is_violation(node, today)), or_(expiring, pending))


def _vendors_with_nodes(condition=None, today: date | None = None) -> ColumnElement[bool]:
    node = aliased(Subcontract)
    contract = aliased(Contract)
    where = [contract.status.not_in(CLOSED)]
    if condition is not None:
        where.append(condition(node, today))
    base = db.select(node.vendor_id).join(contract, contract.id == node.contract_id).where(*where)
    return or_(
        Vendor.id.in_(base),
        Vendor.id.in_(base.with_only_columns(node.parent_vendor_id)),
        Vendor.id.in_(base.with_only_columns(contract.vendor_id)),
    )


def light_condition(state: str, today: date) -> ColumnElement[bool]:
    """A WHERE condition on :class:`Vendor` selecting the vendors whose 再委託 light is ``state``."""
    red = _vendors_with_nodes(_is_violation, today)
    if state == RED:
        return red
    amber = and_(_vendors_with_nodes(_is_amber, today), not_(red))
    if state == AMBER:
        return amber
    if state == GREEN:
        return and_(_vendors_with_nodes(), not_(red), not_(_vendors_with_nodes(_is_amber, today)))
    return not_(_vendors_with_nodes())

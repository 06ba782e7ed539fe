"""Reading chains: a contract's or a vendor's tree, the violations.

Every function loads the nodes in one query (vendor, parent vendor and contract joined) and their
consents in one more, then assembles the trees in Python, so a page costs the same number of
queries whatever the size of the chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from sqlalchemy import CompoundSelect, Select, union
from sqlalchemy.orm import joinedload

from oversight.contracts.models import CLOSED, Contract
from oversight.core.sqlhints import found_in
from oversight.extensions import db
from oversight.subcontracts import chain, lights
from oversight.subcontracts.models import Subcontract, SubcontractConsent
from oversight.vendors.models import Vendor


def _node_query() -> Select:
    return db.select(Subcontract).options(
        joinedload(Subcontract.vendor), joinedload(Subcontract.parent_vendor), joinedload(Subcontract.contract)
    )


@lru_cache(maxsize=4)
def _judged(today: date) -> Select:
    """Every node with its consents (outer-joined) and its state judged by the node rule in SQL
    (``lights.node_code_of``) and its valid-until date, for ``today``. It depends on nothing but the
    day, so it is built once a day: building the rule's correlated subqueries (aliases adapted by the
    ORM) cost more than running it for a page's nodes. Callers add their nodes' condition."""
    facts = lights.node_facts(Subcontract, today)
    return (
        _node_query()
        .outerjoin(SubcontractConsent, SubcontractConsent.subcontract_id == Subcontract.id)
        .add_columns(
            SubcontractConsent,
            lights.node_code_of(facts).label("code"),
            lights.valid_until(Subcontract, today).label("valid_until"),
        )
        .options(joinedload(SubcontractConsent.decided_by))
    )


def assess(today: date, *conditions) -> dict[int, chain.NodeStatus]:
    """The nodes meeting ``conditions`` with their consents (one query), each with its state judged by
    the node rule in SQL (a page's nodes, judged as it reads them) and its valid-until date."""
    nodes: dict[int, chain.JudgedNode] = {}
    consents: list[SubcontractConsent] = []
    for node, consent, code, until in db.session.execute(_judged(today).where(*conditions)).unique():
        nodes.setdefault(node.id, chain.JudgedNode(node, code, until))
        if consent is not None:
            consents.append(consent)
    return chain.assess(list(nodes.values()), consents, today) if nodes else {}


def contract_tree(contract: Contract, today: date) -> list[chain.NodeStatus]:
    """The level-1 nodes of ``contract`` with their subtrees and statuses (two queries)."""
    return chain.roots(assess(today, Subcontract.contract_id == contract.id))


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
    statuses = assess(today, found_in(Subcontract.contract_id, _contracts_involving([vendor.id])))
    trees: dict[int, tuple[Contract, list[chain.NodeStatus]]] = {}
    for root in chain.roots(statuses):
        trees.setdefault(root.node.contract_id, (root.node.contract, []))[1].append(root)
    return sorted(trees.values(), key=lambda pair: (pair[0].is_closed, pair[0].number))


def chain_statuses(contract_id: int, today: date) -> dict[int, chain.NodeStatus]:
    """The status of every node of one contract's chain, by node id (two queries)."""
    return assess(today, Subcontract.contract_id == contract_id)


def node_status(node: Subcontract, today: date) -> chain.NodeStatus:
    """The status of one node, judged with the whole chain of its contract."""
    return chain_statuses(node.contract_id, today)[node.id]


def open_statuses(today: date) -> dict[int, chain.NodeStatus]:
    """The status of every node of contracts that have not ended."""
    return assess(today, Subcontract.contract_id.in_(db.select(Contract.id).where(Contract.status.not_in(CLOSED))))


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

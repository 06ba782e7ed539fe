"""The subcontract index (``/subcontracts/``): one section at a time, one page of it at a time.

``all`` (the default) lists every subcontract relation, of contracts in force or ended, searchable by
subcontractor, contractor or contract number and filterable by the contract's state; the other
sections are the exceptions:

Which exception section a node belongs to is decided in SQL by the node rule (``lights.node_code_of``, the rule
behind the 再委託 light), so a page words only the chains of the nodes it shows, whatever the number
of open chains. Sections:

* ``violations``: the node's light is red (no valid consent and none pending, or below such a node);
* ``awaiting_legal`` / ``awaiting_manager``: the node's latest consent request is requested / reviewed;
* ``expiring``: a valid consent that runs out within ``lights.WARNING_DAYS`` and a chain without violation.

Rows keep the order of the former single page: by contract, then depth first by node id.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, or_
from sqlalchemy.orm import aliased

from oversight.contracts.models import CLOSED, Contract
from oversight.core.lights import RED, codes_of
from oversight.core.pagination import paginate, paginate_list
from oversight.extensions import db
from oversight.subcontracts import lights, states
from oversight.subcontracts.models import (
    PENDING,
    REQUESTED,
    REVIEWED,
    Subcontract,
    SubcontractConsent,
    SubcontractState,
)
from oversight.subcontracts.queries import assess
from oversight.units import scope as unit_scope
from oversight.vendors.models import Vendor

VIOLATIONS, AWAITING_LEGAL, AWAITING_MANAGER, EXPIRING = "violations", "awaiting_legal", "awaiting_manager", "expiring"
SECTIONS = (VIOLATIONS, AWAITING_LEGAL, AWAITING_MANAGER, EXPIRING)
ALL = "all"
# The ``all`` section's filter on the contract: not ended (in force or being prepared) / ended.
OPEN, ENDED = "open", "ended"
SCOPES = (OPEN, ENDED)


def _latest_request_status(node) -> ColumnElement:
    return (
        db.select(SubcontractConsent.status)
        .where(SubcontractConsent.subcontract_id == node.id)
        .order_by(SubcontractConsent.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def _open_nodes(*columns):
    query = db.select(*columns).join(Contract, Contract.id == Subcontract.contract_id)
    return query.where(Contract.status.not_in(CLOSED))


def _flagged_nodes(today: date):
    """Open nodes that may be in a section, with what decides it: the node rule (``lights.node_code_of``)
    as stored for each node (``states``, current for ``today``), and the latest consent request's status,
    read only for the nodes kept (a node with a pending request whose latest one is not pending is in no
    section)."""
    states.ensure_current(today)
    code = SubcontractState.code
    violation = code.in_(codes_of(lights.NODE_COLOURS, RED))
    expiring = code == lights.NODE_EXPIRING
    pending = db.select(SubcontractConsent.subcontract_id).where(SubcontractConsent.status.in_(PENDING))
    latest = _latest_request_status(Subcontract)
    return (
        _open_nodes(
            Subcontract.id,
            Subcontract.contract_id,
            Subcontract.path,
            violation.label(VIOLATIONS),
            (latest == REQUESTED).label(AWAITING_LEGAL),
            (latest == REVIEWED).label(AWAITING_MANAGER),
            expiring.label(EXPIRING),
        )
        .join(SubcontractState, SubcontractState.subcontract_id == Subcontract.id)
        .where(or_(violation, expiring, Subcontract.id.in_(pending)))
    )


def _chain_order(row) -> tuple:
    # ``path`` is "/3/7/": by contract, then depth first by id (``chain.flatten`` of ``chain.roots``).
    return row.contract_id, [int(part) for part in row.path.strip("/").split("/") if part]


def all_nodes(*, q: str = "", scope: str = "") -> Select:
    """Every subcontract relation (node id), searched by subcontractor, contractor or contract number and
    filtered by ``scope`` (the contract not ended / ended), by contract then chain order."""
    subcontractor, contractor = aliased(Vendor, name="subcontractor"), aliased(Vendor, name="contractor")
    text = q.strip().lower()
    query = db.select(Subcontract.id).join(Contract, Contract.id == Subcontract.contract_id)
    if text or not unit_scope.current().is_group_wide:
        # The vendors are joined for the search, and for a reader bound to units (the scope's condition
        # on each joined vendor hides the nodes whose subcontractor or contractor the reader may not see).
        query = query.join(subcontractor, subcontractor.id == Subcontract.vendor_id).join(
            contractor, contractor.id == Contract.vendor_id
        )
    if text:
        pattern = f"%{text}%"
        query = query.where(
            or_(
                func.lower(subcontractor.name).like(pattern),
                func.lower(contractor.name).like(pattern),
                func.lower(Contract.number).like(pattern),
            )
        )
    if scope == OPEN:
        query = query.where(Contract.status.not_in(CLOSED))
    elif scope == ENDED:
        query = query.where(Contract.status.in_(CLOSED))
    # By the node's own contract id (equal to the joined contract's): the index on it gives the order,
    # so a page reads its rows without sorting every node of the register.
    return query.order_by(Subcontract.contract_id.desc(), Subcontract.path, Subcontract.id)


def _all_page(today: date, *, q: str, scope: str):
    """A page of :func:`all_nodes`, each node with its status (the page's nodes judged in one query)."""
    pagination = paginate(all_nodes(q=q, scope=scope))
    ids = list(pagination.items)
    if ids:
        statuses = assess(today, Subcontract.id.in_(ids))
        pagination.items = [statuses[node_id] for node_id in ids]
    return pagination


def worklist(section: str, today: date, *, q: str = "", scope: str = "") -> dict[str, Any]:
    """The index page: the sections with their sizes, and a page of the chosen one (every relation by default,
    searched by ``q`` and filtered by ``scope``).

    At most five queries (and one indexed count that finds no stale node state): the sections' sizes with
    the open nodes' count, the nodes of the chosen section or a page's count and its nodes (``all``), and
    the statuses of the page's nodes.
    """
    section = section if section in (ALL, *SECTIONS) else ALL
    scope = scope if scope in SCOPES else ""
    flagged = _flagged_nodes(today).subquery("flagged")
    counts = db.session.execute(
        db.select(
            *(func.coalesce(func.sum(case((flagged.c[key], 1), else_=0)), 0).label(key) for key in SECTIONS),
            _open_nodes(func.count(Subcontract.id)).scalar_subquery().label("node_count"),
        )
    ).one()
    section_counts = {key: counts._mapping[key] for key in SECTIONS}
    page = {
        "section": section,
        "section_counts": section_counts,
        "node_count": counts.node_count,
        "q": q,
        "scope": scope,
    }
    if section == ALL:
        return {**page, "pagination": _all_page(today, q=q, scope=scope)}
    rows = db.session.execute(db.select(flagged.c.id, flagged.c.contract_id, flagged.c.path).where(flagged.c[section]))
    pagination = paginate_list(sorted(rows, key=_chain_order))
    if pagination.items:
        contract_ids = {row.contract_id for row in pagination.items}
        statuses = assess(today, Subcontract.contract_id.in_(contract_ids))
        pagination.items = [statuses[row.id] for row in pagination.items]
    return {**page, "pagination": pagination}

"""The subcontract worklist (``/subcontracts/``): one section at a time, one page of it at a time.

Which section a node belongs to is decided in SQL by the node rule (``lights.node_code_of``, the rule
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

from sqlalchemy import ColumnElement, func, or_

from oversight.contracts.models import CLOSED, Contract
from oversight.core.lights import RED, codes_of
from oversight.core.pagination import paginate_list
from oversight.extensions import db
from oversight.subcontracts import lights
from oversight.subcontracts.models import PENDING, REQUESTED, REVIEWED, Subcontract, SubcontractConsent
from oversight.subcontracts.queries import _assess, _node_query

VIOLATIONS, AWAITING_LEGAL, AWAITING_MANAGER, EXPIRING = "violations", "awaiting_legal", "awaiting_manager", "expiring"
SECTIONS = (VIOLATIONS, AWAITING_LEGAL, AWAITING_MANAGER, EXPIRING)


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
    """Open nodes in at least one section, with what decides the section: the node rule
    (``lights.node_code_of``) over each node's facts, each node judged once for every section."""
    facts = lights.node_facts(Subcontract, today)
    flags = (
        _open_nodes(
            Subcontract.id,
            Subcontract.contract_id,
            Subcontract.path,
            *(column.label(name) for name, column in facts.items()),
            _latest_request_status(Subcontract).label("latest_status"),
        )
        .cte("flags")
        .prefix_with("MATERIALIZED")
    )
    code = lights.node_code_of(flags.c)
    violation = code.in_(codes_of(lights.NODE_COLOURS, RED))
    expiring = code == lights.NODE_EXPIRING
    latest = flags.c.latest_status
    return db.select(
        flags.c.id,
        flags.c.contract_id,
        flags.c.path,
        violation.label(VIOLATIONS),
        (latest == REQUESTED).label(AWAITING_LEGAL),
        (latest == REVIEWED).label(AWAITING_MANAGER),
        expiring.label(EXPIRING),
    ).where(or_(violation, latest.in_(PENDING), expiring))


def _chain_order(row) -> tuple:
    # ``path`` is "/3/7/": by contract, then depth first by id (``chain.flatten`` of ``chain.roots``).
    return row.contract_id, [int(part) for part in row.path.strip("/").split("/") if part]


def worklist(section: str, today: date) -> dict[str, Any]:
    """The index page: the sections with their sizes, and a page of the chosen one (violations by default).

    Four queries: the open nodes' count, the nodes in a section, and the chains of the page's nodes.
    """
    section = section if section in SECTIONS else VIOLATIONS
    node_count = db.session.scalar(_open_nodes(func.count(Subcontract.id)))
    rows = db.session.execute(_flagged_nodes(today)).all()
    section_counts = {key: sum(1 for row in rows if getattr(row, key)) for key in SECTIONS}
    pagination = paginate_list(sorted((row for row in rows if getattr(row, section)), key=_chain_order))
    if pagination.items:
        contract_ids = {row.contract_id for row in pagination.items}
        statuses = _assess(_node_query().where(Subcontract.contract_id.in_(contract_ids)), today)
        pagination.items = [statuses[row.id] for row in pagination.items]
    return {"section": section, "section_counts": section_counts, "node_count": node_count, "pagination": pagination}

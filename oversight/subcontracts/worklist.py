"""The subcontract worklist (``/subcontracts/``): one section at a time, one page of it at a time.

Which section a node belongs to is decided in SQL with the rules of :func:`chain.assess` (the rules of
the vendor list's 再委託 filter, ``queries._is_violation`` …), so a page assesses only
the chains of the nodes it shows, whatever the number of open chains. Sections:

* ``violations``: the node's light is red (no valid consent and none pending, or below such a node);
* ``awaiting_legal`` / ``awaiting_manager``: the node's latest consent request is requested / reviewed;
* ``expiring``: a valid consent that runs out within ``chain.WARNING_DAYS`` and a chain without violation.

Rows keep the order of the former single page: by contract, then depth first by node id.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, not_, or_
from sqlalchemy.orm import aliased

from oversight.contracts.models import CLOSED, Contract
from oversight.core.pagination import paginate_list
from oversight.extensions import db
from oversight.subcontracts import chain
from oversight.subcontracts.models import APPROVED, PENDING, REQUESTED, REVIEWED, Subcontract, SubcontractConsent
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


def _consented(*conditions):
    """Ids of the nodes with a consent meeting ``conditions`` (a set the database builds once, not per node)."""
    return db.select(SubcontractConsent.subcontract_id).where(*conditions)


def _open_nodes(*columns):
    query = db.select(*columns).join(Contract, Contract.id == Subcontract.contract_id)
    return query.where(Contract.status.not_in(CLOSED))


def _flagged_nodes(today: date):
    """Open nodes in at least one section, with what decides the section (the rules of ``chain.assess``).

    The rules of ``queries._is_violation`` / ``_is_amber``, with each consent test as one uncorrelated
    set (``IN``) and each node judged once for every section.
    """
    valid = _consented(SubcontractConsent.status == APPROVED, SubcontractConsent.expires_on >= today)
    horizon = chain.horizon(today)
    lasting = _consented(SubcontractConsent.status == APPROVED, SubcontractConsent.expires_on > horizon)
    pending = _consented(SubcontractConsent.status.in_(PENDING))
    ancestor = aliased(Subcontract)
    broken_above = exists().where(
        ancestor.contract_id == Subcontract.contract_id,
        ancestor.id != Subcontract.id,
        Subcontract.path.startswith(ancestor.path),
        ancestor.id.not_in(valid),
    )
    flags = (
        _open_nodes(
            Subcontract.id,
            Subcontract.contract_id,
            Subcontract.path,
            Subcontract.id.in_(valid).label("valid"),
            Subcontract.id.in_(pending).label("pending"),
            Subcontract.id.in_(lasting).label("lasting"),
            broken_above.label("broken_above"),
            _latest_request_status(Subcontract).label("latest_status"),
        )
        .cte("flags")
        .prefix_with("MATERIALIZED")
    )
    violation = or_(and_(not_(flags.c.valid), not_(flags.c.pending)), flags.c.broken_above)
    expiring = and_(flags.c.valid, not_(flags.c.lasting), not_(flags.c.broken_above))
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

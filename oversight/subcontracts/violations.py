"""The subcontract nodes in violation, counted and listed by SQL so the cost does not grow with the chains.

:func:`queries.violations` judges every open chain in Python (right for one vendor's page); the
dashboard needs only how many there are and the first few, so the rule runs in SQL
(:func:`queries.violation_condition`) and only the chains of the nodes shown are assessed in Python
for their reasons.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, func, union_all
from sqlalchemy.orm import aliased

from oversight.contracts.models import CLOSED, Contract
from oversight.evaluations.lights import AMBER, GREEN, RED
from oversight.extensions import db
from oversight.subcontracts import chain
from oversight.subcontracts.models import Subcontract
from oversight.subcontracts.queries import Violation, _assess, _is_amber, _is_violation, _node_query
from oversight.vendors.models import Vendor


def _in_violation(today: date):
    return (
        db.select(Subcontract.id, Subcontract.contract_id)
        .join(Contract, Contract.id == Subcontract.contract_id)
        .where(Contract.status.not_in(CLOSED), _is_violation(Subcontract, today))
    )


def count_query(today: date):
    """``SELECT count(*)`` of the nodes of contracts that have not ended that are violations today."""
    return db.select(func.count()).select_from(_in_violation(today).subquery())


def count(today: date) -> int:
    """How many nodes of contracts that have not ended are violations today (one query)."""
    return db.session.scalar(count_query(today)) or 0


def first(today: date, limit: int) -> list[Violation]:
    """The first ``limit`` violations, by contract and chain order (three queries)."""
    ordered_nodes = _in_violation(today).order_by(Subcontract.contract_id, Subcontract.path)
    rows = db.session.execute(ordered_nodes.limit(limit)).all()
    if not rows:
        return []
    statuses = _assess(_node_query().where(Subcontract.contract_id.in_({row.contract_id for row in rows})), today)
    ordered = [status for status in chain.flatten(chain.roots(statuses)) if status.node.id in {row.id for row in rows}]
    return [Violation(status.node, status.light.text, status.light.detail) for status in ordered if status.is_violation]


def light_counts(today: date, vendor_condition) -> dict[str, int]:
    """How many vendors meeting ``vendor_condition`` have each 再委託 light (grey ones not counted), in one query.

    The same rule as :func:`queries.light_condition`, but each open node is judged once: its
    severity (2 violation, 1 amber, 0 green) goes to its subcontractor, its parent and the contract's
    vendor, and each vendor takes the worst. ``light_condition`` per state judges every node
    several times over, which cost seconds at 5,000 vendors.
    """
    node = aliased(Subcontract)
    severity = case((_is_violation(node, today), 2), (_is_amber(node, today), 1), else_=0).label("severity")
    nodes = (
        db.select(node.vendor_id, node.parent_vendor_id, Contract.vendor_id.label("contractor_id"), severity)
        .join(Contract, Contract.id == node.contract_id)
        .where(Contract.status.not_in(CLOSED))
        .cte("node_severity")
    )
    involved = union_all(
        db.select(nodes.c.vendor_id.label("vendor_id"), nodes.c.severity),
        db.select(nodes.c.parent_vendor_id, nodes.c.severity),
        db.select(nodes.c.contractor_id, nodes.c.severity),
    ).subquery("involved")
    worst = (
        db.select(involved.c.vendor_id, func.max(involved.c.severity).label("severity"))
        .group_by(involved.c.vendor_id)
        .subquery("worst")
    )
    rows = db.session.execute(
        db.select(worst.c.severity, func.count())
        .join(Vendor, Vendor.id == worst.c.vendor_id)
        .where(vendor_condition)
        .group_by(worst.c.severity)
    ).all()
    by_severity = {int(severity): count for severity, count in rows}
    return {GREEN: by_severity.get(0, 0), AMBER: by_severity.get(1, 0), RED: by_severity.get(2, 0)}

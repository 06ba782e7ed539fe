"""The subcontract nodes in violation, counted and listed by SQL so the cost does not grow with the chains.

:func:`queries.violations` judges every open chain in Python (right for one vendor's page); the
dashboard needs only how many there are and the first few, so they are read from the nodes' stored
codes (``states``: the node rule :func:`lights.node_code_of`, red) and only the chains of the nodes
shown are assessed in Python for their reasons.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func

from oversight.core.lights import RED, codes_of
from oversight.extensions import db
from oversight.subcontracts import chain, states
from oversight.subcontracts.lights import NODE_COLOURS
from oversight.subcontracts.models import Subcontract, SubcontractState
from oversight.subcontracts.queries import Violation, assess

RED_CODES = codes_of(NODE_COLOURS, RED)


def _in_violation(today: date):
    """The red nodes (the codes of nodes of ended contracts are grey), their stored codes current for ``today``."""
    states.ensure_current(today)
    return (
        db.select(Subcontract.id, Subcontract.contract_id)
        .join(SubcontractState, SubcontractState.subcontract_id == Subcontract.id)
        .where(SubcontractState.code.in_(RED_CODES))
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
    statuses = assess(today, Subcontract.contract_id.in_({row.contract_id for row in rows}))
    ordered = [status for status in chain.flatten(chain.roots(statuses)) if status.node.id in {row.id for row in rows}]
    return [Violation(status.node, status.light.text, status.light.detail) for status in ordered if status.is_violation]

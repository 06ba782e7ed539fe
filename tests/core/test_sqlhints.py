"""``core.sqlhints``: ``unindexed`` (``+column`` for SQLite's planner, the plain column for PostgreSQL) and
``found_in`` (``IN (subquery)``, computed first on PostgreSQL)."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from oversight.contracts import services
from oversight.contracts.models import Contract, ContractReview
from oversight.core.sqlhints import found_in, unindexed
from oversight.extensions import db


def _sql(statement, dialect) -> str:
    return " ".join(str(statement.compile(dialect=dialect)).split())


def test_sqlite_gets_the_column_as_no_index_key_and_postgresql_the_column():
    expression = unindexed(ContractReview.decided_at)
    assert _sql(expression, sqlite.dialect()) == "+contract_reviews.decided_at"
    assert _sql(expression, postgresql.dialect()) == "contract_reviews.decided_at"
    assert expression.type._type_affinity is ContractReview.decided_at.type._type_affinity


def test_the_manager_worklist_is_not_walked_in_decision_order_on_sqlite():
    # Offered ix_contract_reviews_decided_at for the ORDER BY, SQLite walked every review (230 ms at 5,000
    # vendors) instead of reading the contracts in review by their status and sorting the few it found.
    statement = services.awaiting_manager_query()
    assert "ORDER BY +contract_reviews.decided_at, contract_reviews.id" in _sql(statement, sqlite.dialect())
    assert "ORDER BY contract_reviews.decided_at, contract_reviews.id" in _sql(statement, postgresql.dialect())


def test_found_in_is_a_plain_in_on_sqlite_and_an_array_computed_first_on_postgresql():
    # PostgreSQL planned a unit member's subcontract trees with the vendor's few contracts joined last,
    # after every node, contract and consent of the unit (join_collapse_limit); ARRAY(subquery) is an InitPlan.
    expression = found_in(Contract.id, db.select(Contract.id).where(Contract.vendor_id == 1))
    inner = "SELECT contracts.id FROM contracts WHERE contracts.vendor_id ="
    assert _sql(expression, sqlite.dialect()) == f"contracts.id IN ({inner} ?)"
    assert _sql(expression, postgresql.dialect()) == f"contracts.id = ANY (ARRAY({inner} %(vendor_id_1)s::INTEGER))"

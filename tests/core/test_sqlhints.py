"""``core.sqlhints.unindexed``: ``+column`` for SQLite's planner, the plain column for PostgreSQL."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from oversight.contracts import services
from oversight.contracts.models import ContractReview
from oversight.core.sqlhints import unindexed


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

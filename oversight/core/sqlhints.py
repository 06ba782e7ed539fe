"""Hints to SQLite's query planner, written so that PostgreSQL gets the plain SQL."""

from __future__ import annotations

from sqlalchemy import Boolean
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class unindexed(FunctionElement):
    """A column SQLite's planner must not use an index for: ``+column`` on SQLite, the column elsewhere.

    Two uses:

    - **A condition.** SQLite carries a ``vendors.id IN (the scope's vendors)`` condition over a join to
      every column equal to it, and then probes a (contract_id, vendor_id) index with every pair of a
      unit's contract and a scope vendor: 2,000 x 550 look-ups for the consent queue, the return/deletion
      list or the subcontract list of a unit member at 5,000 vendors (80-400 ms a statement). Written
      ``+vendors.id`` there, the test is made on the rows the statement reaches by its own keys
      (``oversight.scoping``).
    - **An ORDER BY.** Offered an index in the sort order, SQLite may walk the whole index to skip the sort
      and test every row on the way, where a few rows reached by a selective key and sorted would do: the
      contracts waiting for a manager walked every review by ``decided_at`` (230 ms at 5,000 vendors)
      instead of reading the contracts in review (a few ms).

    PostgreSQL plans both well from its statistics and gets the plain column.
    """

    name = "unindexed"
    inherit_cache = True

    def __init__(self, column, **kwargs) -> None:
        super().__init__(column, **kwargs)
        self.type = column.type


@compiles(unindexed)
def _unindexed_default(element, compiler, **kw) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(unindexed, "sqlite")
def _unindexed_sqlite(element, compiler, **kw) -> str:
    return "+" + compiler.process(element.clauses, **kw)


class found_in(FunctionElement):
    """``column IN (subquery)``, which PostgreSQL is told to compute first: ``column = ANY (ARRAY(subquery))``.

    PostgreSQL turns ``IN (subquery)`` into a semi-join and orders it among the statement's other joins; in a
    statement with many of them (the scope's conditions add a semi-join per unit-bound table it reads) the
    search is cut at ``join_collapse_limit``, and the few rows the subquery finds may be joined last, after
    every row of the tables it should have picked from. ``ARRAY(subquery)`` is computed once, before the
    rest (an InitPlan), and its values are looked up by the column's index: a unit member's subcontract
    trees on a vendor's page (5,000 vendors) went from walking the unit's nodes, contracts and consents
    (~6 ms) to reading the vendor's few chains (~0.4 ms). SQLite gets the plain ``IN``.
    """

    name = "found_in"
    inherit_cache = True

    def __init__(self, column, subquery, **kwargs) -> None:
        super().__init__(column, subquery.scalar_subquery(), **kwargs)
        self.type = Boolean()


@compiles(found_in)
def _found_in_default(element, compiler, **kw) -> str:
    column, subquery = element.clauses
    return f"{compiler.process(column, **kw)} IN {compiler.process(subquery, **kw)}"


@compiles(found_in, "postgresql")
def _found_in_postgresql(element, compiler, **kw) -> str:
    column, subquery = element.clauses
    return f"{compiler.process(column, **kw)} = ANY (ARRAY{compiler.process(subquery, **kw)})"

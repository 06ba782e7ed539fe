"""``core.integrity.breaks_unique`` tells which unique constraint a refused write broke, on the engine the tests
run on (SQLite, or PostgreSQL with ``TEST_DATABASE_URL``): the constraint's own name on PostgreSQL, the
unique-failure code and the whole column list on SQLite; any other refusal is not a broken unique constraint."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, UniqueConstraint, insert
from sqlalchemy.exc import IntegrityError

from oversight.core.integrity import breaks_unique
from oversight.extensions import db

metadata = MetaData()
PAIR = UniqueConstraint("a", "b", name="uq_integrity_probe_a_b")
CODE = UniqueConstraint("code", name="uq_integrity_probe_code")
# Not in the app's metadata: created and dropped here, so the other tests' table emptying never sees it.
probe = Table(
    "integrity_probe",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("a", Integer, nullable=False),
    Column("b", Integer, nullable=False),
    Column("code", String(20), nullable=False),
    PAIR,
    CODE,
)


@pytest.fixture
def table(app_ctx) -> Iterator[Table]:
    metadata.drop_all(db.engine)
    metadata.create_all(db.engine)
    try:
        with db.engine.begin() as conn:
            conn.execute(insert(probe).values(id=1, a=1, b=1, code="x"))
        yield probe
    finally:
        metadata.drop_all(db.engine)


def _refusal(**values) -> IntegrityError:
    with pytest.raises(IntegrityError) as caught, db.engine.begin() as conn:
        conn.execute(insert(probe).values(**values))
    return caught.value


def test_a_duplicate_names_its_own_constraint_only(table):
    single = _refusal(id=2, a=2, b=2, code="x")
    assert breaks_unique(single, CODE)
    assert not breaks_unique(single, PAIR)
    pair = _refusal(id=3, a=1, b=1, code="y")  # both columns of the constraint, not one of them
    assert breaks_unique(pair, PAIR)
    assert not breaks_unique(pair, CODE)


def test_other_refusals_are_not_a_broken_unique_constraint(table):
    # SQLite's message for this one names the very column of CODE ("NOT NULL constraint failed: …code").
    missing = _refusal(id=4, a=4, b=4, code=None)
    assert not breaks_unique(missing, CODE)
    same_key = _refusal(id=1, a=5, b=5, code="z")  # the primary key
    assert not breaks_unique(same_key, CODE)
    assert not breaks_unique(same_key, PAIR)

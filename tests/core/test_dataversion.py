"""The data version rises once per committed transaction that wrote oversight data, and only then."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text, update

from oversight.admin.models import Setting
from oversight.core import dataversion
from oversight.core.timeutil import utcnow
from oversight.extensions import db
from oversight.reminders import storage
from oversight.vendors.models import Vendor
from tests.vendors.factories import create_vendor


def _rise(action) -> int:
    before = dataversion.current()
    db.session.commit()  # ends the read's transaction: ``action`` starts its own
    action()
    return dataversion.current() - before


def test_orm_changes_raise_it_once_per_transaction(app_ctx):
    def two_vendors() -> None:
        create_vendor()
        create_vendor()
        db.session.commit()

    assert _rise(two_vendors) == 1

    def rename() -> None:
        vendor = db.session.scalar(db.select(Vendor).limit(1))
        vendor.name = "株式会社改名"
        db.session.commit()

    assert _rise(rename) == 1


def test_core_and_plain_sql_writes_raise_it(app_ctx):
    create_vendor()
    db.session.commit()

    def core_update() -> None:
        db.session.execute(update(Vendor).values(risk_tier="low"))
        db.session.commit()

    def sql_text() -> None:
        db.session.execute(text("UPDATE vendors SET risk_tier = 'medium'"))
        db.session.commit()

    def sql_delete() -> None:
        db.session.execute(text("  delete from vendor_contacts"))
        db.session.commit()

    assert _rise(core_update) == 1
    assert _rise(sql_text) == 1
    assert _rise(sql_delete) == 1


def test_reads_rollbacks_and_scheduler_leases_leave_it(app_ctx):
    create_vendor()
    db.session.commit()

    def read() -> None:
        db.session.scalars(db.select(Vendor)).all()
        db.session.execute(text("SELECT COUNT(*) FROM vendors WHERE name LIKE '%update%'"))
        db.session.commit()

    def rolled_back() -> None:
        create_vendor()
        db.session.execute(update(Setting).values(value="x"))
        db.session.rollback()

    def lease() -> None:
        assert storage.acquire_lease("bench-lease", "worker-1", utcnow(), timedelta(minutes=5))
        db.session.commit()

    assert _rise(read) == 0
    assert _rise(rolled_back) == 0
    assert _rise(lease) == 0


def test_a_savepoint_counts_with_its_transaction(app_ctx):
    def released_then_committed() -> None:
        create_vendor()
        db.session.flush()
        with db.session.begin_nested():
            create_vendor()
        db.session.commit()

    def released_then_rolled_back() -> None:
        create_vendor()
        db.session.flush()
        with db.session.begin_nested():
            create_vendor()
        db.session.rollback()

    assert _rise(released_then_committed) == 1
    assert _rise(released_then_rolled_back) == 0
    assert db.session.scalar(db.select(db.func.count(Vendor.id))) == 2


def test_the_row_comes_back_if_the_table_was_emptied(app_ctx):
    db.session.execute(text("DELETE FROM data_version"))
    db.session.commit()
    assert dataversion.current() == 0
    create_vendor()
    db.session.commit()
    assert dataversion.current() == 1

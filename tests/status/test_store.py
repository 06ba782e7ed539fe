"""The stored vendor states (``oversight.status.store``): written in the transaction that changes a
vendor's records, re-judged at the day boundary and after a settings change, and never read stale.

(Every test of the suite also checks the stored rows against a fresh judgement: ``tests/conftest.py``.)
"""

from __future__ import annotations

import os
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, text
from sqlalchemy.orm import Session

from oversight.admin import settings as admin_settings
from oversight.audits import settings as audit_settings
from oversight.checklists import services as checklist_services
from oversight.checklists.models import SELECTION
from oversight.core.timeutil import local_today, utcnow
from oversight.evaluations.models import APPROVED, Evaluation
from oversight.extensions import db
from oversight.scheduler import build_scheduler, run_day_boundary
from oversight.status import store
from oversight.status.models import VendorState
from oversight.units import scope as unit_scope
from oversight.vendors.models import Vendor
from tests.contracts.helpers import approve_selection, people, signed
from tests.vendors.factories import create_vendor


def _stored(vendor_id: int) -> VendorState:
    db.session.expire_all()
    return db.session.get(VendorState, vendor_id)


def test_a_change_is_stored_in_the_same_transaction(app_ctx):
    vendor = create_vendor(name="株式会社ストア")
    db.session.commit()
    assert _stored(vendor.id).selection == "none"  # judged when the vendor was created
    approve_selection(vendor, valid_until=local_today() + timedelta(days=300))
    db.session.commit()
    assert _stored(vendor.id).selection == "valid"
    assert _stored(vendor.id).as_of == local_today()


def test_a_rolled_back_change_leaves_the_stored_state(app_ctx):
    vendor = create_vendor(name="株式会社ロールバック")
    db.session.commit()
    approve_selection(vendor)
    db.session.rollback()
    assert _stored(vendor.id).selection == "none"
    db.session.add(Vendor(name="無関係", name_kana="", address=""))
    db.session.commit()  # a later transaction does not carry the rolled-back change's note
    assert _stored(vendor.id).selection == "none"


def test_a_contract_change_re_judges_the_vendor(app_ctx):
    procurement, legal, manager = people()
    vendor = create_vendor(name="株式会社契約")
    approve_selection(vendor)
    db.session.commit()
    assert _stored(vendor.id).contract == "none"
    signed(procurement, legal, manager, vendor=vendor)
    db.session.commit()
    assert _stored(vendor.id).contract != "none"
    assert store.mismatches() == []


def test_a_bulk_update_through_the_session_re_judges_every_vendor(app_ctx):
    vendor = create_vendor(name="株式会社バルク")
    evaluation = approve_selection(vendor, valid_until=local_today() + timedelta(days=300))
    db.session.commit()
    assert _stored(vendor.id).selection == "valid"
    past = local_today() - timedelta(days=1)
    db.session.execute(db.update(Evaluation).where(Evaluation.id == evaluation.id).values(valid_until=past))
    db.session.commit()
    assert _stored(vendor.id).selection == "expired"


def test_the_day_boundary_re_judges_before_reading(app_ctx):
    """A decided evaluation valid until tomorrow is green today and red the day after: the stored
    row of today is not read on the next day, the counts judge it again first."""
    today = local_today()
    vendor = create_vendor(name="株式会社日付")
    approve_selection(vendor, valid_until=today + timedelta(days=1))
    db.session.commit()
    counts = store.colour_counts(Vendor.id == vendor.id, today)["selection"]
    assert counts["amber"] == 1  # expiring within the warning days
    later = today + timedelta(days=2)
    counts = store.colour_counts(Vendor.id == vendor.id, later)["selection"]
    assert counts == {**counts, "red": 1, "amber": 0}
    assert _stored(vendor.id).as_of == later
    assert store.ensure_current(later) == 0  # nothing stale any more: one count, no re-judging


def test_the_midnight_job_re_judges_every_vendor(app, app_ctx):
    vendors = [create_vendor(name=f"株式会社日次{number}") for number in range(3)]
    db.session.commit()
    yesterday = local_today() - timedelta(days=1)
    db.session.execute(db.update(VendorState).values(as_of=yesterday))  # as if judged yesterday
    db.session.commit()
    run_day_boundary(app)
    db.session.expire_all()
    ids = [vendor.id for vendor in vendors]
    days = set(db.session.scalars(db.select(VendorState.as_of).where(VendorState.vendor_id.in_(ids))))
    assert days == {local_today()}
    job = build_scheduler(app).get_job("status.day")
    assert (job.trigger.fields[5].expressions[0].first, job.trigger.fields[6].expressions[0].first) == (0, 0)


def test_a_settings_change_is_seen_at_once(app_ctx):
    """The rules' settings are part of each row's identity: after a change every row is re-judged
    before it is read (the warning days decide between green and amber here)."""
    today = local_today()
    vendor = create_vendor(name="株式会社設定")
    approve_selection(vendor, valid_until=today + timedelta(days=300))
    db.session.commit()
    before = store.rules_digest()
    rows = admin_settings.stored_settings()
    admin_settings.save_settings({"audit.warning_days": 45}, actor=None, state=admin_settings.edit_state(rows))
    db.session.commit()
    assert store.rules_digest() != before
    assert store.ensure_current(today) >= 1
    assert _stored(vendor.id).rules == store.rules_digest()


def test_counting_stored_states_takes_two_statements_whatever_the_size(app, app_ctx, count_queries):
    for number in range(5):
        create_vendor(name=f"株式会社件数{number}")
    db.session.commit()
    with app.test_request_context():
        audit_settings.current()  # read once per request, as the dashboard does
        store.ensure_current(local_today())
        with count_queries() as counted:
            store.colour_counts(Vendor.id.is_not(None), local_today())
        assert counted.count == 1  # checked already in this transaction: the grouped counts only
        db.session.commit()
        with count_queries() as counted:
            store.colour_counts(Vendor.id.is_not(None), local_today())
    # A new transaction: the staleness counts (the vendors' and the nodes', one statement), the grouped counts.
    assert counted.count == 2


def test_flask_status_check_and_refresh(app, app_ctx):
    vendor = create_vendor(name="株式会社コマンド")
    db.session.commit()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["status", "check"]).exit_code == 0
    # A row changed behind the app's back (not through its session): check finds it, refresh mends it.
    with db.engine.begin() as connection:
        connection.execute(VendorState.__table__.update().values(selection="valid"))
    result = runner.invoke(args=["status", "check"])
    assert result.exit_code == 1 and f"vendor {vendor.id}" in result.output
    assert runner.invoke(args=["status", "refresh"]).exit_code == 0
    assert runner.invoke(args=["status", "check"]).exit_code == 0
    db.session.expire_all()
    assert db.session.scalar(db.select(func.count()).select_from(VendorState)) >= 1


def _wait_until_another_transaction_waits_for_a_lock() -> None:
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    deadline = time.monotonic() + 120
    with db.engine.connect() as connection:
        while connection.execute(query).scalar_one() == 0:
            assert time.monotonic() < deadline, "transaction B never waited for A's row"
            time.sleep(0.05)


@pytest.mark.skipif(
    not (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgresql"), reason="row locks: PostgreSQL"
)
def test_two_transactions_changing_one_vendor_store_both_changes(app, app_ctx):
    """Transaction A approves the vendor's selection and re-judges it, holding the vendor's row;
    transaction B renames the vendor meanwhile and commits after A. B's judgement must include A's
    approval: B locks the row first, so it judges after A committed (without the lock B's statement
    would read the data as before A and write the selection back to "none")."""
    vendor = create_vendor(name="株式会社同時")
    template_id = checklist_services.current_template(SELECTION).id
    db.session.commit()
    vendor_id = vendor.id
    a_holds_lock, b_started = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def transaction_a():
        try:
            with app.app_context(), unit_scope.whole_group(), Session(db.engine) as session:
                session.add(
                    Evaluation(
                        vendor_id=vendor_id,
                        template_id=template_id,
                        status=APPROVED,
                        decided_at=utcnow(),
                        valid_until=local_today() + timedelta(days=300),
                    )
                )
                session.flush()
                store.apply_pending(session)  # judged and row locked, not yet committed
                a_holds_lock.set()
                b_started.wait(120)
                _wait_until_another_transaction_waits_for_a_lock()
                session.commit()
        except BaseException as error:
            errors.append(error)

    def transaction_b():
        try:
            a_holds_lock.wait(120)
            with app.app_context(), unit_scope.whole_group(), Session(db.engine) as session:
                session.get(Vendor, vendor_id).representative = "同時 変更子"
                b_started.set()
                session.commit()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=transaction_a), threading.Thread(target=transaction_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert not errors
    assert _stored(vendor_id).selection == "valid"


def test_the_due_dates_are_stored_and_follow_the_vendor(app_ctx):
    """The audit schedule's due date (today when never audited, NULL off the schedule) and the
    latest evaluation's expiry are stored with the codes, re-judged with them."""
    today = local_today()
    vendor = create_vendor(name="株式会社期日")
    vendor.status = "active"
    approve_selection(vendor, valid_until=today + timedelta(days=40))
    db.session.commit()
    stored = _stored(vendor.id)
    assert (stored.audit_due_on, stored.evaluation_due_on) == (today, today + timedelta(days=40))
    assert store.colour_counts(Vendor.id == vendor.id, today)["monitoring"]["red"] == 1  # never audited
    vendor = db.session.get(Vendor, vendor.id)
    vendor.status = "ended"
    db.session.commit()
    assert _stored(vendor.id).audit_due_on is None  # off the schedule
    later = today + timedelta(days=3)
    vendor.status = "active"
    db.session.commit()
    store.ensure_current(later)
    assert _stored(vendor.id).audit_due_on == later  # never audited: due on the day judged

"""Two sweeps at the same moment (two scheduler processes by mistake) send each reminder once."""

from __future__ import annotations

import threading

import pytest

from oversight.core import registry
from oversight.core.due import collect_due
from oversight.extensions import db
from oversight.reminders import services
from oversight.reminders.models import SENT, ReminderLog
from oversight.units import scope as unit_scope
from tests.reminders.conftest import NOW, TODAY


@pytest.fixture
def on_postgresql(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("row locks (FOR UPDATE SKIP LOCKED) need PostgreSQL; SQLite serialises writers anyway")


def _run_in_threads(app, target, count: int = 2) -> list:
    barrier = threading.Barrier(count)
    results: list = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            # As the scheduler runs a sweep: the whole group's read scope (a new thread starts without one).
            with app.app_context(), unit_scope.whole_group():
                barrier.wait()
                results.append(target())
                db.session.remove()
        except BaseException as exc:  # surfaced in the main thread below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return results


@pytest.mark.postgresql
def test_two_concurrent_sweeps_send_each_reminder_once(app, on_postgresql, make_user, smtp_server, account_review):
    users = [make_user("manager") for _ in range(6)]
    account_review.user_ids = [user.id for user in users]

    results = _run_in_threads(app, lambda: services.send_due_reminders(TODAY, NOW), count=3)

    assert sorted(envelope.rcpt_tos[0] for envelope in smtp_server.envelopes) == sorted(u.email for u in users)
    assert sum(len(result.digests) for result in results) == 6
    with app.app_context():
        statuses = db.session.scalars(db.select(ReminderLog.status)).all()
    assert statuses == [SENT] * 6


@pytest.mark.postgresql
def test_concurrent_deliveries_without_the_lease_still_send_once(
    app, on_postgresql, make_user, smtp_server, account_review
):
    # As if a lease had lapsed mid-sweep: the row locks alone must prevent doubles.
    users = [make_user("manager") for _ in range(8)]
    account_review.user_ids = [user.id for user in users]
    with app.app_context():
        services.record_due(collect_due(db.session, TODAY, registry.current().reminder_rules()), NOW)
        db.session.commit()

    results = _run_in_threads(app, lambda: services.deliver_pending(TODAY, NOW), count=4)

    assert len(smtp_server.envelopes) == 8
    assert sorted(envelope.rcpt_tos[0] for envelope in smtp_server.envelopes) == sorted(u.email for u in users)
    assert sum(len(result.digests) for result in results) == 8


@pytest.mark.postgresql
def test_concurrent_recording_inserts_each_row_once(app, on_postgresql, make_user, account_review):
    users = [make_user("manager") for _ in range(5)]
    account_review.user_ids = [user.id for user in users]

    def record() -> int:
        inserted = services.record_due(collect_due(db.session, TODAY, registry.current().reminder_rules()), NOW)
        db.session.commit()
        return inserted

    results = _run_in_threads(app, record, count=4)

    assert sum(results) == 5
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ReminderLog.id))) == 5

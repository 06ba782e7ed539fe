"""The daily sweep: what is sent, to whom, in which language, and never twice."""

from __future__ import annotations

from datetime import date, timedelta

from oversight.core import registry
from oversight.core.registry import Feature
from oversight.extensions import db
from oversight.reminders import services
from oversight.reminders.models import FAILED, LOGGED, PENDING, SENT, ReminderLog
from tests.conftest import free_port
from tests.reminders.conftest import NOW, RULE_NAME, TODAY


def rows(app) -> list[ReminderLog]:
    with app.app_context():
        found = db.session.scalars(
            db.select(ReminderLog).where(ReminderLog.rule == RULE_NAME).order_by(ReminderLog.id)
        ).all()
        db.session.expunge_all()
        return found


def sweep(app, today=TODAY, now=NOW, **kwargs) -> services.SweepResult:
    with app.app_context():
        return services.send_due_reminders(today, now, **kwargs)


def test_each_recipient_gets_one_digest_in_their_language(app, make_user, smtp_server, account_review):
    ja_user = make_user("manager", email="ja@example.com", name="鈴木 花子", language="ja")
    en_user = make_user("manager", email="en@example.com", name="Jane Smith", language="en")
    account_review.user_ids = [ja_user.id, en_user.id]
    account_review.due_on = TODAY - timedelta(days=3)

    result = sweep(app)

    assert result.new_rows == 2
    assert [digest.status for digest in result.digests] == [SENT, SENT]
    by_recipient = {envelope.rcpt_tos[0]: message for envelope, message in zip(smtp_server.envelopes,
                                                                                 smtp_server.messages, strict=True)}
    assert set(by_recipient) == {"ja@example.com", "en@example.com"}

    japanese = by_recipient["ja@example.com"]
    assert japanese["Subject"] == "【Oversight】リマインダー 1件（2026-12-01 現在）"
    assert japanese["To"].addresses[0].display_name == "鈴木 花子"
    text = japanese.get_body(("plain",)).get_content()
    assert "鈴木 花子 様" in text
    assert "アカウント確認: 鈴木 花子" in text
    assert "期日: 2026-11-28 (超過 3日)" in text
    assert f"http://oversight.test/admin/users/{ja_user.id}/edit" in text
    html = japanese.get_body(("html",)).get_content()
    assert f'href="http://oversight.test/admin/users/{ja_user.id}/edit"' in html
    assert "エスカレーション" in html

    english = by_recipient["en@example.com"]
    assert english["Subject"] == "[Oversight] 1 reminders as of 2026-12-01"
    text = english.get_body(("plain",)).get_content()
    assert "Dear Jane Smith," in text
    assert "Due date: 2026-11-28 (Days overdue: 3)" in text
    assert f"http://oversight.test/admin/users/{en_user.id}/edit" in text


def test_a_line_shared_by_two_digests_is_in_each_recipients_language(app, make_user, smtp_server, account_review):
    # The sweep renders each distinct line once per language, not once per digest.
    subject = make_user("viewer", name="対象 利用者")
    ja_user = make_user("manager", email="ja@example.com", language="ja")
    en_user = make_user("manager", email="en@example.com", language="en")
    account_review.user_ids = [subject.id]
    account_review.extra = {ja_user.id, en_user.id}
    account_review.due_on = TODAY - timedelta(days=3)

    sweep(app)

    by_recipient = {envelope.rcpt_tos[0]: message for envelope, message in zip(smtp_server.envelopes,
                                                                                 smtp_server.messages, strict=True)}
    japanese, english = by_recipient["ja@example.com"], by_recipient["en@example.com"]
    assert "期日: 2026-11-28 (超過 3日)" in japanese.get_body(("plain",)).get_content()
    assert "<strong>[エスカレーション]</strong>" in japanese.get_body(("html",)).get_content()
    assert "Due date: 2026-11-28 (Days overdue: 3)" in english.get_body(("plain",)).get_content()
    assert "<strong>[Escalated]</strong>" in english.get_body(("html",)).get_content()
    assert "アカウント確認: 対象 利用者" in english.get_body(("plain",)).get_content()


def test_one_sweep_sends_every_digest_over_one_smtp_connection(app, make_user, smtp_server, account_review):
    users = [make_user("viewer") for _ in range(3)]
    account_review.user_ids = [user.id for user in users]

    result = sweep(app)

    assert [digest.status for digest in result.digests] == [SENT, SENT, SENT]
    assert len(smtp_server.envelopes) == 3
    assert smtp_server.connections == 1


def test_items_for_one_recipient_share_one_digest(app, make_user, smtp_server, account_review):
    boss = make_user("manager", email="boss@example.com", language="en")
    staff = [make_user("viewer") for _ in range(3)]
    account_review.user_ids = [user.id for user in staff]
    account_review.extra = {boss.id}

    sweep(app)

    boss_messages = [m for e, m in zip(smtp_server.envelopes, smtp_server.messages, strict=True)
                     if e.rcpt_tos == ["boss@example.com"]]
    assert len(boss_messages) == 1
    assert boss_messages[0]["Subject"] == "[Oversight] 3 reminders as of 2026-12-01"
    assert len(smtp_server.envelopes) == 4
    digest_ids = {row.digest_id for row in rows(app) if row.recipient_id == boss.id}
    assert len(digest_ids) == 1


def test_two_sweeps_on_the_same_day_send_once(app, make_user, smtp_server, account_review):
    user = make_user("manager")
    account_review.user_ids = [user.id]

    first = sweep(app)
    second = sweep(app, now=NOW + timedelta(hours=2))

    assert len(first.digests) == 1
    assert second.new_rows == 0 and second.digests == []
    assert len(smtp_server.envelopes) == 1
    (row,) = rows(app)
    assert (row.status, row.attempts, row.stage) == (SENT, 1, "due")
    assert row.sent_at == NOW


def test_stepping_through_the_days_sends_each_stage_once(app, make_user, smtp_server, account_review):
    user = make_user("manager")
    account_review.user_ids = [user.id]
    account_review.due_on = date(2026, 12, 10)

    sent_on = {}
    start = date(2026, 11, 1)
    for offset in range(60):  # 2026-11-01 … 2026-12-30
        today = start + timedelta(days=offset)
        for _ in range(2):  # the scheduler and a manual run on the same day
            result = sweep(app, today=today, now=NOW + timedelta(days=offset - 30))
            for digest in result.digests:
                sent_on[today] = digest.status

    stages = [(row.stage, row.status) for row in rows(app)]
    assert stages == [
        ("lead-30", SENT), ("lead-7", SENT), ("lead-1", SENT), ("due", SENT),
        ("overdue-1", SENT), ("overdue-2", SENT), ("overdue-3", SENT),
    ]
    assert sorted(sent_on) == [date(2026, 11, 10), date(2026, 12, 3), date(2026, 12, 9), date(2026, 12, 10),
                               date(2026, 12, 11), date(2026, 12, 18), date(2026, 12, 25)]
    assert len(smtp_server.envelopes) == 7


def test_a_missed_day_is_caught_up_by_the_next_run(app, make_user, smtp_server, account_review):
    user = make_user("manager")
    account_review.user_ids = [user.id]
    account_review.due_on = date(2026, 12, 10)

    sweep(app, today=date(2026, 12, 5))  # nobody ran on the 3rd and 4th

    assert [row.stage for row in rows(app)] == ["lead-7"]


def test_smtp_down_then_up_keeps_rows_failed_then_sends_them_once(app, make_user, smtp_server, account_review):
    users = [make_user("manager"), make_user("auditor")]
    account_review.user_ids = [user.id for user in users]
    smtp_server.stop()

    down = sweep(app)

    assert [digest.status for digest in down.digests] == [FAILED, FAILED]
    for row in rows(app):
        assert row.status == FAILED
        assert row.attempts == 1
        assert "ConnectionRefusedError" in row.last_error
        assert row.next_attempt_at == NOW + timedelta(minutes=10)

    assert sweep(app, now=NOW + timedelta(minutes=5)).digests == []  # not yet time to retry

    smtp_server.start()
    up = sweep(app, now=NOW + timedelta(minutes=15))
    again = sweep(app, now=NOW + timedelta(minutes=30))

    assert [digest.status for digest in up.digests] == [SENT, SENT]
    assert again.digests == []
    assert sorted(envelope.rcpt_tos[0] for envelope in smtp_server.envelopes) == sorted(u.email for u in users)
    for row in rows(app):
        assert (row.status, row.attempts, row.last_error) == (SENT, 2, None)


def test_failures_back_off_but_are_never_dropped(app, make_user, account_review):
    user = make_user("manager")
    account_review.user_ids = [user.id]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    try:
        now = NOW
        for _ in range(12):
            sweep(app, now=now)
            (row,) = rows(app)
            now = row.next_attempt_at
    finally:
        app.config.update(MAIL_SERVER="", MAIL_PORT=25)
    (row,) = rows(app)
    assert (row.status, row.attempts) == (FAILED, 12)
    assert row.next_attempt_at - row.last_attempt_at == timedelta(hours=6)


def test_retry_job_sends_failed_rows_without_running_rules(app, make_user, smtp_server, account_review):
    user = make_user("manager")
    account_review.user_ids = [user.id]
    smtp_server.stop()
    sweep(app)
    smtp_server.start()
    calls = account_review.calls

    with app.app_context():
        result = services.retry_failed(NOW + timedelta(minutes=15))

    assert [digest.status for digest in result.digests] == [SENT]
    assert account_review.calls == calls
    assert len(smtp_server.envelopes) == 1


def test_one_refused_recipient_does_not_block_the_others(app, make_user, smtp_server, account_review):
    refused = make_user("manager", email="gone@example.com")
    fine = make_user("manager", email="fine@example.com")
    account_review.user_ids = [refused.id, fine.id]
    smtp_server.handler.refused.add("gone@example.com")

    result = sweep(app)

    assert {digest.email: digest.status for digest in result.digests} == {
        "gone@example.com": FAILED, "fine@example.com": SENT,
    }
    assert [envelope.rcpt_tos for envelope in smtp_server.envelopes] == [["fine@example.com"]]
    failed = [row for row in rows(app) if row.status == FAILED]
    assert len(failed) == 1 and "Mailbox unavailable" in failed[0].last_error


def test_without_smtp_server_rows_are_marked_logged(app, make_user, account_review):
    user = make_user("manager")
    account_review.user_ids = [user.id]

    result = sweep(app)

    assert [digest.status for digest in result.digests] == [LOGGED]
    assert [row.status for row in rows(app)] == [LOGGED]
    assert sweep(app).digests == []


def test_disabled_users_get_no_reminders(app, make_user, smtp_server, account_review):
    user = make_user("manager")
    with app.app_context():
        from oversight.auth.models import User

        db.session.get(User, user.id).is_enabled = False
        db.session.commit()
    account_review.user_ids = [user.id]

    assert sweep(app).digests == []
    assert rows(app) == []


def test_dry_run_writes_and_sends_nothing(app, make_user, smtp_server, account_review):
    user = make_user("manager", email="dry@example.com")
    account_review.user_ids = [user.id]

    result = sweep(app, dry_run=True)

    assert result.is_dry_run
    assert [(digest.email, digest.status, len(digest.entries)) for digest in result.digests] == [
        ("dry@example.com", services.WOULD_SEND, 1)
    ]
    assert rows(app) == [] and smtp_server.envelopes == []
    sweep(app)
    assert sweep(app, dry_run=True).digests == []


def test_a_failing_rule_does_not_stop_the_others(app, make_user, smtp_server, account_review):
    def broken_rule(session, today):
        raise RuntimeError("feature bug")

    user = make_user("manager")
    account_review.user_ids = [user.id]
    with registry.of(app).extra(Feature("broken", reminder_rules=(broken_rule,))):
        result = sweep(app)

    assert len(result.digests) == 1
    assert any("feature bug" in error for error in result.rule_errors)


def test_a_held_lease_makes_the_second_run_skip(app, make_user, smtp_server, account_review):
    from oversight.reminders import storage

    user = make_user("manager")
    account_review.user_ids = [user.id]
    with app.app_context():
        assert storage.acquire_lease(services.LEASE_NAME, "someone-else", NOW, services.LEASE_TTL)

    assert sweep(app).is_skipped
    assert smtp_server.envelopes == []
    # A crashed holder's lease lapses.
    assert not sweep(app, now=NOW + services.LEASE_TTL + timedelta(seconds=1)).is_skipped
    assert len(smtp_server.envelopes) == 1


def test_pending_row_identity_is_unique(app, make_user, account_review):
    user = make_user("manager")
    account_review.user_ids = [user.id]
    with app.app_context():
        from oversight.core.due import collect_due

        items = collect_due(db.session, TODAY, registry.current().reminder_rules())
        assert services.record_due(items, NOW) == 1
        assert services.record_due(items + items, NOW) == 0
        db.session.commit()
    assert [(row.rule, row.status) for row in rows(app)] == [(RULE_NAME, PENDING)]


def test_each_further_recipient_costs_one_commit(app, make_user, smtp_server, account_review):
    """A digest's outcome, the lease's renewal and the next recipient's claim are committed together (on SQLite
    each commit is a sync to disk): one commit more per recipient, not two."""
    from sqlalchemy import event

    users = [make_user("viewer") for _ in range(4)]
    commits: list[int] = []

    def count(_connection) -> None:  # a database transaction's commit (a savepoint's release is none)
        commits.append(1)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "commit", count)
    try:
        account_review.user_ids = [users[0].id]
        sweep(app)
        alone = len(commits)
        commits.clear()
        account_review.user_ids = [user.id for user in users]
        result = sweep(app)  # the first user's reminder is logged already: three recipients now
    finally:
        event.remove(engine, "commit", count)

    assert [digest.recipient_id for digest in result.digests] == [user.id for user in users[1:]]
    assert all(digest.status == SENT for digest in result.digests)
    assert len(commits) - alone == 2
    assert len(smtp_server.envelopes) == 4

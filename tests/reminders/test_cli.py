"""``flask reminders send`` and ``flask reminders preview``."""

from __future__ import annotations

from datetime import date

from oversight.extensions import db
from oversight.reminders.models import ReminderLog


def test_send_prints_what_was_sent(app, make_user, smtp_server, account_review):
    user = make_user("manager", email="cli@example.com")
    account_review.user_ids = [user.id]
    account_review.due_on = date(2026, 12, 1)

    result = app.test_cli_runner().invoke(args=["reminders", "send", "--today", "2026-12-01"])

    assert result.exit_code == 0, result.output
    assert "sent: cli@example.com (1 reminders)" in result.output
    assert "2026-12-01  アカウント確認" in result.output
    assert len(smtp_server.envelopes) == 1

    again = app.test_cli_runner().invoke(args=["reminders", "send", "--today", "2026-12-01"])
    assert again.exit_code == 0
    assert "Nothing to send for 2026-12-01." in again.output
    assert len(smtp_server.envelopes) == 1


def test_dry_run_prints_and_sends_nothing(app, make_user, smtp_server, account_review):
    user = make_user("manager", email="dry@example.com")
    account_review.user_ids = [user.id]
    account_review.due_on = date(2026, 12, 8)

    result = app.test_cli_runner().invoke(args=["reminders", "send", "--today", "2026-12-01", "--dry-run"])

    assert result.exit_code == 0, result.output
    assert "would send: dry@example.com (1 reminders)" in result.output
    assert smtp_server.envelopes == []
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ReminderLog.id))) == 0


def test_failed_send_exits_non_zero(app, make_user, smtp_server, account_review):
    user = make_user("manager")
    account_review.user_ids = [user.id]
    account_review.due_on = date(2026, 12, 1)
    smtp_server.stop()

    result = app.test_cli_runner().invoke(args=["reminders", "send", "--today", "2026-12-01"])

    assert result.exit_code == 1
    assert "failed:" in result.output
    assert "1 digests failed; they are sent again from " in result.output
    assert "Traceback" not in result.output


def test_invalid_date_is_a_clear_error(app):
    result = app.test_cli_runner().invoke(args=["reminders", "send", "--today", "2026-13-01"])

    assert result.exit_code == 2
    assert "'2026-13-01' is not a date in the form YYYY-MM-DD." in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_preview_prints_the_users_digest_in_their_language(app, make_user, account_review):
    user = make_user("manager", email="Preview@Example.com", name="Ann Lee", language="en")
    account_review.user_ids = [user.id]
    account_review.due_on = date(2026, 12, 3)

    result = app.test_cli_runner().invoke(
        args=["reminders", "preview", "--user", "preview@example.com", "--today", "2026-12-01"]
    )

    assert result.exit_code == 0, result.output
    assert "Subject: [Oversight] 1 reminders as of 2026-12-01" in result.output
    assert "Dear Ann Lee," in result.output
    assert "Due date: 2026-12-03 (Days left: 2)" in result.output
    assert f"http://oversight.test/admin/users/{user.id}/edit" in result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ReminderLog.id))) == 0


def test_preview_with_nothing_due(app, make_user, account_review):
    make_user("manager", email="idle@example.com")

    result = app.test_cli_runner().invoke(args=["reminders", "preview", "--user", "idle@example.com",
                                                "--today", "2026-12-01"])

    assert result.exit_code == 0
    assert "Nothing due for idle@example.com on 2026-12-01." in result.output


def test_preview_unknown_user_is_a_clear_error(app):
    result = app.test_cli_runner().invoke(args=["reminders", "preview", "--user", "ghost@example.com"])

    assert result.exit_code == 1
    assert "No user has the e-mail address ghost@example.com." in result.output
    assert "Traceback" not in result.output

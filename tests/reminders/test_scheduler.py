"""oversight.scheduler: the schedule, the reloader guard, and the job wrappers."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from oversight import scheduler
from oversight.core import registry
from oversight.core.registry import Feature
from oversight.extensions import db
from oversight.reminders.models import ReminderLog


def test_the_schedule_is_in_tokyo_with_a_daily_sweep_and_a_15_minute_retry(app):
    built = scheduler.build_scheduler(app)
    jobs = {job.id: job for job in built.get_jobs()}

    assert str(built.timezone) == "Asia/Tokyo"
    daily = jobs["daily"]
    assert isinstance(daily.trigger, CronTrigger)
    assert str(daily.trigger.fields[5]) == "8" and str(daily.trigger.fields[6]) == "30"  # hour, minute
    assert daily.func is scheduler.run_daily and daily.args == (app,)
    retry = jobs["reminders.retry"]
    assert isinstance(retry.trigger, IntervalTrigger)
    assert retry.trigger.interval.total_seconds() == 15 * 60
    assert retry.func is scheduler.run_retry


@pytest.mark.parametrize(
    ("enabled", "testing", "debug", "environ", "expected"),
    [
        (False, False, False, {}, False),
        (True, True, False, {}, False),  # never under TESTING
        (True, False, False, {}, True),  # flask run without the reloader
        (True, False, True, {}, False),  # the reloader's watching parent
        (True, False, True, {"WERKZEUG_RUN_MAIN": "true"}, True),  # the reloader's serving child
        (True, False, False, {"WERKZEUG_RUN_MAIN": "false"}, False),
    ],
)
def test_in_process_start_is_guarded(app, enabled, testing, debug, environ, expected):
    saved = (app.config["SCHEDULER_ENABLED"], app.config["TESTING"], app.debug)
    app.config.update(SCHEDULER_ENABLED=enabled, TESTING=testing)
    app.debug = debug
    try:
        assert scheduler.should_start_in_process(app, environ) is expected
    finally:
        app.config["SCHEDULER_ENABLED"], app.config["TESTING"], app.debug = saved


def test_the_test_app_runs_no_scheduler(app, client):
    client.get("/auth/login")
    assert "oversight.scheduler" not in app.extensions


def test_daily_job_runs_hooks_then_the_sweep(app, make_user, smtp_server, account_review):
    user = make_user("manager")
    account_review.user_ids = [user.id]
    seen: list[tuple[date, datetime]] = []

    def close_ended_contracts(today, now):
        seen.append((today, now))

    def broken_hook(today, now):
        raise RuntimeError("hook bug")

    hooks = Feature("tests", daily_jobs=(broken_hook, close_ended_contracts))
    with registry.of(app).extra(hooks):
        account_review.due_on = _tokyo_today()
        scheduler.run_daily(app)

    assert len(seen) == 1 and seen[0][0] == _tokyo_today()
    assert len(smtp_server.envelopes) == 1


def test_retry_job_sends_what_is_unsent(app, make_user, smtp_server, account_review):
    user = make_user("manager")
    account_review.user_ids = [user.id]
    account_review.due_on = _tokyo_today()
    smtp_server.stop()
    scheduler.run_daily(app)
    smtp_server.start()
    with app.app_context():
        db.session.execute(db.update(ReminderLog).values(next_attempt_at=ReminderLog.last_attempt_at))
        db.session.commit()

    scheduler.run_retry(app)

    assert len(smtp_server.envelopes) == 1


def test_a_background_scheduler_starts_and_stops(app):
    built = scheduler.build_scheduler(app, BackgroundScheduler)
    built.start(paused=True)
    try:
        assert built.running
    finally:
        built.shutdown(wait=False)


def _tokyo_today() -> date:
    from datetime import UTC
    from zoneinfo import ZoneInfo

    return datetime.now(UTC).astimezone(ZoneInfo("Asia/Tokyo")).date()


def test_flask_scheduler_jobs_lists_the_schedule(app):
    result = app.test_cli_runner().invoke(args=["scheduler", "jobs"])

    assert result.exit_code == 0, result.output
    assert "daily: Daily jobs and reminder sweep" in result.output
    assert "reminders.retry: Retry failed reminders" in result.output

"""What runs when: the daily reminder sweep, the retry of failed sends, features' daily jobs, and the
webhook deliveries (every minute).

Production runs exactly one ``flask scheduler run`` process. The dev server may run the
scheduler in-process (``SCHEDULER_ENABLED``); that is guarded against the Werkzeug reloader
and never happens under ``TESTING``. Even so, the jobs are idempotent in the database (a lease
and the unique reminder log), so a second scheduler by mistake sends nothing twice.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections.abc import Mapping
from zoneinfo import ZoneInfo

import click
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask, current_app
from flask.cli import with_appcontext

from oversight.admin import reminder_settings
from oversight.core import registry
from oversight.core.timeutil import local_today, utcnow
from oversight.extensions import db
from oversight.reminders import services as reminder_services
from oversight.status import store as status_store
from oversight.subcontracts import states as node_states
from oversight.units import scope as unit_scope
from oversight.webhooks import delivery as webhook_delivery

log = logging.getLogger(__name__)

RETRY_MINUTES = 15
WEBHOOK_SECONDS = 60


# --- the jobs: module-level functions, each in its own application context -------------------

def run_daily(app: Flask) -> None:
    """The daily job: the features' daily jobs (``oversight/features.py``: contract-end close,
    monthly snapshot…), each committed on its own, then the reminder sweep, which sees their results."""
    with app.app_context(), unit_scope.whole_group():
        today, now = local_today(), utcnow()
        for job in registry.current().daily_jobs():
            try:
                job(today=today, now=now)
                db.session.commit()
            except Exception:
                db.session.rollback()
                log.exception("Daily job %s failed", getattr(job, "__qualname__", job))
        result = reminder_services.send_due_reminders(today, now)
        log.info("Reminder sweep %s: %d new, %d digests, %d failed, %d uncertain%s", today, result.new_rows,
                 len(result.digests), len(result.failed), len(result.uncertain),
                 " (skipped: another run held the lease)" if result.is_skipped else "")
        db.session.remove()


def run_day_boundary(app: Flask) -> None:
    """Just after midnight: every vendor's lights judged on the new day (``status.store``), so that no
    reader has to."""
    with app.app_context(), unit_scope.whole_group():
        try:
            count = status_store.refresh_all(local_today())
            nodes = node_states.refresh_all(local_today())
            db.session.commit()
            log.info("States judged on the new day: %d vendors, %d subcontract nodes", count, nodes)
        except Exception:
            db.session.rollback()
            log.exception("Judging the vendor states on the new day failed (readers will re-judge)")
        db.session.remove()


def run_retry(app: Flask) -> None:
    """The frequent job: send the reminders whose earlier attempt failed."""
    with app.app_context(), unit_scope.whole_group():
        result = reminder_services.retry_failed(utcnow())
        if result.digests or result.interrupted:
            log.info("Reminder retry: %d digests, %d failed, %d uncertain, %d left sending by a dead run",
                     len(result.digests), len(result.failed), len(result.uncertain), result.interrupted)
        db.session.remove()


def run_webhooks(app: Flask) -> None:
    """Every minute: fan the recorded events out to the subscribed endpoints and send what is due."""
    with app.app_context(), unit_scope.whole_group():
        try:
            result = webhook_delivery.run()
            if result.created or result.delivered or result.retrying or result.failed or result.errors:
                log.info("Webhooks: %d events, %d deliveries made; %d delivered, %d to retry, %d failed, %d errors",
                         result.dispatched, result.created, result.delivered, result.retrying, result.failed,
                         len(result.errors))
        except Exception:
            db.session.rollback()
            log.exception("Webhook delivery run failed (the next run tries again)")
        db.session.remove()


# --- building and starting ---------------------------------------------------------------------

def build_scheduler(app: Flask, scheduler_class: type[BaseScheduler] = BackgroundScheduler) -> BaseScheduler:
    """A scheduler in the app's time zone with the daily job and the retry job."""
    zone = ZoneInfo(app.config["TIMEZONE"])
    with app.app_context(), unit_scope.whole_group():
        at = reminder_settings.sweep_time()
    scheduler = scheduler_class(
        timezone=zone,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
    )
    scheduler.add_job(run_daily, CronTrigger(hour=at.hour, minute=at.minute, timezone=zone), args=[app],
                      id="daily", name="Daily jobs and reminder sweep", replace_existing=True)
    scheduler.add_job(run_day_boundary, CronTrigger(hour=0, minute=0, second=30, timezone=zone), args=[app],
                      id="status.day", name="Vendor states judged on the new day", replace_existing=True)
    scheduler.add_job(run_retry, IntervalTrigger(minutes=RETRY_MINUTES, timezone=zone), args=[app],
                      id="reminders.retry", name="Retry failed reminders", replace_existing=True)
    scheduler.add_job(run_webhooks, IntervalTrigger(seconds=WEBHOOK_SECONDS, timezone=zone), args=[app],
                      id="webhooks.deliver", name="Send webhook deliveries", replace_existing=True)
    return scheduler


def should_start_in_process(app: Flask, environ: Mapping[str, str] = os.environ) -> bool:
    """True in the process that serves requests on the dev server, when SCHEDULER_ENABLED.

    Under ``flask run --debug`` the reloader's parent process only watches files; the child
    (``WERKZEUG_RUN_MAIN=true``) serves, and only it may start the scheduler.
    """
    if not app.config.get("SCHEDULER_ENABLED") or app.config.get("TESTING"):
        return False
    if "WERKZEUG_RUN_MAIN" in environ:
        return environ["WERKZEUG_RUN_MAIN"] == "true"
    return not app.debug


def init_scheduler(app: Flask) -> None:
    """Start the in-process scheduler with the first request when allowed (never in CLI commands)."""
    if not should_start_in_process(app):
        return
    lock = threading.Lock()

    @app.before_request
    def start_scheduler_once() -> None:
        if "oversight.scheduler" in app.extensions:
            return
        with lock:
            if "oversight.scheduler" not in app.extensions:
                scheduler = build_scheduler(app)
                scheduler.start()
                app.extensions["oversight.scheduler"] = scheduler
                atexit.register(scheduler.shutdown, wait=False)
                log.info("In-process scheduler started (SCHEDULER_ENABLED)")


# --- flask scheduler … -------------------------------------------------------------------------

scheduler_cli = click.Group("scheduler", help="The job scheduler (run exactly one in production).")


@scheduler_cli.command("run")
@with_appcontext
def run() -> None:
    """Run the scheduler in the foreground until stopped (Ctrl+C or SIGTERM)."""
    scheduler = build_scheduler(current_app._get_current_object(), BlockingScheduler)
    click.echo(f"Scheduler running in {current_app.config['TIMEZONE']}; jobs:")
    for job in scheduler.get_jobs():
        click.echo(f"  {job.id}: {job.trigger}")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        click.echo("Scheduler stopped.")


@scheduler_cli.command("jobs")
@with_appcontext
def jobs() -> None:
    """List the scheduled jobs and their triggers."""
    scheduler = build_scheduler(current_app._get_current_object())
    for job in scheduler.get_jobs():
        click.echo(f"{job.id}: {job.name} — {job.trigger}")
    for job in registry.current().daily_jobs():
        click.echo(f"  daily hook: {job.__module__}.{job.__qualname__}")

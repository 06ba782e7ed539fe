"""One timed job in its own process, for ``bench/run.py``: prints one line of JSON.

``python -m bench.measure sweep|vendor_pdf|register_pdf`` with ``DATABASE_URL`` pointing at the
generated database (and, for the sweep, ``MAIL_SERVER``/``MAIL_PORT`` at the benchmark's SMTP server).

- ``sweep``: the scheduler's daily job as it runs in production (``oversight.scheduler.run_daily``'s
  steps: every registered daily job, then the reminder sweep, each digest delivered over SMTP), first
  on the day the data was generated (the first sweep after an install: every open item is new) and
  then on the next day (today + 1: the items that newly fall due, the escalations and approval waits
  the day brings, the failed retries); seconds, reminders, digests and new log rows of each.
- ``vendor_pdf`` / ``register_pdf``: the PDFs requested through the app (a signed-in test client, the
  same view a user's browser calls), the response streamed and counted, not kept.

The peak RSS (``resource.getrusage(...).ru_maxrss``) is of this whole process, so it includes the app's
own baseline, printed as ``baseline_rss_mb``.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from datetime import date, datetime, timedelta

from bench.client import PASSWORD, find_form
from oversight import create_app
from oversight.core.timeutil import local_today, utcnow
from oversight.extensions import db

JOBS = ("sweep", "vendor_pdf", "register_pdf")
BENCH_EMAIL = "bench@example.com"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def daily_run(today: date, now: datetime) -> dict:
    """What ``oversight.scheduler.run_daily`` does on ``today``: the daily jobs, then the sweep; timed."""
    from oversight.core import registry
    from oversight.reminders import services

    started = time.perf_counter()
    for job in registry.current().daily_jobs():
        job(today=today, now=now)
        db.session.commit()
    result = services.send_due_reminders(today, now)
    seconds = time.perf_counter() - started
    db.session.remove()
    return {
        "today": today.isoformat(),
        "seconds": seconds,
        "new_rows": result.new_rows,
        "digests": len(result.digests),
        "failed_digests": len(result.failed),
        "reminders": result.reminder_count,
        "skipped": result.is_skipped,
    }


def sweep() -> dict:
    today, now = local_today(), utcnow()
    first = daily_run(today, now)
    next_day = daily_run(today + timedelta(days=1), now + timedelta(days=1))
    return {"seconds": next_day["seconds"], "first": first, "next_day": next_day}


def signed_in_client(app):
    client = app.test_client()
    page = client.get("/auth/login").get_data()
    form = find_form(page, "/auth/login")
    body = dict(form.fields) | {"email": BENCH_EMAIL, "password": PASSWORD}
    response = client.post("/auth/login", data=body)
    if response.status_code != 302:
        raise RuntimeError(f"sign-in failed ({response.status_code})")
    return client


def fetch(client, path: str) -> int:
    """GET ``path``, streaming the body and counting its bytes (a large PDF is not kept whole here)."""
    response = client.get(path, buffered=False)
    try:
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}")
        return sum(len(chunk) for chunk in response.iter_encoded())
    finally:
        response.close()


def active_vendor(position: int) -> int:
    from oversight.vendors.models import Vendor

    query = db.select(Vendor.id).where(Vendor.status == "active").order_by(Vendor.id).offset(position).limit(1)
    return db.session.scalar(query)


def timed(action) -> tuple[float, int]:
    started = time.perf_counter()
    size = action()
    return time.perf_counter() - started, size


def vendor_pdf(app) -> dict:
    with app.app_context():
        first, second = active_vendor(0), active_vendor(1)
    client = signed_in_client(app)
    # The first PDF of a process also loads the Japanese font; a server pays that once.
    cold, _size = timed(lambda: fetch(client, f"/reports/vendors/{first}.pdf"))
    seconds, size = timed(lambda: fetch(client, f"/reports/vendors/{second}.pdf"))
    return {"seconds": seconds, "cold_seconds": cold, "bytes": size}


def register_pdf(app) -> dict:
    client = signed_in_client(app)
    seconds, size = timed(lambda: fetch(client, "/reports/register.pdf"))
    return {"seconds": seconds, "bytes": size}


def main(job: str) -> dict:
    if job not in JOBS:
        raise SystemExit(f"unknown job {job!r}; one of {', '.join(JOBS)}")
    app = create_app()
    with app.app_context():
        db.session.execute(db.text("SELECT 1"))  # connected before the baseline is taken
        db.session.remove()
    baseline = rss_mb()
    if job == "sweep":
        with app.app_context():
            result = sweep()
    else:
        # Each request in its own application context, as in a server (not inside one held here).
        result = {"vendor_pdf": vendor_pdf, "register_pdf": register_pdf}[job](app)
    return {**result, "available": True, "peak_rss_mb": rss_mb(), "baseline_rss_mb": baseline}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))

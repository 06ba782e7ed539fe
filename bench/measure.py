"""One timed job in its own process, for ``bench/run.py``: prints one line of JSON.

``python -m bench.measure sweep|vendor_pdf|register_pdf`` with ``DATABASE_URL`` pointing at the
generated database (and, for the sweep, ``MAIL_SERVER``/``MAIL_PORT`` at the benchmark's SMTP server).

- ``sweep``: the scheduler's daily job as it runs in production (``oversight.scheduler.run_daily``'s
  steps: every registered daily job, then the reminder sweep, each digest delivered over SMTP), first
  on the day the data was generated (the first sweep after an install: every open item is new) and
  then on the next day (today + 1: the items that newly fall due, the escalations and approval waits
  the day brings, the failed retries); seconds, reminders, digests and new log rows of each.
- ``import_vendors``: the bulk import (issue #20) of a 10,000-row vendor workbook written here with
  openpyxl (every column filled: a contact, a Pマーク and an ISMS per row; 和暦 and slash dates; choices by
  their Japanese label; rows matching no generated vendor): the upload check, the preview (what the
  preview page runs), the import (what the confirm button runs: the preview again, every row written,
  the commit with its state refresh), then the preview of the same file again (every row unchanged).
- ``vendor_pdf`` / ``register_pdf``: the PDFs requested through the app (a signed-in test client, the
  same view a user's browser calls), the response streamed and counted, not kept.

The peak RSS (``resource.getrusage(...).ru_maxrss``) is of this whole process, so it includes the app's
own baseline, printed as ``baseline_rss_mb``, and the sign-in of the PDF jobs: checking the password with
scrypt (n = 32768, r = 8) takes 32 MB for a moment, more than a PDF adds. ``document_peak_rss_mb`` is the
peak of the PDF requests alone: on Linux the process's peak is reset once signed in
(``/proc/self/clear_refs``) and read back (``VmHWM``) after them; absent where that cannot be done.
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
from oversight.units import scope as unit_scope

JOBS = ("sweep", "vendor_pdf", "register_pdf", "import_vendors")
IMPORT_ROWS = 10_000
BENCH_EMAIL = "bench@example.com"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> bool:
    """Start the process's peak RSS again from its current RSS (Linux); False where it cannot be done."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        return False
    return True


def peak_rss_since_reset_mb() -> float | None:
    """The process's peak RSS (``VmHWM``) in MB, or None where /proc does not tell it."""
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def signed_in_peak() -> tuple[float, bool]:
    """The process's peak RSS so far (the sign-in's included), then whether it could be reset."""
    return rss_mb(), reset_peak_rss()


def document_peak(before: tuple[float, bool]) -> dict:
    """The peak before the reset (``before``, from :func:`signed_in_peak`; ``main`` keeps it in
    ``peak_rss_mb``: the kernel's ``ru_maxrss`` restarts with the reset too) and, when the peak was reset,
    ``document_peak_rss_mb``: the peak since then."""
    peak_before, was_reset = before
    peak = peak_rss_since_reset_mb() if was_reset else None
    return {"signed_in_rss_mb": peak_before, **({"document_peak_rss_mb": peak} if peak is not None else {})}


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
    before = signed_in_peak()
    # The first PDF of a process also loads the Japanese font; a server pays that once.
    cold, _size = timed(lambda: fetch(client, f"/reports/vendors/{first}.pdf"))
    seconds, size = timed(lambda: fetch(client, f"/reports/vendors/{second}.pdf"))
    return {"seconds": seconds, "cold_seconds": cold, "bytes": size, **document_peak(before)}


def register_pdf(app) -> dict:
    client = signed_in_client(app)
    before = signed_in_peak()
    seconds, size = timed(lambda: fetch(client, "/reports/register.pdf"))
    return {"seconds": seconds, "bytes": size, **document_peak(before)}


def import_workbook(rows: int, taken: set[str]) -> bytes:
    """A vendor register of ``rows`` rows as people fill the template in (openpyxl, write-only)."""
    import io

    from openpyxl import Workbook

    from oversight.imports.vendors import COLUMNS
    from oversight.vendors.corporate_number import with_check_digit

    book = Workbook(write_only=True)
    sheet = book.create_sheet("委託先")
    sheet.append([column.header for column in COLUMNS])
    serial = 0
    for n in range(rows):
        number = with_check_digit(f"{900_000_000_000 + serial:012d}")
        while number in taken:
            serial += 1
            number = with_check_digit(f"{900_000_000_000 + serial:012d}")
        serial += 1
        sheet.append(
            [
                f"株式会社取込テスト{n:05d}",
                "トリコミテスト",
                number,
                f"東京都千代田区丸の内{n % 9 + 1}-{n % 50 + 1}-{n % 30 + 1}",
                "山田 太郎",
                "給与計算、源泉徴収票の作成",
                "従業員の個人番号、氏名",
                100 + n % 5000,
                "国内",
                "",
                ("自社拠点", "クラウド", "自社拠点とクラウド")[n % 3],
                ("高", "中", "低")[n % 3],
                "はい",
                "給与計算で個人番号を取り扱うため",
                BENCH_EMAIL,
                "",
                f"窓口 {n:05d}",
                "業務管理部",
                f"contact{n}@example.co.jp",
                "03-1234-5678",
                f"{10800000 + n}",
                "令和8年3月31日",
                f"IS {500000 + n}",
                "JQA",
                "2026/9/30",
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def import_vendors(app) -> dict:
    """Upload, preview, import and preview again a ``IMPORT_ROWS``-row vendor workbook; each timed."""
    import io

    from werkzeug.datastructures import FileStorage

    from oversight.auth.models import User
    from oversight.imports import services
    from oversight.vendors.models import Vendor

    with app.app_context():
        taken = set(db.session.scalars(db.select(Vendor.corporate_number).where(Vendor.corporate_number.isnot(None))))
        db.session.remove()
    data = import_workbook(IMPORT_ROWS, taken)
    written_rss = rss_mb()

    cpu: dict[str, float] = {}

    def in_request(action, label: str):
        with app.test_request_context():
            started, cpu_started = time.perf_counter(), time.process_time()
            try:
                return action(), time.perf_counter() - started
            finally:
                cpu[label] = time.process_time() - cpu_started
                db.session.remove()

    (sha256, filename), upload_s = in_request(
        lambda: services.store_upload(FileStorage(io.BytesIO(data), filename="委託先台帳.xlsx")), "upload"
    )
    preview, preview_s = in_request(lambda: services.preview("vendors", sha256, filename).totals, "preview")

    def confirm():
        actor = db.session.scalar(db.select(User).where(User.email == BENCH_EMAIL))
        result = services.preview("vendors", sha256, filename)
        totals = services.run_import(result, actor=actor)
        db.session.commit()
        return totals

    imported, import_s = in_request(confirm, "import")
    again, again_s = in_request(lambda: services.preview("vendors", sha256, filename).totals, "repreview")
    return {
        "rows": IMPORT_ROWS,
        "bytes": len(data),
        "upload_s": upload_s,
        "seconds": preview_s,
        "preview_s": preview_s,
        "import_s": import_s,
        "repreview_s": again_s,
        "preview_totals": preview,
        "import_totals": imported,
        "repreview_totals": again,
        "file_written_rss_mb": written_rss,
        "cpu_s": cpu,  # CPU time of each step: the wall-clock figures depend on what else the 2 cores run
    }


def run(app, job: str) -> dict:
    """Run ``job`` as production runs it: the daily job reads the whole group, as the scheduler's jobs do
    (``oversight/scheduler.py``); the direct service calls and lookups here are this process's own reads of
    the whole group (the bench user is a group-wide user); requests through the test client take their
    scope from their signed-in user, as in a server."""
    if job not in JOBS:
        raise SystemExit(f"unknown job {job!r}; one of {', '.join(JOBS)}")
    with unit_scope.whole_group():
        if job == "sweep":
            with app.app_context():
                return sweep()
        # Each request in its own application context, as in a server (not inside one held here).
        jobs = {"vendor_pdf": vendor_pdf, "register_pdf": register_pdf, "import_vendors": import_vendors}
        return jobs[job](app)


def main(job: str) -> dict:
    if job not in JOBS:
        raise SystemExit(f"unknown job {job!r}; one of {', '.join(JOBS)}")
    app = create_app()
    with app.app_context():
        db.session.execute(db.text("SELECT 1"))  # connected before the baseline is taken
        db.session.remove()
    baseline = rss_mb()
    result = run(app, job)
    # The whole process's peak, the sign-in's included (a PDF job resets the kernel's figure once signed in).
    peak = max(rss_mb(), result.get("signed_in_rss_mb", 0.0))
    return {**result, "available": True, "peak_rss_mb": peak, "baseline_rss_mb": baseline}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))

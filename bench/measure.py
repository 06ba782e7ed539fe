"""One timed job in its own process, for ``bench/run.py``: prints ``{"seconds": …, "peak_rss_mb": …}``.

``python -m bench.measure sweep|vendor_pdf|register_pdf`` with ``DATABASE_URL`` pointing at the
generated database. The peak RSS (``resource.getrusage``) is of this whole process, so it includes the
app's own baseline, which is printed as ``baseline_rss_mb``.
"""

from __future__ import annotations

import importlib.util
import json
import resource
import sys
import time

from oversight import create_app
from oversight.core.timeutil import local_today, utcnow
from oversight.extensions import db

JOBS = ("sweep", "vendor_pdf", "register_pdf", "dashboard_figures")


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reports_available() -> bool:
    """The register and vendor-file PDFs are another feature's work: only measured when present."""
    return all(importlib.util.find_spec(name) for name in ("oversight.reports.services", "oversight.pdf.render"))


def sweep() -> None:
    from oversight.reminders import services

    services.send_due_reminders(local_today(), utcnow())
    db.session.commit()


def vendor_pdf(position: int = 0) -> int:
    from oversight.pdf.render import render_pdf
    from oversight.reports import data, services
    from oversight.vendors.models import Vendor

    active = db.select(Vendor.id).where(Vendor.status == "active").order_by(Vendor.id)
    vendor_id = db.session.scalar(active.offset(position).limit(1))
    document, _file = services.vendor_file(data.load_vendor(vendor_id), local_today())
    return len(render_pdf(document))


def register_pdf() -> int:
    from oversight.pdf.render import render_pdf
    from oversight.reports import services

    return len(render_pdf(services.register_document({})))


def dashboard_figures() -> int:
    """What the dashboard recomputes after a change (then keeps in the cache): for the all-roles bench user."""
    from flask import current_app

    from oversight.auth.models import User
    from oversight.dashboard import coverage, services

    today = local_today()
    user = db.session.scalar(db.select(User).where(User.email == "bench@example.com"))
    with current_app.test_request_context():
        coverage.coverage(today)
        services.attention_summary(today)
        return services.work_summary(user, today).total


def main(job: str) -> dict:
    if job in ("vendor_pdf", "register_pdf") and not reports_available():
        return {"available": False}
    app = create_app()
    with app.app_context():
        baseline = rss_mb()
        started = time.perf_counter()
        jobs = {"sweep": sweep, "vendor_pdf": vendor_pdf, "register_pdf": register_pdf}
        size = {**jobs, "dashboard_figures": dashboard_figures}[job]()
        seconds = time.perf_counter() - started
        extra = {}
        if job == "sweep":
            # The next day's sweep finds the same open items already logged: the steady state.
            started = time.perf_counter()
            sweep()
            extra = {"repeat_seconds": time.perf_counter() - started}
        if job == "vendor_pdf":
            # The first PDF of a process also loads the Japanese font; a server pays that once.
            started = time.perf_counter()
            vendor_pdf(position=1)
            extra = {"cold_seconds": seconds}
            seconds = time.perf_counter() - started
    return {
        **extra,
        "available": True,
        "seconds": seconds,
        "peak_rss_mb": rss_mb(),
        "baseline_rss_mb": baseline,
        "bytes": size,
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))

"""Benchmark hooks, active only when ``OVERSIGHT_BENCH=1`` (``make bench``; never in production).

``init_bench(app)`` counts the SQL statements each request runs and reports them in an
``X-Query-Count`` response header (and the serving process in ``X-Bench-Worker``), and adds
``/_bench/floor``: a public page that renders a trivial template, the throughput floor the other
pages are compared with, ``/_bench/layout``: the application layout with no content, to tell the
layout's share of a page from the page's own, and ``/_bench/gc``: this worker's full (generation 2)
garbage collections since the last ``?reset=1`` (how many, the longest pause in wall-clock and CPU time,
the total), to tell a
latency tail caused by the collector.
"""

from __future__ import annotations

import gc
import os
import threading
import time

from flask import Blueprint, Flask, Response, g, has_app_context, jsonify, render_template, request
from sqlalchemy import event

from oversight.auth.decorators import public
from oversight.extensions import db

ENV_FLAG = "OVERSIGHT_BENCH"
QUERY_COUNT_HEADER = "X-Query-Count"
WORKER_HEADER = "X-Bench-Worker"  # the serving process, so the benchmark can warm every worker

bp = Blueprint("bench", __name__, url_prefix="/_bench")


@bp.route("/floor")
@public
def floor():
    """A page with nothing in it: the cost of the framework and the session (the throughput floor)."""
    return render_template("bench/floor.html")


@bp.route("/layout")
@public
def layout():
    """The application layout (navigation, header, footer) with no content: what every page pays for it."""
    return render_template("bench/layout.html")


class FullCollections:
    """The pauses of this process's full garbage collections (``gc.callbacks``), since the last reset."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.started: tuple[float, float] | None = None
        self.pauses: list[tuple[float, float]] = []  # (wall-clock, CPU) seconds of each

    def __call__(self, phase: str, info: dict) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            self.started = (time.perf_counter(), time.thread_time())
        elif self.started is not None:
            wall, cpu = self.started
            with self.lock:
                self.pauses.append((time.perf_counter() - wall, time.thread_time() - cpu))
            self.started = None

    def report(self, reset: bool) -> dict:
        with self.lock:
            pauses = list(self.pauses)
            if reset:
                self.pauses.clear()
        return {
            "worker": os.getpid(),
            "full_collections": len(pauses),
            "longest_ms": max((wall for wall, _cpu in pauses), default=0.0) * 1000,
            # The collector's own work; the wall-clock pause also holds the time the process waited for a
            # core, which on a busy machine can be most of it.
            "longest_cpu_ms": max((cpu for _wall, cpu in pauses), default=0.0) * 1000,
            "total_ms": sum(wall for wall, _cpu in pauses) * 1000,
        }


FULL_COLLECTIONS = FullCollections()


@bp.route("/gc")
@public
def collections():
    """This worker's full garbage collections since the last ``?reset=1`` (which starts counting anew)."""
    return jsonify(FULL_COLLECTIONS.report(reset=request.args.get("reset") == "1"))


def is_enabled() -> bool:
    return os.environ.get(ENV_FLAG, "").strip() in {"1", "true", "yes", "on"}


def init_bench(app: Flask) -> None:
    """Register the query counter and the floor page when ``OVERSIGHT_BENCH=1``; otherwise do nothing."""
    if not is_enabled():
        return
    app.register_blueprint(bp)
    if FULL_COLLECTIONS not in gc.callbacks:
        gc.callbacks.append(FULL_COLLECTIONS)
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", _count_query)
    app.after_request(_report_count)


def _count_query(*_args) -> None:
    # ``g`` belongs to the request's application context, so each request starts from zero.
    if has_app_context():
        g.bench_query_count = g.get("bench_query_count", 0) + 1


def _report_count(response: Response) -> Response:
    response.headers[QUERY_COUNT_HEADER] = str(g.get("bench_query_count", 0))
    response.headers[WORKER_HEADER] = str(os.getpid())
    return response

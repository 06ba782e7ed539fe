"""Benchmark hooks, active only when ``OVERSIGHT_BENCH=1`` (``make bench``; never in production).

``init_bench(app)`` counts the SQL statements each request runs and reports them in an
``X-Query-Count`` response header (and the serving process in ``X-Bench-Worker``), and adds
``/_bench/floor``: a public page that renders a trivial template, the throughput floor the other
pages are compared with, and ``/_bench/layout``: the application layout with no content, to tell the
layout's share of a page from the page's own.
"""

from __future__ import annotations

import os

from flask import Blueprint, Flask, Response, g, has_app_context, render_template
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


def is_enabled() -> bool:
    return os.environ.get(ENV_FLAG, "").strip() in {"1", "true", "yes", "on"}


def init_bench(app: Flask) -> None:
    """Register the query counter and the floor page when ``OVERSIGHT_BENCH=1``; otherwise do nothing."""
    if not is_enabled():
        return
    app.register_blueprint(bp)
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

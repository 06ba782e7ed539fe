"""CPU per page in-process: the app's own cost of each page, without sockets, gunicorn or the client.

``python -m bench.inprocess --database-url URL`` signs the generated all-roles user in through the sign-in
form (production settings, CSRF on) with Flask's test client and requests each page of
``bench.run.main_pages`` (plus ``--path NAME=/url``) ``--repeat`` times after ``--warm`` requests, one page
after another. Per page it prints the median CPU time of the process (``time.process_time``), the median
wall-clock time and, of the median request, the phases: before the view (the ``before_request`` hooks:
session, user, scope), the view until it starts rendering (SQL and ORM), ``render_template`` and after it
(the ``after_request`` hooks, the session cookie), plus the time spent in the database driver
(``before/after_cursor_execute``, whichever phase ran it) and the statements run.

``--profile NAME`` writes a cProfile of ``--repeat`` requests of that page to ``--out``; ``--html DIR``
writes each page's HTML (CSRF token replaced) for comparing two versions of the code on the same data.
Run it from the checkout whose code is measured (``cd other-checkout && python -m bench.inprocess …``).
Nothing here runs in the app outside this script.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

DEFAULT_PAGES = (
    "floor",
    "layout only",
    "dashboard",
    "vendor list",
    "vendor list (all)",
    "vendor detail",
    "evaluation list",
    "contract list",
    "contract detail",
    "disposal list",
    "audit schedule",
    "findings",
    "incident list",
    "calendar",
    "due",
    "work",
)
CSRF = re.compile(r'(name="csrf_token" (?:type="hidden" )?value=")[^"]*(")')


class Phases:
    """Timestamps of one request's phases, set by Flask's signals and hooks, and the driver's time."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.marks: dict[str, float] = {}
        self.sql = 0.0
        self.statements = 0
        self._cursor = 0.0

    def mark(self, name: str) -> None:
        self.marks.setdefault(name, time.perf_counter())

    def before_cursor(self, *_args) -> None:
        self._cursor = time.perf_counter()

    def after_cursor(self, *_args) -> None:
        self.sql += time.perf_counter() - self._cursor
        self.statements += 1

    def split(self, started: float, ended: float) -> dict[str, float]:
        view = self.marks.get("view", ended)
        render = self.marks.get("render", ended)
        rendered = self.marks.get("rendered", render)
        return {
            "hooks_ms": (view - started) * 1000,
            "view_ms": (render - view) * 1000,
            "render_ms": (rendered - render) * 1000,
            "after_ms": (ended - rendered) * 1000,
            "sql_ms": self.sql * 1000,
            "statements": self.statements,
        }


def build(database_url: str):
    os.environ.update(
        DATABASE_URL=database_url,
        SECRET_KEY="bench-" + "x" * 40,
        OVERSIGHT_ENV="production",
        OVERSIGHT_BENCH="1",
        SCHEDULER_ENABLED="0",
        BASE_URL="http://localhost",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT="2",
    )
    from flask import before_render_template, template_rendered
    from sqlalchemy import event, text

    from oversight import create_app
    from oversight.bench import init_bench
    from oversight.extensions import db

    app = create_app()
    init_bench(app)
    phases = Phases()
    # Last of the before_request hooks: the view comes next.
    app.before_request_funcs.setdefault(None, []).append(lambda: phases.mark("view"))
    before_render_template.connect(lambda *_a, **_k: phases.mark("render"), app, weak=False)
    template_rendered.connect(lambda *_a, **_k: phases.marks.__setitem__("rendered", time.perf_counter()), app,
                              weak=False)
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", phases.before_cursor)
        event.listen(db.engine, "after_cursor_execute", phases.after_cursor)

        def one(sql: str):
            return db.session.execute(text(sql)).scalar()

        from oversight.units import scope

        token = scope.set_scope(scope.GROUP)
        from bench.run import main_pages

        pages = main_pages(one)
        scope.reset_scope(token)
        db.session.remove()
    return app, phases, pages


def sign_in(client, email: str, password: str) -> None:
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    data = {"email": email, "password": password}
    if token:
        data["csrf_token"] = token.group(1)
    response = client.post("/auth/login", data=data)
    if response.status_code != 302:
        raise SystemExit(f"sign-in failed: {response.status_code}")


def measure(client, phases: Phases, path: str, repeat: int, warm: int) -> dict:
    for _ in range(warm):
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code}")
    runs = []
    for _ in range(repeat):
        phases.reset()
        cpu, started = time.process_time(), time.perf_counter()
        response = client.get(path)
        ended = time.perf_counter()
        runs.append((time.process_time() - cpu, ended - started, phases.split(started, ended)))
        response.close()
    ordered = sorted(runs, key=lambda run: run[0])
    median = ordered[len(ordered) // 2]
    return {
        "path": path,
        "cpu_ms": statistics.median(run[0] for run in runs) * 1000,
        "wall_ms": statistics.median(run[1] for run in runs) * 1000,
        **median[2],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--email", default="bench@example.com")
    parser.add_argument("--password", default="oversight-demo-2026")
    parser.add_argument("--pages", default=",".join(DEFAULT_PAGES), help="Names from bench.run.main_pages.")
    parser.add_argument("--path", action="append", default=[], help="NAME=/url, measured too.")
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--warm", type=int, default=2)
    parser.add_argument("--profile", help="A page name: write a cProfile of it to --out.")
    parser.add_argument("--out", default="inprocess.prof")
    parser.add_argument("--html", help="Write each page's HTML (CSRF token replaced) to this folder.")
    parser.add_argument("--json", help="Write the figures to this file.")
    parser.add_argument("--language", choices=("ja", "en"), help="Switch the user's language first.")
    args = parser.parse_args()
    app, phases, found = build(args.database_url)
    pages = {name: found[name] for name in args.pages.split(",") if name}
    pages.update(dict(item.split("=", 1) for item in args.path))
    client = app.test_client()
    sign_in(client, args.email, args.password)
    if args.language:
        with app.app_context():
            from oversight.auth.models import User
            from oversight.extensions import db
            from oversight.units import scope

            token = scope.set_scope(scope.GROUP)
            user = db.session.scalars(db.select(User).filter_by(email=args.email)).one()
            user.language = args.language
            db.session.commit()
            scope.reset_scope(token)
    if args.profile:
        path = pages[args.profile]
        for _ in range(args.warm):
            client.get(path)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.repeat):
            client.get(path)
        profiler.disable()
        profiler.dump_stats(args.out)
        print(f"wrote {args.out}")
        return
    if args.html:
        folder = Path(args.html)
        folder.mkdir(parents=True, exist_ok=True)
        for name, path in pages.items():
            body = client.get(path).get_data(as_text=True)
            (folder / (name.replace(" ", "_").replace("(", "").replace(")", "") + ".html")).write_text(
                CSRF.sub(r"\1CSRF\2", body)
            )
    results = {name: measure(client, phases, path, args.repeat, args.warm) for name, path in pages.items()}
    print(f"load average {os.getloadavg()[0]:.2f}", file=sys.stderr)
    print(f"{'page':22} {'cpu':>7} {'wall':>7} {'hooks':>6} {'view':>6} {'render':>6} {'after':>6} {'sql':>6} {'q':>3}")
    for name, page in results.items():
        print(
            f"{name:22} {page['cpu_ms']:7.1f} {page['wall_ms']:7.1f} {page['hooks_ms']:6.1f} {page['view_ms']:6.1f} "
            f"{page['render_ms']:6.1f} {page['after_ms']:6.1f} {page['sql_ms']:6.1f} {page['statements']:3d}"
        )
    if args.json:
        Path(args.json).write_text(json.dumps({"load": os.getloadavg(), "pages": results}, indent=1))


if __name__ == "__main__":
    main()

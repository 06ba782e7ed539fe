"""The reminder sweep as it really runs: the first sweep's backlog, then the next days', mailed to SMTP.

``measure_next_day_sweep(app, smtp_port)`` runs, on the app's (generated) database: the first sweep
for today (the backlog: every item already due), then the sweeps of today + 1 and today + 2, each
with the new due items its day brings, delivering every digest to the SMTP server on
127.0.0.1:``smtp_port``. Each sweep is timed whole (rules, recording, rendering and delivery) and
its reminders and digests counted. ``bench/run.py`` calls it; run alone::

    python -m bench.sweep --vendors 5000 --engine sqlite      # or postgresql, or both (default)
    python -m bench.sweep --vendors 500 --profile sweep.prof  # cProfile of the today + 1 sweep

Alone, it generates the data (as ``flask demo generate --seed 1`` does) into a throw-away SQLite file
or PostgreSQL database (``oversight_sweep_<pid>``, dropped afterwards) and starts an aiosmtpd server
(the Sink handler, in its own process like a real mail server) on a free port. Only 127.0.0.1 is
contacted. Prints JSON.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

from oversight.units import scope as unit_scope

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
MAIL_SETTINGS = ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USE_SSL", "MAIL_USERNAME", "MAIL_PASSWORD")
TARGET_SECONDS = 3.0


def measure_next_day_sweep(app, smtp_port: int, days: int = 2, profile: str | None = None) -> dict:
    """Time the first sweep (today) and the next ``days`` days' sweeps, delivering to 127.0.0.1:``smtp_port``.

    The app's database holds the generated data (the sweeps write to it: measure on a fresh copy).
    Returns ``{"sweeps": [{"label", "today", "seconds", "cpu_seconds", "new_rows", "reminders", "digests",
    "sent", "failed"}, …], "next_day_seconds": …}``; ``profile`` names a file for the cProfile of today + 1.
    """
    from oversight.core.timeutil import local_today, utcnow
    from oversight.extensions import db
    from oversight.reminders import services
    from oversight.reminders.models import ReminderLog

    saved = {key: app.config[key] for key in MAIL_SETTINGS}
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_port,
        MAIL_USE_TLS=False,
        MAIL_USE_SSL=False,
        MAIL_USERNAME="",
        MAIL_PASSWORD="",
    )
    sweeps = []
    try:
        # The scheduler's job reads the whole group (``oversight/scheduler.py``); so does this measurement.
        with app.app_context(), unit_scope.whole_group():
            first_day, first_now = local_today(), utcnow()
            for offset in range(days + 1):
                today, now = first_day + timedelta(days=offset), first_now + timedelta(days=offset)
                profiler = cProfile.Profile() if profile and offset == 1 else None
                started, cpu_started = time.perf_counter(), time.process_time()
                with profiler or nullcontext():
                    result = services.send_due_reminders(today, now)
                seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
                if profiler:
                    profiler.dump_stats(profile)
                statuses = Counter(digest.status for digest in result.digests)
                sweeps.append(
                    {
                        "label": "first sweep (backlog)" if offset == 0 else f"today + {offset}",
                        "today": today.isoformat(),
                        "seconds": round(seconds, 3),
                        # This process only (not the database server's or the SMTP server's): steadier than
                        # the wall time on a machine shared with other work.
                        "cpu_seconds": round(cpu_seconds, 3),
                        "new_rows": result.new_rows,
                        "reminders": result.reminder_count,
                        "digests": len(result.digests),
                        "sent": statuses["sent"],
                        "failed": statuses["failed"],
                        "rule_errors": result.rule_errors,
                    }
                )
            unsent = db.session.scalar(
                select(func.count(ReminderLog.id)).where(ReminderLog.status.in_(("pending", "failed")))
            )
            db.session.rollback()
    finally:
        app.config.update(saved)
    next_days = [sweep["seconds"] for sweep in sweeps[1:]]
    return {
        "sweeps": sweeps,
        "next_day_seconds": max(next_days) if next_days else None,
        "unsent_after": unsent,
        "target_seconds": TARGET_SECONDS,
    }


# -- standalone --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def smtp_server() -> Iterator[int]:
    """An aiosmtpd server accepting and dropping every message, in its own process; yields its port."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-u", "-c", "aiosmtpd.handlers.Sink", "-l", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the aiosmtpd server did not start") from None
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def _admin(statement: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(statement))
    admin.dispose()


@contextmanager
def generated_database(
    engine: str, vendors: int, folder: Path, keep: str | None, units: int = 1, shared: float = 0.0
) -> Iterator[str]:
    """A database URL holding the generated data; dropped afterwards.

    ``keep`` names a cache (a SQLite file / a PostgreSQL database) of the generated data: made on the
    first run, copied for each later one (generating 5,000 vendors takes a while).
    """
    name = f"oversight_sweep_{os.getpid()}"
    pg_base = PG_ADMIN_URL.rsplit("/", 1)[0]
    if engine == "sqlite":
        path = folder / f"{name}.db"
        cache = Path(keep) if keep else None
        if cache and cache.exists():
            _copy_sqlite(cache, path)
        else:
            _generate(f"sqlite:///{path}", vendors, units, shared)
            if cache:  # written aside, then renamed: a run killed while copying leaves no half cache
                partial = cache.with_name(cache.name + ".partial")
                partial.unlink(missing_ok=True)
                _copy_sqlite(path, partial)
                partial.replace(cache)
        yield f"sqlite:///{path}"
        return
    if keep and _pg_exists(keep):
        _admin(f'CREATE DATABASE "{name}" TEMPLATE "{keep}"')
    else:
        _admin(f'CREATE DATABASE "{name}"')
        _generate(f"{pg_base}/{name}", vendors, units, shared)
        if keep:
            _admin(f'CREATE DATABASE "{keep}" TEMPLATE "{name}"')
    try:
        yield f"{pg_base}/{name}"
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _copy_sqlite(source: Path, target: Path) -> None:
    """A copy of SQLite database ``source`` (with what its write-ahead log holds) as ``target``."""
    with sqlite3.connect(source) as reading, sqlite3.connect(target) as writing:
        reading.backup(writing)
    reading.close()
    writing.close()


def _pg_exists(name: str) -> bool:
    admin = create_engine(PG_ADMIN_URL)
    with admin.connect() as connection:
        found = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}).first()
    admin.dispose()
    return found is not None


def _generate(url: str, vendors: int, units: int = 1, shared: float = 0.0) -> None:
    """Schema and data as ``flask demo generate --vendors N --seed 1 [--units K --shared S]`` makes them, in a
    subprocess."""
    script = (
        "from oversight import create_app\nfrom oversight.extensions import db\n"
        "from oversight.core.timeutil import local_today\n"
        "from oversight.demo.generate import generate, refresh_statistics\n"
        "from oversight.units import scope\n"
        "app = create_app()\nwith app.app_context(), scope.whole_group():  # as the CLI's ``demo generate``\n"
        f"    db.create_all()\n    generate({vendors}, 1, local_today(), {units}, {shared})\n    db.session.commit()\n"
        "    refresh_statistics()\n"
    )
    subprocess.run([sys.executable, "-c", script], env=_env(url), cwd=ROOT, check=True)


def _env(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-" + "x" * 40,
        "OVERSIGHT_ENV": "production",
        "SCHEDULER_ENABLED": "0",
        "BASE_URL": "http://127.0.0.1:5000",
        "MAIL_SERVER": "",
    }


def run(
    engine: str, vendors: int, days: int, profile: str | None, keep: str | None, units: int = 1, shared: float = 0.0
) -> dict:
    with (
        tempfile.TemporaryDirectory() as folder,
        generated_database(engine, vendors, Path(folder), keep, units, shared) as url,
    ):
        os.environ.update(_env(url))
        os.environ["UPLOAD_FOLDER"] = str(Path(folder) / "uploads")
        from oversight import create_app
        from oversight.extensions import db

        app = create_app()
        with smtp_server() as port:
            result = measure_next_day_sweep(app, port, days=days, profile=profile)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        return {"engine": engine, "vendors": vendors, "units": units, **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vendors", type=int, default=5000)
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--days", type=int, default=2, help="next days to sweep after the first (default 2)")
    parser.add_argument("--profile", help="write the cProfile of the today + 1 sweep to this file")
    parser.add_argument(
        "--keep",
        help="cache of the generated data: a SQLite file path or a PostgreSQL db name (reuse it only with the same "
        "--vendors, --units and --shared)",
    )
    parser.add_argument(
        "--units", type=int, default=1, help="business units the vendors are spread over (as make bench UNITS=K)"
    )
    parser.add_argument("--shared", type=float, default=0.1, help="with --units: share of vendors in two units")
    args = parser.parse_args()
    engines = ("sqlite", "postgresql") if args.engine == "both" else (args.engine,)
    for engine in engines:
        profile = args.profile and (args.profile if len(engines) == 1 else f"{engine}-{args.profile}")
        keep = args.keep if len(engines) == 1 else None
        shared = args.shared if args.units > 1 else 0.0
        print(json.dumps(run(engine, args.vendors, args.days, profile, keep, args.units, shared)))


if __name__ == "__main__":
    main()

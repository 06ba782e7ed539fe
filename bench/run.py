"""``make bench``: generate data at two sizes on each engine, serve it with gunicorn and measure what users meet.

For each engine (a SQLite file in a temporary folder; PostgreSQL when 127.0.0.1:5432 answers, in a
throw-away database ``oversight_bench_<pid>_<size>``) and each size (N and N/10 vendors):

1. create the schema and run ``flask demo generate``;
2. **pages rendered afresh**: start gunicorn (2 workers, 127.0.0.1, a free port) with
   ``OVERSIGHT_BENCH=1`` (every response carries ``X-Query-Count``; the app keeps no cache), sign
   in as the generated all-roles user and request every page of the main navigation from 2 client
   threads, in rounds over all pages (percentiles of every request, the median round's throughput, the
   ratio to the bare route ``/_bench/floor`` of the same run). Nothing is kept between requests but
   what every worker of a real deployment keeps for every user (``KEPT``);
3. at N only, the **mixed workload** (``bench/mixed.py``): 30 signed-in users on 2 workers, one write
   in ten, for ``--mixed-seconds`` with the cache server (``CACHE_TYPE=RedisCache`` at ``--redis-url``,
   keys under a prefix of this run, removed afterwards) and as long with it stopped
   (``CACHE_REDIS_URL`` pointing at a closed port), each in two halves taken in turn (A B A B);
4. the **daily job** in a subprocess (``bench/measure.py``): the first sweep and the next day's sweep,
   digests delivered to a local SMTP server (aiosmtpd, started here), and the two PDFs (time and peak
   RSS); with ``--pdf-vendors M``, the register PDF again on a separate data set of M vendors;
5. at N only, the **bulk import** of a 10,000-row vendor workbook (``bench/measure.py import_vendors``):
   upload check, preview, import, and the same file again (time and peak RSS; issue #20's targets).

Prints the tables and a closing "Targets" section (MET / MISSED for each target of issue #16) and writes
JSON to bench-results/. Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import create_engine, text

from bench import report
from bench.client import Client
from bench.mixed import USERS, Outcome, Pools, run_mixed, summarise_mixed, warm_paths
from bench.stats import percentile

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
BENCH_EMAIL = "bench@example.com"
UNIT_MANAGER_EMAIL = "unit.manager@bench.example.com"  # oversight.demo.generate's, with --units K > 1
GUNICORN_WORKERS = 2
# What is kept between requests in the "rendered afresh" rows: what every worker process of a real
# deployment keeps for every user, and nothing that holds rendered pages or computed figures.
KEPT = (
    "kept between requests: each worker's compiled templates, loaded translations, open database "
    "connections (SQLAlchemy's pool) and in-process tables of constant data (e.g. the holiday calendar); "
    "the database's own buffer cache. Not kept: no page, fragment or figure (the app has no cache since issue #16)."
)


def main_pages(one: Callable[[str], int | None], unit_id: int | None = None) -> dict[str, str]:
    """Every page of the main navigation a user opens, with typical records' ids from the generated data.

    ``one(sql)`` answers a scalar query (tests pass their session's). The two ``/_bench`` pages come
    first: the bare route (the throughput floor) and the layout alone. With ``unit_id``, the pages a member
    of that unit opens (``member_pages``): the records are the unit's, the vendor one it shares with another
    unit when there is one.
    """

    def first(*queries: str) -> int | None:
        for sql in queries:
            found = one(sql)
            if found is not None:
                return found
        return None

    if unit_id is None:
        vendors = contracts = audits = "1 = 1"
        shared = "SELECT id FROM vendors WHERE 1 = 0"
    else:
        vendors = f"vendor_id IN (SELECT vendor_id FROM vendor_units WHERE unit_id = {int(unit_id)})"
        contracts = f"contract_id IN (SELECT id FROM contracts WHERE unit_id = {int(unit_id)})"
        audits = f"audit_id IN (SELECT id FROM audits WHERE unit_id = {int(unit_id)})"
        shared = (
            "SELECT v.id FROM vendors v WHERE v.status = 'active' AND v.id IN (SELECT vendor_id FROM vendor_units "
            f"WHERE unit_id = {int(unit_id)}) AND v.id IN (SELECT vendor_id FROM vendor_units GROUP BY vendor_id "
            "HAVING COUNT(*) > 1) ORDER BY v.id LIMIT 1"
        )
    own = vendors.replace("vendor_id IN", "id IN")
    unit = "1 = 1" if unit_id is None else f"unit_id = {int(unit_id)}"
    vendor = first(shared, f"SELECT id FROM vendors WHERE status = 'active' AND {own} ORDER BY id LIMIT 1")
    contract = first(
        f"SELECT id FROM contracts WHERE status = 'signed' AND {unit} ORDER BY id LIMIT 1",
        f"SELECT id FROM contracts WHERE {unit} ORDER BY id LIMIT 1",
    )
    review = first(
        f"SELECT contract_id FROM contract_reviews WHERE outcome IS NULL AND {contracts} ORDER BY id LIMIT 1",
        f"SELECT contract_id FROM contract_reviews WHERE {contracts} ORDER BY id LIMIT 1",
    )
    evaluation = first(f"SELECT id FROM evaluations WHERE {vendors} ORDER BY id LIMIT 1")
    audit = first(
        f"SELECT audit_id FROM audit_findings WHERE {audits} ORDER BY id LIMIT 1",
        f"SELECT id FROM audits WHERE {unit} ORDER BY id LIMIT 1",
    )
    finding = first(f"SELECT id FROM audit_findings WHERE {audits} ORDER BY id LIMIT 1")
    tree = first(
        f"SELECT contract_id FROM subcontracts WHERE level > 1 AND {contracts} ORDER BY id LIMIT 1",
        f"SELECT contract_id FROM subcontracts WHERE {contracts} ORDER BY id LIMIT 1",
    )
    disposal = first(f"SELECT id FROM disposal_items WHERE {contracts} ORDER BY id LIMIT 1")
    incident = first(f"SELECT id FROM incidents WHERE {unit} ORDER BY id LIMIT 1")
    pages = {
        "floor": "/_bench/floor",
        "layout only": "/_bench/layout",
        "dashboard": "/dashboard",
        "work": "/dashboard/work",
        "due": "/dashboard/due",
        "calendar": "/dashboard/calendar",
        "vendor list": "/vendors/?" + urlencode({"status": "active", "risk_tier": "high", "sort": "name"}),
        "vendor list (all)": "/vendors/",
        "vendor detail": f"/vendors/{vendor}",
        "evaluation list": "/evaluations/",
        "evaluation detail": f"/evaluations/{evaluation}",
        "contract list": "/contracts/",
        "contract worklist": "/contracts/worklist",
        "contract detail": f"/contracts/{contract}",
        "contract review": f"/contracts/{review}/review",
        "subcontract list": "/subcontracts/",
        "subcontract tree": f"/subcontracts/contracts/{tree}",
        "vendor subcontracts": f"/subcontracts/vendors/{vendor}",
        "disposal list": "/disposals/",
        "disposal detail": f"/disposals/{disposal}",
        "audit schedule": "/audits/",
        "audit records": "/audits/records",
        "audit detail": f"/audits/{audit}",
        "findings": "/audits/findings",
        "finding detail": f"/audits/findings/{finding}",
        "incident list": "/incidents/",
        "incident detail": f"/incidents/{incident}",
        "outbox": "/reminders/outbox",
        "activity log": "/activity/",
        "user list": "/admin/users",
    }
    if unit_id is not None:  # administrators are group-wide: their pages are no unit member's
        pages = {name: url for name, url in pages.items() if name not in ADMIN_PAGES and "/None" not in url}
    return pages


# The pages of ``main_pages`` that only administrators open (the outbox, the activity log, the users).
ADMIN_PAGES = ("outbox", "activity log", "user list")
# The pages measured again as a unit member (``--units``), named "member: <page>" in the table: the main
# pages of a manager of one unit, whose every read carries the unit's scope.
MEMBER_PAGES = (
    "dashboard",
    "work",
    "due",
    "vendor list",
    "vendor list (all)",
    "vendor detail",
    "contract list",
    "contract detail",
    "audit schedule",
    "incident list",
)
MEMBER_PREFIX = report.MEMBER_PREFIX


def member_pages(one: Callable[[str], int | None]) -> dict[str, str]:
    """The pages ``make bench UNITS=K`` measures signed in as the generated unit manager (``MEMBER_PAGES``,
    with the records of the manager's unit), named ``member: <page>``; empty without such a manager."""
    unit_id = one(
        "SELECT r.unit_id FROM user_roles r JOIN users u ON u.id = r.user_id "
        f"WHERE u.email = '{UNIT_MANAGER_EMAIL}' ORDER BY r.id LIMIT 1"
    )
    if unit_id is None:
        return {}
    pages = main_pages(one, unit_id)
    return {MEMBER_PREFIX + name: pages[name] for name in MEMBER_PAGES if name in pages}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


class Database:
    """A throw-away database for one run: a SQLite file or a PostgreSQL database dropped afterwards."""

    def __init__(self, engine: str, size: int, folder: Path) -> None:
        self.engine, self.name = engine, f"oversight_bench_{os.getpid()}_{size}"
        self.file = folder / (self.name + ".db")
        if engine == "sqlite":
            self.file.unlink(missing_ok=True)
            self.url = f"sqlite:///{self.file}"
        else:
            self.url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + self.name
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.name}"')

    def _admin(self, statement: str) -> None:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(statement))
        admin.dispose()

    def version(self) -> str:
        if self.engine == "sqlite":
            return f"SQLite {sqlite3.sqlite_version}"
        engine = create_engine(self.url)
        with engine.connect() as connection:
            version = connection.execute(text("SHOW server_version")).scalar()
        engine.dispose()
        return f"PostgreSQL {version}"

    def drop(self) -> None:
        if self.engine == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        else:
            for path in (self.file, *self.file.parent.glob(self.file.name + "-*")):  # with -wal, -shm, -journal
                path.unlink(missing_ok=True)


def run_env(database: Database, folder: Path, port: int, smtp_port: int, **cache: str) -> dict[str, str]:
    """The app's environment: production settings, the benchmark hooks, the local SMTP server, ``cache``."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database.url,
        SECRET_KEY="bench-" + "x" * 40,
        OVERSIGHT_ENV="production",
        OVERSIGHT_BENCH="1",
        SCHEDULER_ENABLED="0",
        UPLOAD_FOLDER=str(folder / "uploads"),
        BASE_URL=f"http://127.0.0.1:{port}",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp_port),
        MAIL_USE_TLS="0",
        MAIL_USE_SSL="0",
        MAIL_USERNAME="",
    )
    env.update(cache)
    return env


def prepare(database: Database, size: int, env: dict[str, str], units: tuple[str, ...] = ()) -> float:
    """Create the schema and generate ``size`` vendors (``units``: the generator's ``--units``/``--shared``
    options); returns the generation time."""
    schema = (
        "from oversight import create_app\nfrom oversight.extensions import db\n"
        "app = create_app()\nwith app.app_context(): db.create_all()"
    )
    subprocess.run([sys.executable, "-c", schema], env=env, cwd=ROOT, check=True)
    started = time.perf_counter()
    subprocess.run(
        [str(BIN / "flask"), "--app", "app", "demo", "generate", "--vendors", str(size), "--seed", "1",
         *units],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    # The bench signs every simulated user in as one generated all-roles user with a password. Production
    # asks admins and managers for a second factor (a one-time code per 30-second step, each usable once),
    # which 30 sessions of one user cannot share: the data set's setting names no such role. The pages
    # measured are the same; a sign-in here is the password step only.
    no_second_factor = (
        "from oversight import create_app\nfrom oversight.extensions import db\n"
        "from oversight.admin.models import Setting\n"
        "app = create_app()\nwith app.app_context():\n"
        "    db.session.add(Setting(key='auth.second_factor_roles', value=''))\n    db.session.commit()"
    )
    subprocess.run([sys.executable, "-c", no_second_factor], env=env, cwd=ROOT, check=True)
    return time.perf_counter() - started


def unit_options(args: argparse.Namespace) -> tuple[str, ...]:
    """``flask demo generate``'s options for ``--units K``: K units, a share of vendors in two of them."""
    if args.units <= 1:
        return ()
    return ("--units", str(args.units), "--shared", str(args.shared))


def scalar_reader(database: Database, read: Callable[[Callable[[str], object]], object]) -> object:
    engine = create_engine(database.url)
    try:
        with engine.connect() as connection:
            return read(lambda sql: connection.execute(text(sql)).scalar())
    finally:
        engine.dispose()


def pick_pools(database: Database) -> Pools:
    """The vendors the mixed workload's users open and edit, and the contracts waiting for legal review."""
    engine = create_engine(database.url)
    try:
        with engine.connect() as connection:
            vendors = list(
                connection.execute(text("SELECT id FROM vendors WHERE status = 'active' ORDER BY id")).scalars()
            )
            reviews = list(
                connection.execute(
                    text("SELECT DISTINCT contract_id FROM contract_reviews WHERE outcome IS NULL ORDER BY contract_id")
                ).scalars()
            )
    finally:
        engine.dispose()
    return Pools(vendors=vendors, reviews=reviews, email=BENCH_EMAIL)


class Server:
    """gunicorn (``GUNICORN_WORKERS`` sync workers) on 127.0.0.1:``port`` with ``env``; a context manager."""

    def __init__(self, port: int, env: dict[str, str]) -> None:
        self.port, self.env, self.process = port, env, None

    def __enter__(self) -> Server:
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                *("-w", str(GUNICORN_WORKERS), "-b", f"127.0.0.1:{self.port}", "--timeout", "300"),
                "bench.wsgi:app",
            ],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.wait_until_up()
        return self

    def __exit__(self, *_exc) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=60)

    def wait_until_up(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited")
            try:
                if Client(self.port).request("GET", "/_bench/floor")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError("gunicorn did not answer")


def warm_up(client: Client, paths: list[str], threads: int, workers: int = GUNICORN_WORKERS, most: int = 60) -> None:
    """Every page from every thread until each gunicorn worker has served it (``X-Bench-Worker``), so each
    worker has compiled its templates and opened its connections before anything is timed."""
    served: dict[str, set[str]] = {path: set() for path in paths}
    lock = threading.Lock()

    def run() -> None:
        for path in paths:
            for attempt in range(most):
                with lock:
                    if len(served[path]) >= workers and attempt >= 3:
                        break
                _status, headers, _body = client.request("GET", path)
                with lock:
                    served[path].add(headers.get("x-bench-worker", "?"))

    pool = [threading.Thread(target=run) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()


def full_collections(port: int, reset: bool, workers: int = GUNICORN_WORKERS, most: int = 200) -> dict[str, dict]:
    """Every worker's full garbage collections (``/_bench/gc``), asked until each worker has answered."""
    reports: dict[str, dict] = {}
    for _attempt in range(most):
        _status, _headers, body = Client(port).request("GET", "/_bench/gc" + ("?reset=1" if reset else ""))
        report = json.loads(body)
        reports.setdefault(str(report["worker"]), report)
        if len(reports) >= workers:
            break
    return reports


def measure_round(client: Client, path: str, requests: int, threads: int) -> dict:
    """``requests`` GETs of ``path`` from ``threads`` threads: every latency, throughput, statuses, queries."""
    latencies: list[float] = []
    queries: set[int] = set()
    statuses: set[int] = set()
    lock = threading.Lock()
    share = [requests // threads + (1 if index < requests % threads else 0) for index in range(threads)]

    def worker(count: int) -> None:
        for _ in range(count):
            started = time.perf_counter()
            status, answer, _body = client.request("GET", path)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses.add(status)
                queries.add(int(answer.get("x-query-count", -1)))

    started = time.perf_counter()
    workers = [threading.Thread(target=worker, args=(count,)) for count in share]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    wall = time.perf_counter() - started
    return {"latencies": latencies, "rps": len(latencies) / wall, "statuses": statuses, "queries": queries}


def summarise(path: str, rounds: list[dict]) -> dict:
    """One page's figures over its rounds: percentiles of every latency, the median round's throughput."""
    latencies = [latency for measured in rounds for latency in measured["latencies"]]
    queries = set().union(*(measured["queries"] for measured in rounds))
    return {
        "path": path,
        "requests": len(latencies),
        "statuses": sorted(set().union(*(measured["statuses"] for measured in rounds))),
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "rps": statistics.median(measured["rps"] for measured in rounds),
        "rps_rounds": [measured["rps"] for measured in rounds],
        "queries": max(queries),
        "queries_seen": sorted(queries),
    }


def measure_pages(
    client: Client, pages: dict[str, str], args: argparse.Namespace, floor: float | None = None
) -> dict[str, dict]:
    """Every page ``args.rounds`` times in turn, so that a passing disturbance of a shared machine spoils
    one round of every page rather than the whole figure of one page. The ratio to the bare route is to
    ``pages["floor"]`` of the same run, else to ``floor`` (requests per second) when given."""
    rounds: dict[str, list[dict]] = {name: [] for name in pages}
    for _round in range(args.rounds):
        for name, path in pages.items():
            rounds[name].append(measure_round(client, path, args.requests, args.threads))
    measured = {name: summarise(path, rounds[name]) for name, path in pages.items()}
    wrong = {name: sorted(page["statuses"]) for name, page in measured.items() if set(page["statuses"]) != {200}}
    if wrong:  # a redirect or an error page is not the page: its timing would be meaningless
        raise RuntimeError(f"pages not answered 200: {wrong}")
    floor = measured["floor"]["rps"] if "floor" in measured else floor
    for page in measured.values():
        page["floor_ratio"] = page["rps"] / floor if floor else None
    return measured


def measure_job(job: str, env: dict[str, str]) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "bench.measure", job], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        return {"available": False, "error": result.stderr.strip().splitlines()[-1:]}
    return json.loads(result.stdout.strip().splitlines()[-1])


class Mailbox:
    """A local SMTP server (aiosmtpd) on 127.0.0.1 that counts and drops what it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.port, self.messages, self.lock = free_port(), 0, threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=True)

    async def handle_DATA(self, _server, _session, _envelope) -> str:  # aiosmtpd's hook name
        with self.lock:
            self.messages += 1
        return "250 Message accepted"

    def __enter__(self) -> Mailbox:
        self.controller.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.controller.stop()

    def count(self) -> int:
        with self.lock:
            return self.messages


def redis_cleanup(url: str, prefix: str) -> None:
    """Remove this run's keys from the shared cache server (best effort)."""
    try:
        import redis

        connection = redis.Redis.from_url(url, socket_timeout=5)
        for key in connection.scan_iter(match=prefix + "*", count=1000):
            connection.delete(key)
    except Exception as error:  # a cache server that went away leaves nothing to clean
        print(f"(could not remove the cache keys {prefix}*: {error})", file=sys.stderr)


def mixed_runs(database: Database, folder: Path, args: argparse.Namespace, mailbox: Mailbox) -> dict:
    """The mixed workload with the cache server and with it stopped (a closed port), in halves taken in turn."""
    pools = pick_pools(database)
    if not pools.vendors:
        return {}
    prefix = f"oversight-bench-{os.getpid()}-{database.engine}:"
    variants = {
        "cache server": {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": args.redis_url, "CACHE_KEY_PREFIX": prefix},
        "cache server stopped": {
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
            "CACHE_KEY_PREFIX": prefix,
        },
    }
    outcomes = {label: Outcome() for label in variants}
    walls = dict.fromkeys(variants, 0.0)
    try:
        for half in range(2):
            for label, cache in variants.items():
                port = free_port()
                with Server(port, run_env(database, folder, port, mailbox.port, **cache)):
                    client = Client(port)
                    client.sign_in(BENCH_EMAIL)
                    warm_up(client, warm_paths(pools), args.threads)
                    warm_up(Client(port), ["/auth/login"], args.threads)  # the sign-in form, signed out
                    walls[label] += run_mixed(
                        port,
                        pools,
                        args.mixed_seconds / 2,
                        outcomes[label],
                        users=args.mixed_users,
                        think=args.think,
                        seed=half,
                    )
    finally:
        redis_cleanup(args.redis_url, prefix)
    results = {}
    for label, cache in variants.items():
        results[label] = summarise_mixed(outcomes[label], walls[label], args.mixed_users, args.think)
        results[label]["cache"] = {key: value for key, value in cache.items() if key != "CACHE_KEY_PREFIX"}
        results[label]["app_uses_cache"] = app_uses_cache()
    return results


def app_uses_cache() -> bool:
    """Whether the app still has a Flask-Caching cache, which the CACHE_* settings configure."""
    from oversight import extensions

    return hasattr(extensions, "cache")


def bench_one(engine: str, size: int, args: argparse.Namespace, folder: Path, mailbox: Mailbox) -> dict:
    database = Database(engine, size, folder)
    port = free_port()
    env = run_env(database, folder, port, mailbox.port)
    run = {
        "engine": engine,
        "engine_version": "",
        "vendors": size,
        "load_average": os.getloadavg(),
        "started_at": datetime.now(UTC).isoformat(),
    }
    try:
        run["generate_s"] = prepare(database, size, env, unit_options(args))
        run["engine_version"] = database.version()
        pages = scalar_reader(database, main_pages)
        with Server(port, env):
            client = Client(port)
            client.sign_in(BENCH_EMAIL)
            warm_up(client, list(pages.values()), args.threads)
            full_collections(port, reset=True)
            run["pages"] = measure_pages(client, pages, args)
            members = scalar_reader(database, member_pages) if args.units > 1 else {}
            if members:  # the same pages as a member of one unit: every read carries the unit's scope
                member = Client(port)
                member.sign_in(UNIT_MANAGER_EMAIL)
                warm_up(member, list(members.values()), args.threads)
                run["pages"].update(measure_pages(member, members, args, run["pages"]["floor"]["rps"]))
            run["gc"] = full_collections(port, reset=False)
        if size == args.vendors and args.mixed_seconds > 0:
            run["mixed"] = mixed_runs(database, folder, args, mailbox)
        received = mailbox.count()
        run["jobs"] = {job: measure_job(job, env) for job in ("sweep", "vendor_pdf", "register_pdf")}
        if size == args.vendors:
            run["jobs"]["import_vendors"] = measure_job("import_vendors", env)
        run["jobs"]["sweep"]["messages_received"] = mailbox.count() - received
        run["load_average_after"] = os.getloadavg()
    finally:
        database.drop()
    return run


def bench_register(engine: str, size: int, folder: Path, mailbox: Mailbox) -> dict:
    """The register PDF alone on a separate data set of ``size`` vendors (memory flat in N)."""
    database = Database(engine, size, folder)
    try:
        env = run_env(database, folder, 0, mailbox.port)
        generated = prepare(database, size, env)
        return {"engine": engine, "vendors": size, "generate_s": generated, **measure_job("register_pdf", env)}
    finally:
        database.drop()


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": os.getloadavg(),
        "gunicorn_workers": GUNICORN_WORKERS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendors", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=100, help="Requests per page and round.")
    parser.add_argument("--rounds", type=int, default=3, help="Rounds over all pages (median throughput).")
    parser.add_argument("--threads", type=int, default=2, help="Client threads of the page measurement.")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--mixed-seconds", type=float, default=60, help="Length of each mixed run (0: none).")
    parser.add_argument("--mixed-users", type=int, default=USERS, help="Simulated users of the mixed workload.")
    parser.add_argument("--think", type=float, default=1.0, help="Mean think time of a mixed-workload user (s).")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--pdf-vendors", type=int, default=0, help="Also the register PDF at this many vendors.")
    parser.add_argument(
        "--units", type=int, default=1,
        help="Business units the vendors are spread over; above 1 the main pages are measured as a unit member too.",
    )
    parser.add_argument("--shared", type=float, default=0.1, help="With --units: share of vendors in two units.")
    args = parser.parse_args()
    engines = [engine for engine in args.engines.split(",") if engine != "postgresql" or postgres_reachable()]
    host = machine()
    report.print_header(host, args, KEPT)
    runs, registers = [], []
    with tempfile.TemporaryDirectory(prefix="oversight-bench-") as tmp, Mailbox() as mailbox:
        for engine in engines:
            for size in (args.vendors, max(1, args.vendors // 10)):
                run = bench_one(engine, size, args, Path(tmp), mailbox)
                report.print_run(run)
                sys.stdout.flush()
                runs.append(run)
        if args.pdf_vendors:
            registers.append(bench_register(engines[0], args.pdf_vendors, Path(tmp), mailbox))
            report.print_register(registers[-1])
    notes = report.compare_queries(runs)
    print("\nQuery counts equal at both sizes." if not notes else "\nQuery counts differ:\n  " + "\n  ".join(notes))
    targets = report.targets(runs, registers, notes, args)
    report.print_targets(targets)
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    path = out / f"bench-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}-{args.vendors}.json"
    document = {
        "vendors": args.vendors,
        "machine": host,
        "kept": KEPT,
        "runs": runs,
        "register_at_scale": registers,
        "query_count_differences": notes,
        "targets": targets,
    }
    path.write_text(json.dumps(document, indent=2, default=str))
    print(f"Wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

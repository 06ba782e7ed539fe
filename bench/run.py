"""``make bench``: generate data at two sizes on each engine, serve it with gunicorn and measure the pages.

For each engine (a SQLite file in a temporary folder; PostgreSQL when 127.0.0.1:5432 answers, in a
throw-away database ``oversight_bench_<pid>_<size>``) and each size (N and N/10 vendors): create the
schema, run ``flask demo generate``, start gunicorn (2 workers, 127.0.0.1, a free port) with
``OVERSIGHT_BENCH=1`` so every response carries ``X-Query-Count``, sign in as the generated user and
request every main page a bounded number of times from 2 client threads, in 3 rounds over all pages
(percentiles of every request, the median round's throughput); the list pages a second
time with ``Cache-Control: no-cache``, rendered on every request instead of taken from the page
cache ("(rendered)" rows: what the first view after a change costs). Then time one reminder sweep
and the two PDFs in subprocesses (``bench/measure.py``). Prints a table and writes JSON to bench-results/.
Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import socket
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

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PASSWORD = "oversight-demo-2026"
GUNICORN_WORKERS = 2
LIST_PAGES = ("vendor list", "audit list", "outbox", "activity log")
# The list pages again with "Cache-Control: no-cache": rendered on every request (as after a change),
# not served from the page cache (oversight.web.pagecache).
RENDERED = " (rendered)"
NO_CACHE = {"Cache-Control": "no-cache"}
TARGETS = {
    "p95_ms": 100,
    "queries": 12,
    "list_ratio": 0.40,
    "sweep_s": 2,
    "vendor_pdf_s": 0.5,
    "register_pdf_s": 10,
    "register_rss_mb": 200,
}


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
        if engine == "sqlite":
            self.url = f"sqlite:///{folder / (self.name + '.db')}"
        else:
            self.url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + self.name
            self._admin(f'CREATE DATABASE "{self.name}"')

    def _admin(self, statement: str) -> None:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(statement))
        admin.dispose()

    def drop(self) -> None:
        if self.engine == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def run_env(database: Database, folder: Path, port: int = 0) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database.url,
        SECRET_KEY="bench-" + "x" * 40,
        OVERSIGHT_ENV="production",
        OVERSIGHT_BENCH="1",
        SCHEDULER_ENABLED="0",
        UPLOAD_FOLDER=str(folder / "uploads"),
        BASE_URL=f"http://127.0.0.1:{port}",
        MAIL_SERVER="",
    )
    return env


def prepare(database: Database, size: int, env: dict[str, str]) -> float:
    """Create the schema and generate ``size`` vendors; returns the generation time."""
    schema = (
        "from oversight import create_app\nfrom oversight.extensions import db\n"
        "app = create_app()\nwith app.app_context(): db.create_all()"
    )
    subprocess.run([sys.executable, "-c", schema], env=env, cwd=ROOT, check=True)
    started = time.perf_counter()
    subprocess.run(
        [str(BIN / "flask"), "--app", "app", "demo", "generate", "--vendors", str(size), "--seed", "1"],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def pick_pages(database: Database) -> dict[str, str]:
    """The URLs of the main pages, with ids of typical records from the generated data."""
    engine = create_engine(database.url)
    with engine.connect() as connection:
        pages = main_pages(lambda sql: connection.execute(text(sql)).scalar())
    engine.dispose()
    return pages


def main_pages(one: Callable[[str], int | None]) -> dict[str, str]:
    """The main pages' URLs; ``one(sql)`` answers a scalar query (tests pass their session's)."""
    vendor_id = one("SELECT id FROM vendors WHERE status = 'active' ORDER BY id LIMIT 1")
    review_contract = one("SELECT contract_id FROM contract_reviews WHERE outcome IS NULL ORDER BY id LIMIT 1") or one(
        "SELECT contract_id FROM contract_reviews ORDER BY id LIMIT 1"
    )
    tree_contract = one("SELECT contract_id FROM subcontracts WHERE level > 1 ORDER BY id LIMIT 1") or one(
        "SELECT contract_id FROM subcontracts ORDER BY id LIMIT 1"
    )
    return {
        "floor": "/_bench/floor",
        "layout only": "/_bench/layout",
        "dashboard": "/dashboard",
        "vendor list": "/vendors/?" + urlencode({"status": "active", "risk_tier": "high", "sort": "name"}),
        "vendor detail": f"/vendors/{vendor_id}",
        "contract review": f"/contracts/{review_contract}/review",
        "audit list": "/audits/",
        "subcontract tree": f"/subcontracts/contracts/{tree_contract}",
        "outbox": "/reminders/outbox",
        "activity log": "/activity/",
    }


class Client:
    """A minimal HTTP client for 127.0.0.1 with one session cookie."""

    def __init__(self, port: int) -> None:
        self.port, self.cookie = port, ""

    def request(
        self, method: str, path: str, body: str | None = None, extra_headers: dict | None = None
    ) -> tuple[int, dict, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Cookie": self.cookie, "User-Agent": "oversight-bench", **(extra_headers or {})}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie" and value.startswith("session="):
                self.cookie = value.split(";", 1)[0]
        connection.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, content

    def sign_in(self, email: str) -> None:
        _status, _headers, page = self.request("GET", "/auth/login")
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
            rb'name="csrf_token"[^>]*value="([^"]+)"', page
        )
        body = urlencode({"csrf_token": token.group(1).decode(), "email": email, "password": PASSWORD})
        status, headers, _page = self.request("POST", "/auth/login", body)
        if status != 302 or "/auth/login" in headers.get("location", ""):
            raise RuntimeError(f"sign-in failed ({status})")


def wait_until_up(port: int, process: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited")
        try:
            if Client(port).request("GET", "/_bench/floor")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer")


def warm_up(client: Client, paths: list[str], threads: int, workers: int = GUNICORN_WORKERS, most: int = 60) -> None:
    """Every page from every thread until each gunicorn worker has served it (``X-Bench-Worker``), so each
    worker has compiled templates, open connections and its own cache filled before anything is timed."""
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


def measure_round(client: Client, path: str, requests: int, threads: int, headers: dict | None = None) -> dict:
    """``requests`` GETs of ``path`` from ``threads`` threads: every latency, throughput, statuses, queries."""
    latencies: list[float] = []
    queries: set[int] = set()
    statuses: set[int] = set()
    lock = threading.Lock()
    share = [requests // threads + (1 if index < requests % threads else 0) for index in range(threads)]

    def worker(count: int) -> None:
        for _ in range(count):
            started = time.perf_counter()
            status, answer, _body = client.request("GET", path, extra_headers=headers)
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
    latencies = sorted(latency for measured in rounds for latency in measured["latencies"])
    queries = set().union(*(measured["queries"] for measured in rounds))
    return {
        "path": path,
        "requests": len(latencies),
        "statuses": sorted(set().union(*(measured["statuses"] for measured in rounds))),
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[max(0, int(len(latencies) * 0.95) - 1)] * 1000,
        "rps": statistics.median(measured["rps"] for measured in rounds),
        "rps_rounds": [measured["rps"] for measured in rounds],
        "queries": max(queries),
        "queries_seen": sorted(queries),
    }


def measure_pages(client: Client, pages: dict[str, str], args: argparse.Namespace) -> dict[str, dict]:
    """Every page (and every list page rendered) ``args.rounds`` times in turn, so that a passing disturbance
    of a shared machine spoils one round of every page rather than the whole figure of one page."""
    specs = [(name, path, None) for name, path in pages.items()]
    specs += [(name + RENDERED, pages[name], NO_CACHE) for name in LIST_PAGES]
    rounds: dict[str, list[dict]] = {name: [] for name, _path, _headers in specs}
    for _round in range(args.rounds):
        for name, path, headers in specs:
            rounds[name].append(measure_round(client, path, args.requests, args.threads, headers))
    return {name: summarise(path, rounds[name]) for name, path, _headers in specs}


def measure_job(job: str, env: dict[str, str]) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "bench.measure", job], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        return {"available": False, "error": result.stderr.strip().splitlines()[-1:]}
    return json.loads(result.stdout.strip().splitlines()[-1])


def bench_one(engine: str, size: int, args: argparse.Namespace, folder: Path) -> dict:
    database = Database(engine, size, folder)
    port = free_port()
    env = run_env(database, folder, port)
    run = {
        "engine": engine,
        "vendors": size,
        "load_average": os.getloadavg(),
        "started_at": datetime.now(UTC).isoformat(),
    }
    server = None
    try:
        run["generate_s"] = prepare(database, size, env)
        pages = pick_pages(database)
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                *("-w", str(GUNICORN_WORKERS), "-b", f"127.0.0.1:{port}", "--timeout", "300"),
                "bench.wsgi:app",
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_until_up(port, server)
        client = Client(port)
        client.sign_in("bench@example.com")
        warm_up(client, list(pages.values()), args.threads)
        run["pages"] = measure_pages(client, pages, args)
        floor = run["pages"]["floor"]["rps"]
        for page in run["pages"].values():
            page["floor_ratio"] = page["rps"] / floor if floor else None
        jobs = ("dashboard_figures", "sweep", "vendor_pdf", "register_pdf")
        run["jobs"] = {job: measure_job(job, env) for job in jobs}
        run["load_average_after"] = os.getloadavg()
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
        database.drop()
    return run


def print_run(run: dict) -> None:
    load = ", ".join(f"{value:.1f}" for value in run["load_average"])
    print(f"\n== {run['engine']}  {run['vendors']} vendors  (generated in {run['generate_s']:.0f} s; load {load})")
    print(f"{'page':<24}{'p50 ms':>9}{'p95 ms':>9}{'req/s':>8}{'queries':>9}{'x floor':>9}  status")
    for name, page in run["pages"].items():
        miss = []
        if name != "floor" and page["p95_ms"] > TARGETS["p95_ms"]:
            miss.append("p95")
        if name != "floor" and page["queries"] > TARGETS["queries"]:
            miss.append("queries")
        if name in LIST_PAGES and page["floor_ratio"] < TARGETS["list_ratio"]:
            miss.append("ratio")
        print(
            f"{name:<24}{page['p50_ms']:>9.1f}{page['p95_ms']:>9.1f}{page['rps']:>8.1f}{page['queries']:>9}"
            f"{page['floor_ratio']:>9.2f}  {page['statuses']} {'MISS ' + ','.join(miss) if miss else ''}"
        )
    for job, result in run["jobs"].items():
        if result.get("available"):
            print(
                f"{job:<24}{result['seconds']:>9.2f} s   peak RSS {result['peak_rss_mb']:.0f} MB "
                f"(app baseline {result['baseline_rss_mb']:.0f} MB)"
                + (f"; first PDF of the process {result['cold_seconds']:.2f} s" if "cold_seconds" in result else "")
                + (f"; repeated sweep {result['repeat_seconds']:.2f} s" if "repeat_seconds" in result else ""),
                flush=True,
            )
        else:
            print(f"{job:<24} not available {result.get('error', '')}", flush=True)


def compare_queries(runs: list[dict]) -> list[str]:
    """Pages whose query count differs between the two sizes on the same engine."""
    notes = []
    for engine in sorted({run["engine"] for run in runs}):
        pair = [run for run in runs if run["engine"] == engine and "pages" in run]
        if len(pair) != 2:
            continue
        for name in pair[0]["pages"]:
            counts = [run["pages"][name]["queries"] for run in pair]
            if counts[0] != counts[1]:
                notes.append(
                    f"{engine}: {name} runs {counts[0]} queries at {pair[0]['vendors']} vendors "
                    f"and {counts[1]} at {pair[1]['vendors']}"
                )
    return notes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendors", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=200, help="Requests per page and round.")
    parser.add_argument("--rounds", type=int, default=3, help="Rounds over all pages (median throughput).")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args()
    engines = [engine for engine in args.engines.split(",") if engine != "postgresql" or postgres_reachable()]
    runs = []
    with tempfile.TemporaryDirectory(prefix="oversight-bench-") as tmp:
        for engine in engines:
            for size in (args.vendors, max(1, args.vendors // 10)):
                run = bench_one(engine, size, args, Path(tmp))
                print_run(run)
                sys.stdout.flush()
                runs.append(run)
    notes = compare_queries(runs)
    print("\nQuery counts equal at both sizes." if not notes else "\nQuery counts differ:\n  " + "\n  ".join(notes))
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    path = out / f"bench-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}-{args.vendors}.json"
    path.write_text(
        json.dumps(
            {
                "vendors": args.vendors,
                "cpus": os.cpu_count(),
                "runs": runs,
                "query_count_differences": notes,
                "targets": TARGETS,
            },
            indent=2,
            default=str,
        )
    )
    print(f"Wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

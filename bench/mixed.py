"""The mixed workload: simulated signed-in users browsing and writing at once, for a bounded time.

Each user is one thread with its own session (its own cookies, signed in through the login form
before the clock starts) and its own seeded random sequence: it opens a page, waits a think time
(exponential, ``think`` seconds on average, at most four times that), opens the next. Nine actions in
ten are reads: the dashboard, a list (vendor list with a few filters and pages, contracts,
evaluations, audit schedule, findings, subcontracts, disposals, incidents), a vendor's page, a contract
review. Every tenth is a write, in turn: a vendor edit (its form, then the POST with the CSRF token and
edit version), a clause-review save (the same), a sign-in (a new session). Each user edits only its own
vendors and reviews, so no write is refused as a stale edit of another user's. Every response that is
not 2xx/3xx, and every failed connection, counts as an error.

Two configurations are compared in halves taken in turn (A B A B), so that a change in the load of a
shared machine falls on both rather than on one.
"""

from __future__ import annotations

import random
import statistics
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from bench.client import PASSWORD, Client, find_form
from bench.stats import percentile

USERS = 30
THINK_SECONDS = 1.0
WRITE_EVERY = 10
READS = (("dashboard", 20), ("vendor list", 15), ("other list", 25), ("vendor detail", 25), ("contract review", 15))
OTHER_LISTS = (
    "/contracts/",
    "/evaluations/",
    "/audits/",
    "/audits/findings",
    "/subcontracts/",
    "/disposals/",
    "/incidents/",
)
VENDOR_LISTS = (
    "/vendors/",
    "/vendors/?" + urlencode({"status": "active", "risk_tier": "high", "sort": "name"}),
    "/vendors/?" + urlencode({"sort": "name", "page": 2}),
    "/vendors/?" + urlencode({"status": "active", "page": 3}),
)
WRITES = ("vendor edit", "review save", "sign-in")


@dataclass
class Pools:
    """What the users may open and edit, from the generated data."""

    vendors: list[int]
    reviews: list[int]  # contracts with an open legal-review round
    email: str


def warm_paths(pools: Pools) -> list[str]:
    """One of every page the users open, for the warm-up before the clock starts: a server in use has
    served each of them before, so its workers have compiled their templates and (PostgreSQL) prepared
    their statements. The login form is warmed separately, signed out."""
    vendor = pools.vendors[0]
    paths = ["/dashboard", *VENDOR_LISTS, *OTHER_LISTS, f"/vendors/{vendor}", f"/vendors/{vendor}/edit"]
    if pools.reviews:
        paths.append(f"/contracts/{pools.reviews[0]}/review")
    return paths


@dataclass
class Outcome:
    """Every request's page type, latency and status; the failed connections."""

    samples: list[tuple[str, float, int]] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, status: int) -> None:
        with self.lock:
            self.samples.append((kind, seconds, status))


class User:
    """One simulated person: a session, a random sequence, their own vendors and reviews to write."""

    def __init__(
        self, index: int, users: int, port: int, pools: Pools, outcome: Outcome, think: float, seed: int = 0
    ) -> None:
        self.index, self.pools, self.outcome, self.think = index, pools, outcome, think
        self.client = Client(port)
        self.rng = random.Random(seed * 1000 + index)
        # Each user's own share; with fewer records than users, some share one (and may meet a stale edit).
        self.own_vendors = pools.vendors[index::users] or [pools.vendors[index % len(pools.vendors)]]
        self.own_reviews = pools.reviews[index::users] or (
            [pools.reviews[index % len(pools.reviews)]] if pools.reviews else []
        )
        self.writes = 0

    def timed(self, kind: str, method: str, path: str, body: str | None = None) -> tuple[int, dict, bytes]:
        started = time.perf_counter()
        status, headers, page = self.client.request(method, path, body)
        self.outcome.add(kind, time.perf_counter() - started, status)
        return status, headers, page

    def read(self) -> None:
        kinds, weights = zip(*READS, strict=True)
        kind = self.rng.choices(kinds, weights)[0]
        if kind == "dashboard":
            path = "/dashboard"
        elif kind == "vendor list":
            path = self.rng.choice(VENDOR_LISTS)
        elif kind == "other list":
            path = self.rng.choice(OTHER_LISTS)
        elif kind == "vendor detail":
            path = f"/vendors/{self.rng.choice(self.pools.vendors)}"
        else:
            if not self.pools.reviews:
                return
            path = f"/contracts/{self.rng.choice(self.pools.reviews)}/review"
        self.timed(kind, "GET", path)

    def write(self) -> None:
        kind = WRITES[(self.writes + self.index) % len(WRITES)]
        self.writes += 1
        if kind == "review save" and not self.own_reviews:
            kind = "sign-in"
        if kind == "vendor edit":
            path = f"/vendors/{self.rng.choice(self.own_vendors)}/edit"
            changes = {"representative": f"代表者 {self.index}-{self.writes}"}
        elif kind == "review save":
            path, changes = f"/contracts/{self.rng.choice(self.own_reviews)}/review", {}
        else:
            path, changes = "/auth/login", {"email": self.pools.email, "password": PASSWORD}
            self.client.cookies.clear()  # signed out (the session ended): a new session from the login form
        status, _headers, page = self.timed("sign-in form" if kind == "sign-in" else "edit form", "GET", path)
        if status != 200:
            return
        form = find_form(page, path)
        if kind == "vendor edit" and not (form.get("entrustment_reason") or "").strip():
            # The form asks for the reason of the 委託先 answer, which generated vendors leave empty.
            changes["entrustment_reason"] = "個人番号関係事務の一部を委託しているため"
        status, headers, _page = self.timed(kind, "POST", form.action or path, form.body(changes))
        if kind == "sign-in" and status == 302 and "/auth/login" in headers.get("location", ""):
            self.outcome.add("sign-in refused", 0.0, 401)

    def run(self, deadline: float) -> None:
        time.sleep(self.rng.uniform(0, self.think))  # the users do not all click at the same instant
        step = 0
        while time.monotonic() < deadline:
            try:
                if step % WRITE_EVERY == WRITE_EVERY - 1:
                    self.write()
                else:
                    self.read()
            except Exception as error:  # a refused connection or a time-out: an error, and go on
                with self.outcome.lock:
                    self.outcome.exceptions.append(f"{type(error).__name__}: {error}")
            step += 1
            pause = min(self.rng.expovariate(1 / self.think), 4 * self.think) if self.think > 0 else 0.0
            time.sleep(max(0.0, min(pause, deadline - time.monotonic())))


def run_mixed(
    port: int,
    pools: Pools,
    seconds: float,
    outcome: Outcome,
    users: int = USERS,
    think: float = THINK_SECONDS,
    seed: int = 0,
) -> float:
    """``users`` sessions for ``seconds``, their requests added to ``outcome``; returns the wall-clock time.

    The same ``seed`` gives every user the same sequence of pages and writes (so two configurations meet
    the same workload)."""
    people = [User(index, users, port, pools, outcome, think, seed) for index in range(users)]
    for person in people:  # signed in before the clock starts
        person.client.sign_in(pools.email)
    started = time.monotonic()
    deadline = started + seconds
    threads = [threading.Thread(target=person.run, args=(deadline,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def summarise_mixed(outcome: Outcome, wall: float, users: int, think: float) -> dict:
    by_kind: dict[str, list[tuple[float, int]]] = {}
    for kind, seconds, status in outcome.samples:
        by_kind.setdefault(kind, []).append((seconds, status))
    kinds = {}
    for kind, samples in sorted(by_kind.items()):
        latencies = sorted(seconds for seconds, _status in samples)
        errors = sum(1 for _seconds, status in samples if not 200 <= status < 400)
        kinds[kind] = {
            "requests": len(samples),
            "p50_ms": statistics.median(latencies) * 1000,
            "p95_ms": percentile(latencies, 0.95) * 1000,
            "errors": errors,
        }
    requests = len(outcome.samples)
    errors = sum(kind["errors"] for kind in kinds.values()) + len(outcome.exceptions)
    return {
        "users": users,
        "think_s": think,
        "seconds": wall,
        "requests": requests,
        "rps": requests / wall if wall else 0.0,
        "errors": errors,
        "exceptions": outcome.exceptions[:10],
        "kinds": kinds,
    }

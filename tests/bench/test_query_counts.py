"""SQL statements per main page: at most 12, and the same for a small and a three times larger data set.

The pages are those ``make bench`` measures (``bench.run.main_pages``), signed in as the generated
all-roles user. Nothing is kept between requests (no page cache, no kept figures): every counted request
computes its page afresh, the dashboard included. No timings here: ``make bench`` measures those.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from bench.run import main_pages, member_pages
from oversight.admin.models import Setting
from oversight.admin.sign_in_settings import SECOND_FACTOR_ROLES
from oversight.demo.generate import BENCH_EMAIL, UNIT_MANAGER_EMAIL
from oversight.demo.users import DEMO_PASSWORD
from oversight.extensions import db
from tests.conftest import empty_all_tables

TODAY = "2026-11-26"
MAX_QUERIES = 12


def _generate(app, vendors: int, seed: int, *extra: str) -> None:
    result = app.test_cli_runner().invoke(
        args=["demo", "generate", "--vendors", str(vendors), "--seed", str(seed), "--today", TODAY, *extra]
    )
    assert result.exit_code == 0, result.output


def _no_second_factor_roles(app) -> None:
    with app.app_context():
        row = db.session.scalar(db.select(Setting).where(Setting.key == SECOND_FACTOR_ROLES))
        if row is None:
            db.session.add(Setting(key=SECOND_FACTOR_ROLES, value=""))  # what bench.run.prepare stores
        else:
            row.value = ""
        db.session.commit()


def _counts(app, client, count_queries, pick=main_pages) -> dict[str, int]:
    with app.app_context():
        pages = pick(lambda sql: db.session.execute(text(sql)).scalar())
    for bench_page in ("floor", "layout only"):
        pages.pop(bench_page, None)  # only served with OVERSIGHT_BENCH=1 (tests/bench/test_hooks.py)
    counts = {}
    for name, url in pages.items():
        client.get(url)  # the process warmed (translations, settings' defaults): no data is kept
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        counts[name] = counter.count
    return counts


@pytest.fixture
def signed_in(app, client, monkeypatch):
    # The pages read "today" from the clock; keep it where the data was generated.
    monkeypatch.setattr("oversight.core.timeutil.local_today", lambda: date.fromisoformat(TODAY))
    # As in production, every request checks whether the user's roles call for a second factor (a settings
    # read counted like any other); as in `make bench`, the data set names no such role.
    monkeypatch.setitem(app.config, "SECOND_FACTOR_ENFORCED", True)
    yield client
    with app.app_context():
        empty_all_tables()
        db.session.remove()


def test_main_pages_run_few_queries_whatever_the_data_size(app, signed_in, count_queries):
    client = signed_in
    _generate(app, 10, 1)
    _no_second_factor_roles(app)
    response = client.post("/auth/login", data={"email": BENCH_EMAIL, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    small = _counts(app, client, count_queries)
    _generate(app, 30, 2, "--force")
    _no_second_factor_roles(app)
    large = _counts(app, client, count_queries)
    assert {name: (small[name], large[name]) for name in small if small[name] != large[name]} == {}
    assert {name: count for name, count in small.items() if count > MAX_QUERIES} == {}


def test_a_unit_members_pages_run_as_few_queries_whatever_the_data_size(app, signed_in, count_queries):
    """``make bench UNITS=10``'s second sign-in: the manager of one unit of a data set spread over units, some
    vendors shared by two (the vendor detail is such a vendor's). Every read carries the unit's scope, and the
    unit tree it is widened with is read with the user: no statement more than a group-wide reader's."""
    client = signed_in
    _generate(app, 20, 1, "--units", "2", "--shared", "0.4")
    _no_second_factor_roles(app)
    response = client.post("/auth/login", data={"email": UNIT_MANAGER_EMAIL, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    small = _counts(app, client, count_queries, member_pages)
    assert {"member: dashboard", "member: vendor list", "member: vendor detail", "member: contract list",
            "member: work", "member: due"} <= set(small)
    _generate(app, 60, 2, "--force", "--units", "2", "--shared", "0.4")
    _no_second_factor_roles(app)
    large = _counts(app, client, count_queries, member_pages)
    assert {name: (small[name], large[name]) for name in small if small[name] != large.get(name)} == {}
    assert {name: count for name, count in small.items() if count > MAX_QUERIES} == {}

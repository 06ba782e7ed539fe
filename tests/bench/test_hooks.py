"""The benchmark hooks exist only when ``OVERSIGHT_BENCH=1``."""

from __future__ import annotations

import gc
import os

from oversight import config, create_app
from oversight.bench import ENV_FLAG, QUERY_COUNT_HEADER, WORKER_HEADER, init_bench


def bench_app(database_url, monkeypatch, flag: str | None):
    if flag is None:
        monkeypatch.delenv(ENV_FLAG, raising=False)
    else:
        monkeypatch.setenv(ENV_FLAG, flag)
    application = create_app(config.TestConfig(database_url))
    init_bench(application)
    return application


def test_floor_page_reports_its_query_count_when_enabled(database_url, monkeypatch, make_user):
    client = bench_app(database_url, monkeypatch, "1").test_client()
    response = client.get("/_bench/floor")
    assert response.status_code == 200
    assert response.headers[QUERY_COUNT_HEADER] == "0"
    assert response.headers[WORKER_HEADER] == str(os.getpid())
    user = make_user("viewer")
    client.post("/auth/login", data={"email": user.email, "password": user.password})
    layout = client.get("/_bench/layout")
    assert layout.status_code == 200 and 'data-testid="user-menu"' in layout.get_data(as_text=True)
    assert int(client.get("/vendors/").headers[QUERY_COUNT_HEADER]) > 0


def test_no_floor_page_and_no_header_without_the_flag(database_url, monkeypatch):
    client = bench_app(database_url, monkeypatch, None).test_client()
    response = client.get("/_bench/floor")
    assert response.status_code in (302, 404)
    assert client.get("/_bench/gc").status_code in (302, 404)
    assert QUERY_COUNT_HEADER not in response.headers
    assert WORKER_HEADER not in response.headers


def test_full_collections_are_reported_per_worker_and_reset(database_url, monkeypatch):
    client = bench_app(database_url, monkeypatch, "1").test_client()
    client.get("/_bench/gc?reset=1")
    gc.collect()
    report = client.get("/_bench/gc?reset=1").get_json()
    assert report["worker"] == os.getpid()
    assert report["full_collections"] >= 1 and report["longest_ms"] > 0
    assert 0 <= report["longest_cpu_ms"] <= report["longest_ms"] + 1
    assert report["total_ms"] >= report["longest_ms"]
    assert client.get("/_bench/gc").get_json()["full_collections"] == 0

"""The worker's start-up heap: warmed up, then frozen out of the collector's full passes (oversight.web.heap)."""

from __future__ import annotations

import gc

import pytest

from oversight import create_app
from oversight.config import TestConfig as AppConfig
from oversight.web import heap


@pytest.fixture
def fresh_app(database_url, tmp_path):
    application = create_app(AppConfig(database_url, UPLOAD_FOLDER=str(tmp_path)))
    thresholds = gc.get_threshold()
    yield application
    gc.unfreeze()  # the test process goes on as before
    gc.set_threshold(*thresholds)


def test_settle_compiles_the_templates_and_freezes_the_heap(fresh_app):
    frozen = heap.settle(fresh_app)
    assert frozen > 10_000 and gc.get_freeze_count() > 10_000
    assert gc.get_threshold() == heap.WORKER_THRESHOLDS
    cached = {name for _loader, name in fresh_app.jinja_env.cache}
    assert {"base.html", "dashboard/index.html", "auth/login.html"} <= cached


def test_the_heap_is_frozen_again_after_the_first_requests(fresh_app, monkeypatch):
    heap.settle(fresh_app, after_requests=3)
    freezes = []
    monkeypatch.setattr(heap, "freeze", lambda collect=True: freezes.append(collect) or 0)
    client = fresh_app.test_client()
    for _ in range(5):
        assert client.get("/auth/login").status_code == 200
    assert freezes == [False]  # once, at the third request, without pausing it for a full collection

"""The rate limit counts per token, answers 429 as a problem, and never fails a request when its
shared store (Redis) is down."""

from __future__ import annotations

import pytest

from oversight import create_app
from oversight.config import TestConfig as AppConfig
from oversight.extensions import db
from tests.conftest import free_port


@pytest.fixture
def three_per_minute(app):
    before = app.config["API_RATE_LIMIT"]
    app.config["API_RATE_LIMIT"] = "3 per minute"
    yield
    app.config["API_RATE_LIMIT"] = before


def test_each_token_has_its_own_limit_and_the_fourth_request_is_refused(client, make_token, three_per_minute):
    first, second = make_token("viewer"), make_token("viewer")
    answers = [client.get("/api/v1/vendors", headers=first.headers) for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused.mimetype == "application/problem+json" and refused.get_json()["status"] == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert answers[0].headers["X-RateLimit-Limit"] == "3"
    assert client.get("/api/v1/vendors", headers=second.headers).status_code == 200


def test_with_redis_down_requests_still_succeed(database_url, app, make_token):
    """Nothing listens on the port: the limiter falls back to counting in memory."""
    pytest.importorskip("redis")
    redis_app = create_app(AppConfig(database_url, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0"))
    try:
        holder = make_token("viewer")
        client = redis_app.test_client()
        answers = [client.get("/api/v1/vendors", headers=holder.headers) for _ in range(3)]
        assert [answer.status_code for answer in answers] == [200, 200, 200]
    finally:
        with redis_app.app_context():
            db.session.remove()

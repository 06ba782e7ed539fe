"""The dashboard's pages with a cache server configured but not answering (e.g. Redis stopped).

Nothing of the data is kept between requests, so a cache setting left in a deployment's environment
(``CACHE_TYPE=RedisCache`` pointing at a closed port) changes nothing: every page answers as usual.
Before issue #16 the dashboard, due, work and calendar pages and the .ics feed answered 500 here.
"""

from __future__ import annotations

import pytest
from icalendar import Calendar

from oversight import create_app
from oversight.config import TestConfig as AppConfig
from oversight.dashboard import feed, views
from oversight.extensions import db
from tests.conftest import free_port
from tests.dashboard.helpers import NOW, TODAY, World

PAGES = ("/dashboard", "/dashboard/due", "/dashboard/due?bucket=upcoming", "/dashboard/work", "/dashboard/calendar")


@pytest.fixture
def dead_cache_app(database_url, tmp_path, monkeypatch):
    monkeypatch.setattr(views, "local_today", lambda: TODAY)
    config = AppConfig(
        database_url,
        UPLOAD_FOLDER=str(tmp_path),
        CACHE_TYPE="RedisCache",
        CACHE_REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",
        CACHE_DEFAULT_TIMEOUT=600,
    )
    return create_app(config)


def test_every_dashboard_page_and_the_feed_answer_with_the_cache_server_down(app, dead_cache_app):
    with app.app_context():
        world = World()
        world.active_vendor()
        world.overdue_disposal()
        token = feed.create_token(world.manager, actor=world.manager, now=NOW)
        db.session.commit()
        email = world.manager.email
    client = dead_cache_app.test_client()
    assert client.post("/auth/login", data={"email": email, "password": "x" * 16}).status_code == 302
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
    assert 'data-testid="coverage"' in client.get("/dashboard").get_data(as_text=True)
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert any(str(event["uid"]).startswith("disposal-") for event in Calendar.from_ical(response.data).walk("VEVENT"))

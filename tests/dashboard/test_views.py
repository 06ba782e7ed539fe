"""Dashboard pages: per-role content, the calendar and its month parameter, the feed, and a constant query count."""

from __future__ import annotations

import re

import pytest
from icalendar import Calendar

from oversight.activity.models import ActivityLog
from oversight.auth.roles import ALL_ROLES
from oversight.dashboard import views
from oversight.dashboard.models import CalendarToken
from oversight.extensions import db
from tests.conftest import empty_all_tables
from tests.dashboard.helpers import TODAY, build_world
from tests.evaluations.helpers import submitted as submitted_evaluation

MAX_DASHBOARD_QUERIES = 12  # issue #16: at most 12 statements per page
ROUTES = ("/dashboard", "/dashboard/calendar", "/dashboard/calendar?month=2026-12", "/dashboard/feed")


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(views, "local_today", lambda: TODAY)


def _sign_in(client, email):
    response = client.post("/auth/login", data={"email": email, "password": "x" * 16})
    assert response.status_code == 302


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("path", ROUTES)
def test_every_role_opens_the_dashboard_pages(client, login_as, role, path):
    login_as(role)
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", [*ROUTES, "/dashboard/feed/create", "/dashboard/feed/revoke"])
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.post(path) if path.startswith("/dashboard/feed/") else client.get(path)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_manager_sees_the_overdue_deletion_and_approvals(app, client):
    with app.app_context():
        world = build_world(1)
        submitted_evaluation(world.procurement)
        db.session.commit()
        manager_email = world.manager.email
    _sign_in(client, manager_email)
    html = client.get("/dashboard").get_data(as_text=True)
    overdue = html.split('data-testid="overdue"')[1].split("</table>")[0]
    assert 'data-kind="disposal"' in overdue and "10 日超過" in overdue
    my_work = html.split('data-testid="my-work"')[1].split("</table>")[0]
    assert 'data-kind="evaluation_approval"' in my_work
    assert 'href="/disposals/?state=overdue"' in html


def test_legal_sees_no_manager_approvals(app, client):
    with app.app_context():
        world = build_world(1)
        submitted_evaluation(world.procurement)
        db.session.commit()
        email = world.legal.email
    _sign_in(client, email)
    html = client.get("/dashboard").get_data(as_text=True)
    assert 'data-kind="evaluation_approval"' not in html


@pytest.mark.parametrize("month", ["2026-13", "abc", "2026-1", "9999-99", "2026-12-01", "'; drop table"])
def test_a_bad_month_answers_400_with_this_month(client, login_as, month):
    login_as("viewer")
    response = client.get("/dashboard/calendar", query_string={"month": month})
    assert response.status_code == 400
    assert 'data-testid="calendar-month">2026-11<' in response.get_data(as_text=True)


def test_the_calendar_filters_by_kind_and_links_to_the_neighbour_months(app, client):
    with app.app_context():
        world = build_world(1)
        email = world.manager.email
    _sign_in(client, email)
    html = client.get("/dashboard/calendar?month=2026-11&kind=disposal").get_data(as_text=True)
    assert 'data-kind="disposal"' in html and 'data-kind="finding"' not in html
    assert "month=2026-10&amp;kind=disposal" in html and "month=2026-12&amp;kind=disposal" in html
    html = client.get("/dashboard/calendar?month=2026-12").get_data(as_text=True)
    assert 'data-kind="finding"' in html
    assert "<script" not in html.split("</nav>", 1)[1].split("<footer", 1)[0] and 'style="' not in html


def test_feed_create_parse_and_revoke(app, client):
    with app.app_context():
        world = build_world(1)
        email, user_id = world.manager.email, world.manager.id
    _sign_in(client, email)
    html = client.post("/dashboard/feed/create").get_data(as_text=True)
    url = re.search(r'value="http://localhost(/calendar/[^"]+\.ics)"', html).group(1)
    other = app.test_client()
    response = other.get(url)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    events = Calendar.from_ical(response.data).walk("VEVENT")
    assert any(str(event["uid"]).startswith("disposal-") for event in events)
    assert all(str(event["url"]).startswith("http://localhost/") for event in events)
    assert client.post("/dashboard/feed/revoke").status_code == 302
    assert other.get(url).status_code == 404
    assert other.get("/calendar/not-a-token.ics").status_code == 404
    with app.app_context():
        assert db.session.scalar(db.select(CalendarToken).where(CalendarToken.user_id == user_id)).revoked_at
        actions = db.session.scalars(db.select(ActivityLog.action).where(ActivityLog.actor_id == user_id)).all()
        assert "calendar_feed.create" in actions and "calendar_feed.revoke" in actions


def test_the_feed_address_is_shown_once(app, client, login_as):
    login_as("viewer")
    assert ".ics" in client.post("/dashboard/feed/create").get_data(as_text=True)
    assert ".ics" not in client.get("/dashboard/feed").get_data(as_text=True)


def _dashboard_queries(app, count_queries, size):
    with app.app_context():
        world = build_world(size)
        submitted_evaluation(world.procurement)
        db.session.commit()
        email = world.manager.email
    client = app.test_client()
    client.post("/auth/login", data={"email": email, "password": "x" * 16})
    client.get("/dashboard")  # warm the process (translations loaded); nothing of the data is kept
    with count_queries() as counter:
        response = client.get("/dashboard")
    assert response.status_code == 200
    return counter.count


def test_the_dashboard_query_count_does_not_grow_with_the_data(app, count_queries):
    small = _dashboard_queries(app, count_queries, 3)
    with app.app_context():
        empty_all_tables()
    large = _dashboard_queries(app, count_queries, 30)
    print(f"dashboard queries: {small} with 3 vendors, {large} with 30")
    assert small == large, f"{small} queries with 3 vendors, {large} with 30"
    assert large <= MAX_DASHBOARD_QUERIES


@pytest.mark.parametrize(
    "query", ["status=signed&clauses=missing", "status=signed&clauses=incomplete", "clauses=zzz"]
)
def test_the_contract_list_takes_the_missing_clauses_drill_down(app, client, query):
    with app.app_context():
        world = build_world(1)
        email = world.manager.email
    _sign_in(client, email)
    response = client.get(f"/contracts/?{query}")
    assert response.status_code == 200
    if query.startswith("status"):
        assert "CT-2026-" not in response.get_data(as_text=True), "no signed contract has a missing clause"


def test_the_feed_reads_in_its_owners_language(app, client, login_as):
    login_as("viewer", language="en")
    html = client.post("/dashboard/feed/create").get_data(as_text=True)
    url = re.search(r'value="http://localhost(/calendar/[^"]+\.ics)"', html).group(1)
    with app.app_context():
        build_world(1)
    body = app.test_client().get(url, headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "Return/deletion due" in body and "返却・廃棄期限" not in body

"""Scoping adds no statement per row: a member of one unit gets the main pages in the same number of
statements for a small and a three times larger data set, and no more than a group-wide reader's limit."""

from __future__ import annotations

from sqlalchemy import text

from bench.run import main_pages
from oversight.auth.models import User, UserRole
from oversight.auth.passwords import hash_password
from oversight.auth.roles import ADMIN, ALL_ROLES
from oversight.extensions import db
from oversight.units import services as unit_services
from tests.bench.test_query_counts import (  # noqa: F401
    MAX_QUERIES,
    _generate,
    _no_second_factor_roles,
    signed_in,
)
from tests.conftest import TEST_PASSWORD

# Administrators are group-wide: their pages are not a unit member's; the bench-only pages are left out.
ADMIN_PAGES = {"outbox", "activity log", "user list", "floor", "layout only"}


def _counts(app, client, count_queries) -> dict[str, int]:
    with app.app_context():
        pages = main_pages(lambda sql: db.session.execute(text(sql)).scalar())
    counts = {}
    for name, url in pages.items():
        if name in ADMIN_PAGES or url.startswith(("/admin/", "/activity/", "/reminders/outbox", "/_bench")):
            continue
        client.get(url)
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        counts[name] = counter.count
    return counts


def test_a_unit_members_pages_run_few_queries_whatever_the_data_size(app, signed_in, count_queries):  # noqa: F811
    client = signed_in
    _generate(app, 10, 1)
    _no_second_factor_roles(app)
    with app.app_context():
        unit_id = unit_services.default_unit().id
        member = User(email="member@example.com", name="部門 太郎", password_hash=hash_password(TEST_PASSWORD),
                      role_links=[UserRole(role=role, unit_id=unit_id) for role in ALL_ROLES if role != ADMIN])
        db.session.add(member)
        db.session.commit()
    response = client.post("/auth/login", data={"email": "member@example.com", "password": TEST_PASSWORD})
    assert response.status_code == 302
    small = _counts(app, client, count_queries)
    _generate(app, 30, 2, "--force")
    _no_second_factor_roles(app)
    large = _counts(app, client, count_queries)
    assert {name: (small[name], large[name]) for name in small if small[name] != large[name]} == {}
    # The unit tree that widens the member's units to the units below them (units.services.with_descendants)
    # is read in the statement that loads the signed-in user: no statement more than a group-wide reader's.
    assert {name: count for name, count in small.items() if count > MAX_QUERIES} == {}

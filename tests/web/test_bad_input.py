"""A bad request never produces a 500: every list page with nonsense parameters still answers."""

import pytest

from oversight.auth.roles import ALL_ROLES
from tests.web.test_access import ROUTES

LIST_ROUTES = [route for route in ROUTES if route.method == "GET" and not route.values]
BAD_QUERIES = {
    "page=abc": {"page": "abc"},
    "page=-5": {"page": "-5"},
    "page=huge": {"page": "99999999999999999999"},
    "unknown sort": {"sort": "no_such_column", "order": "sideways"},
    "bad dates": {"date_from": "notadate", "date_to": "2026-02-30"},
    "bad numbers": {"actor": "abc", "object_id": "1e9999", "vendor_id": "-1", "status": "bogus"},
    "quotes": {"q": "'; DROP TABLE users; --%_\\"},
}


@pytest.mark.parametrize("query", BAD_QUERIES.values(), ids=BAD_QUERIES.keys())
@pytest.mark.parametrize("route", LIST_ROUTES, ids=str)
def test_list_pages_survive_bad_parameters(client, app, login_as, route, query):
    login_as(*ALL_ROLES)
    with app.test_request_context():
        url = route.url()
    response = client.get(url, query_string=query)
    assert response.status_code < 500, f"{url} {query}: {response.status_code}"


def test_nul_characters_are_refused_not_stored(client, login_as):
    login_as("admin")
    assert client.get("/admin/users", query_string={"q": "a\x00b"}).status_code == 400
    assert client.post("/auth/login", data={"email": "a\x00@example.com", "password": "x"}).status_code == 400


def test_huge_record_id_is_not_found(client, login_as):
    login_as("admin")
    assert client.get("/admin/users/99999999999999999999/edit").status_code == 404

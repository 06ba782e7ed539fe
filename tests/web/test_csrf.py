"""With CSRF protection on (as in production), no POST route accepts a request without a token."""

import re

import pytest

from oversight import create_app
from oversight.auth.roles import ALL_ROLES
from oversight.config import TestConfig as AppConfig
from oversight.extensions import db
from tests.conftest import TEST_PASSWORD
from tests.web.test_access import ROUTES, Route

# The API takes no cookie, so no CSRF token either: tests/api/test_tokens.py shows a signed-in browser refused.
POST_ROUTES = [route for route in ROUTES if route.method == "POST" and not route.endpoint.startswith("api.")] + [
    Route(route.endpoint, "POST", route.values) for route in ROUTES if route.endpoint in ("auth.login", "auth.password")
]


@pytest.fixture(scope="module")
def csrf_app(database_url, app):
    """A second app on the same database, with CSRF protection on."""
    application = create_app(AppConfig(database_url, WTF_CSRF_ENABLED=True))
    yield application
    with application.app_context():
        db.session.remove()


def _token(client, path="/auth/login") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def _sign_in(client, user) -> None:
    token = _token(client)
    response = client.post("/auth/login", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_every_form_route_is_covered():
    assert any(route.endpoint == "auth.logout" for route in POST_ROUTES)
    assert any(route.endpoint == "auth.language" for route in POST_ROUTES)


@pytest.mark.parametrize("route", POST_ROUTES, ids=str)
def test_post_without_token_is_refused_for_anonymous(csrf_app, route):
    client = csrf_app.test_client()
    with csrf_app.test_request_context():
        url = route.url()
    response = client.post(url, data={})
    assert response.status_code == 400, f"{url}: {response.status_code}"


@pytest.mark.parametrize("route", POST_ROUTES, ids=str)
def test_post_without_token_is_refused_for_an_admin_with_every_role(csrf_app, make_user, route):
    client = csrf_app.test_client()
    _sign_in(client, make_user(*ALL_ROLES))
    with csrf_app.test_request_context():
        url = route.url()
    response = client.post(url, data={"csrf_token": "forged"})
    assert response.status_code == 400, f"{url}: {response.status_code}"
    assert client.get("/dashboard").status_code == 200, "the refusal does not sign the user out"


def test_sign_in_with_a_token_works(csrf_app, make_user):
    client = csrf_app.test_client()
    _sign_in(client, make_user("viewer"))
    assert client.get("/dashboard").status_code == 200


def test_sign_in_without_a_token_is_refused(csrf_app, make_user):
    client = csrf_app.test_client()
    user = make_user("viewer")
    response = client.post("/auth/login", data={"email": user.email, "password": user.password})
    assert response.status_code == 400
    assert client.get("/dashboard").status_code == 302

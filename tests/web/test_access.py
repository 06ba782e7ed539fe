"""Every route declares an access rule, and an anonymous visitor is sent to sign in.

The routes are read from the app's url_map, so a new view is covered (and must declare a rule)
without anyone editing this file. What each role gets on each route is tested against the
permission matrix (docs/permissions.md) in test_permissions.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import url_for
from werkzeug.routing import IntegerConverter

from oversight import create_app
from oversight.auth.decorators import PUBLIC, access_rule
from oversight.auth.session import OPEN_ENDPOINTS
from oversight.config import TestConfig as AppConfig

ANONYMOUS = "anonymous"
SECRET_URL_ENDPOINTS = {"dashboard.feed_ics", "portal.open_link"}


@dataclass(frozen=True)
class Route:
    endpoint: str
    method: str
    values: tuple[tuple[str, object], ...]

    def __str__(self) -> str:
        return f"{self.method} {self.endpoint}"

    def url(self) -> str:
        return url_for(self.endpoint, **dict(self.values))


def _routes() -> list[Route]:
    """One route per url_map rule, with 1 for int parameters and 'x' for the others."""
    app = create_app(AppConfig())
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in OPEN_ENDPOINTS:
            continue
        values = tuple(
            (name, 1 if isinstance(converter, IntegerConverter) else "x")
            for name, converter in sorted(rule._converters.items())
        )
        methods = set(rule.methods or ()) - {"HEAD", "OPTIONS"}
        method = "GET" if "GET" in methods else "POST" if "POST" in methods else min(methods)  # PATCH in the API
        routes.append(Route(rule.endpoint, method, values))
    return sorted(routes, key=str)


def _rules() -> dict[str, object]:
    app = create_app(AppConfig())
    return {
        endpoint: access_rule(view) for endpoint, view in app.view_functions.items() if endpoint not in OPEN_ENDPOINTS
    }


ROUTES = _routes()
RULES = _rules()


@pytest.mark.parametrize("endpoint", sorted(RULES))
def test_every_view_declares_an_access_rule(endpoint):
    assert RULES[endpoint] is not None, f"{endpoint} has neither @role_required(...) nor @public"


def _request(client, app, route: Route):
    with app.test_request_context():
        url = route.url()
    if route.method == "GET":
        return client.get(url), url
    return client.open(url, method=route.method, data={}), url


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_anonymous_visitor_is_sent_to_sign_in(client, app, route):
    response, url = _request(client, app, route)
    if RULES[route.endpoint] == PUBLIC:
        # A public route authenticated by a secret in its address (the calendar feed) answers 404
        # for the placeholder value, which is no valid secret.
        expected = (200, 302, 404) if route.endpoint in SECRET_URL_ENDPOINTS else (200, 302)
        assert response.status_code in expected, url
        return
    if route.endpoint.startswith("api."):  # the API asks for a token, it has no sign-in page
        assert response.status_code == 401, url
        assert response.mimetype == "application/problem+json", url
        return
    assert response.status_code == 302, url
    assert "/auth/login" in response.headers["Location"], url

"""The access decorators: default deny, role checks, unknown roles refused at import time."""

import pytest

from oversight import create_app
from oversight.auth.decorators import PUBLIC, access_rule, public, role_required
from oversight.config import TestConfig as AppConfig
from oversight.extensions import db
from tests.conftest import TEST_PASSWORD


@pytest.fixture
def extra_app(database_url, app):
    """A second app on the test database with a few extra views."""
    application = create_app(AppConfig(database_url))

    @application.route("/undeclared")
    def undeclared():
        return "should never be served"

    @application.route("/legal-only")
    @role_required("legal")
    def legal_only():
        return "legal page"

    @application.route("/boom")
    @public
    def boom():
        raise RuntimeError("secret detail")

    yield application
    with application.app_context():
        db.session.remove()


def _sign_in(client, user) -> None:
    assert client.post("/auth/login", data={"email": user.email, "password": TEST_PASSWORD}).status_code == 302


def test_a_view_without_a_rule_is_refused_even_to_an_admin(extra_app, make_user):
    client = extra_app.test_client()
    assert client.get("/undeclared").status_code == 403
    _sign_in(client, make_user("admin", "procurement", "legal", "auditor", "manager", "viewer"))
    assert client.get("/undeclared").status_code == 403


def test_role_required_lets_in_only_the_named_roles(extra_app, make_user):
    client = extra_app.test_client()
    assert client.get("/legal-only").status_code == 302
    _sign_in(client, make_user("admin"))
    assert client.get("/legal-only").status_code == 403
    client = extra_app.test_client()
    _sign_in(client, make_user("legal", "viewer"))
    assert client.get("/legal-only").get_data(as_text=True) == "legal page"


def test_unexpected_error_shows_the_error_page_without_details(extra_app):
    response = extra_app.test_client().get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "secret detail" not in html and "Traceback" not in html
    assert 'data-testid="error-message"' in html
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_rules_are_readable():
    assert access_rule(public(lambda: None)) == PUBLIC
    assert access_rule(role_required("auditor")(lambda: None)) == frozenset({"auditor"})
    assert access_rule(role_required()(lambda: None)) == frozenset(
        {"admin", "procurement", "legal", "auditor", "manager", "viewer"}
    )
    assert access_rule(lambda: None) is None


def test_unknown_role_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown roles"):
        role_required("superuser")

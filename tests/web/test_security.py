"""Security headers on every kind of response, cookie flags, and no inline script or style."""

import re

import pytest
from flask import flash, render_template_string
from flask_babel import lazy_gettext as _l

from oversight import create_app
from oversight.config import Config

RESPONSES = {
    "html page": "/auth/login",
    "redirect": "/dashboard",
    "not found": "/no/such/page",
    "static file": "/static/css/app.css",
    "bootstrap file": "/bootstrap/static/css/bootstrap.min.css",
}


@pytest.mark.parametrize("path", RESPONSES.values(), ids=RESPONSES.keys())
def test_security_headers_on_every_response_type(client, path):
    response = client.get(path)
    assert response.status_code in (200, 302, 404)
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_security_headers_on_error_and_forbidden_pages(client, login_as):
    login_as("viewer")
    for path, code in (("/admin/users", 403), ("/admin/users/1/edit", 403), ("/no/such/page", 404)):
        response = client.get(path)
        assert response.status_code == code
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    response = client.post("/dashboard")
    assert response.status_code == 405
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_html_pages_are_not_cached(client):
    assert client.get("/auth/login").headers["Cache-Control"] == "no-store"


def test_session_cookie_is_httponly_and_samesite_lax(client, make_user):
    user = make_user("viewer")
    response = client.post("/auth/login", data={"email": user.email, "password": user.password, "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(cookie for cookie in cookies if cookie.startswith("session="))
    remember_cookie = next(cookie for cookie in cookies if cookie.startswith("remember_token="))
    for cookie in (session_cookie, remember_cookie):
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie
        assert "Secure" not in cookie  # the test BASE_URL is http


def test_cookies_are_secure_when_base_url_is_https(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.setenv("BASE_URL", "https://oversight.example.co.jp/")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'secure.db'}")
    config = Config()
    assert config.SESSION_COOKIE_SECURE is True
    assert config.REMEMBER_COOKIE_SECURE is True
    assert config.SESSION_COOKIE_HTTPONLY is True
    assert config.SESSION_COOKIE_SAMESITE == "Lax"
    assert config.PREFERRED_URL_SCHEME == "https"
    app = create_app(config)
    with app.test_request_context("/"):
        from flask import session

        session["x"] = 1
        response = app.make_response("ok")
        app.session_interface.save_session(app, session, response)
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Strict-Transport-Security" in app.test_client().get("/auth/login").headers


def test_cookies_are_not_secure_for_plain_http(monkeypatch):
    monkeypatch.setenv("BASE_URL", "http://127.0.0.1:5000")
    assert Config().SESSION_COOKIE_SECURE is False


@pytest.mark.parametrize("path", ["/auth/login", "/dashboard", "/auth/password", "/admin/users", "/activity/"])
def test_pages_have_no_inline_script_or_style(client, login_as, path):
    login_as("admin")
    html = client.get(path).get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script> is blocked by the CSP"
    assert not re.search(r"\sstyle\s*=", html), "style attributes are blocked by the CSP"
    assert not re.search(r"\son[a-z]+\s*=", html), "event handler attributes are blocked by the CSP"


def test_flashed_lazy_translation_is_escaped(app):
    """A lazy message with user-typed text goes through the session as text, not as HTML."""
    with app.test_request_context("/"):
        flash(_l("User %(email)s was created.", email="<script>alert(1)</script>"), "success")
        from flask import session

        serializer = app.session_interface.serializer
        restored = serializer.loads(serializer.dumps(dict(session)))
        message = restored["_flashes"][0][1]
        assert type(message) is str
        html = render_template_string("{{ message }}", message=message)
        assert "<script>" not in html
        assert "&lt;script&gt;" in html

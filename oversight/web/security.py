"""Security headers on every response, and limits on input no database could store."""

from flask import Flask, Response, abort, request
from werkzeug.routing import IntegerConverter

from oversight.core.query import DATABASE_INT_MAX

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def init_security_headers(app: Flask) -> None:
    @app.after_request
    def set_security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if "Cache-Control" not in headers and response.mimetype == "text/html":
            headers["Cache-Control"] = "no-store"
        return response


class DatabaseIntConverter(IntegerConverter):
    """``<int:…>`` limited to what an id column holds: a huge id is a 404, not a database error."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", DATABASE_INT_MAX)
        super().__init__(url_map, *args, **kwargs)


def reject_nul_characters():
    """Refuse NUL characters in query strings and forms (PostgreSQL text cannot store them)."""
    for values in (request.args, request.form):
        if any("\x00" in value for _, items in values.lists() for value in items):
            abort(400)


def init_input_limits(app: Flask) -> None:
    """Bound ``<int:…>`` URL parts and refuse input that no database column could hold."""
    app.url_map.converters["int"] = DatabaseIntConverter
    app.before_request(reject_nul_characters)


def init_proxy(app: Flask) -> None:
    """Behind ``TRUSTED_PROXIES`` reverse proxies (nginx, a load balancer), read the client's address, scheme,
    host and port from their ``X-Forwarded-For/-Proto/-Host/-Port`` headers (werkzeug's ``ProxyFix``), so the
    activity log records the client, not the proxy. With 0 (the default) those headers are ignored: a client
    could forge them when nothing in front of the app overwrites them."""
    hops = int(app.config.get("TRUSTED_PROXIES", 0) or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)  # type: ignore[method-assign]

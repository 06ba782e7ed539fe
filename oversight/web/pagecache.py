"""The rendered list pages, kept until the data they show can have changed.

A list page (vendors, contracts, audits, the outbox, the activity log…) is a function of the address,
the signed-in user (name, roles, language), the date (its traffic lights) and the oversight data.
``cached_page`` keeps the HTML under exactly those parts, the data being the data version
(``oversight.core.dataversion``: raised by every committed change, whoever made it), so a page is
rendered again after any change and on the next day, and served from the cache when the same
person asks again for the same page in between (paging back, returning from a record).

What must never be shared is left out: the session's CSRF token is stored as a placeholder and
filled in for each response; a page that shows a flashed message is neither served from nor
stored in the cache. ``Cache-Control: no-cache`` on the request (a browser's hard reload) renders
afresh. The HTML is kept zlib-compressed (a 50-row list is about 10 times smaller).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, current_app, g, get_flashed_messages, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from oversight.core import dataversion
from oversight.core.timeutil import local_today
from oversight.extensions import cache

STATUS_HEADER = "X-Oversight-Page-Cache"
TOKEN_PLACEHOLDER = "__oversight_csrf_token__"
COMPRESSION_LEVEL = 1  # fast: a 150 KB page in well under a millisecond


def cached_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """Serve ``view``'s page from the cache while nothing it depends on has changed.

    Goes below the access decorators (``@role_required``), which must run on every request.
    """

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not _may_use_cache():
            return _with_status(current_app.make_response(view(*args, **kwargs)), "bypass")
        key = _key()
        if not _fresh_requested():
            stored = _cache_call(cache.get, key)
            if stored is not None:
                return _with_status(_response(stored), "hit")
        response = current_app.make_response(view(*args, **kwargs))
        if _may_store(response):
            _cache_call(cache.set, key, zlib.compress(_as_template(response).encode(), COMPRESSION_LEVEL))
        return _with_status(response, "miss")

    return wrapper


def _cache_call(method: Callable[..., Any], *args: Any) -> Any:
    """The cache is an optimisation: when its server fails (Redis down), the page is rendered as usual."""
    try:
        return method(*args)
    except Exception:  # any backend error: logged, never shown to the user
        current_app.logger.warning("page cache unavailable", exc_info=True)
        return None


def _may_use_cache() -> bool:
    """A signed-in GET with no message waiting to be shown."""
    return request.method == "GET" and current_user.is_authenticated and "_flashes" not in session


def _fresh_requested() -> bool:
    return "no-cache" in request.headers.get("Cache-Control", "") or request.headers.get("Pragma") == "no-cache"


def _key() -> str:
    parts = (
        "page",
        request.host,
        request.full_path,
        current_user.get_id(),
        get_locale(),
        local_today().isoformat(),
        dataversion.current(),
    )
    return ":".join(str(part) for part in parts)


def _may_store(response: Response) -> bool:
    return (
        response.status_code == 200
        and response.mimetype == "text/html"
        and not response.is_streamed
        and "Set-Cookie" not in response.headers
        and not get_flashed_messages()  # shown on this page only (the list is kept for the request)
    )


def _as_template(response: Response) -> str:
    html = response.get_data(as_text=True)
    token = g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    return html.replace(token, TOKEN_PLACEHOLDER) if token else html


def _response(stored: bytes) -> Response:
    html = zlib.decompress(stored).decode()
    if TOKEN_PLACEHOLDER in html:
        html = html.replace(TOKEN_PLACEHOLDER, generate_csrf())
    return current_app.response_class(html, mimetype="text/html")


def _with_status(response: Response, status: str) -> Response:
    response.headers[STATUS_HEADER] = status
    return response

"""The JSON API under ``/api/v1`` (docs/api.md): personal access tokens, the register and the contracts
read and written through the same services, forms and roles as the pages, OpenAPI 3.1 from the code."""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter

from oversight.api import (  # noqa: F401 - the modules add their views to ``bp``
    audits,
    contacts,
    contracts,
    disposals,
    docs,
    evaluations,
    incidents,
    reminders,
    subcontracts,
    vendors,
)
from oversight.api.access import rate_key, rate_limit
from oversight.api.blueprint import bp
from oversight.api.problems import problem_response
from oversight.extensions import csrf


def init_api(app: Flask) -> None:
    """Register the blueprint, its rate limit and its errors."""
    # A token, not a cookie, authenticates every request: no browser can be made to send one, so the
    # CSRF check (which protects cookie sessions) does not apply here.
    csrf.exempt(bp)
    limiter = Limiter(key_func=rate_key, app=app)
    limiter.limit(rate_limit, key_func=rate_key)(bp)
    app.register_blueprint(bp)
    # Errors outside the views (no such route, wrong method, a rate limit) are problem details too.
    app.extensions.setdefault("error_renderers", {})[bp.url_prefix + "/"] = problem_response

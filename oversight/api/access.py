"""Who may call the API: a personal access token (never a session cookie), its scope, its owner's roles
(the same roles as the page the operation mirrors, docs/permissions.md), and a rate limit per token. An
operation that mirrors a page step asking for a new second-factor code (``step_up_required``) is refused:
a token proves neither a second factor nor its freshness (``mirrors``, docs/api.md)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn

from flask import current_app, g, request
from flask_babel import lazy_gettext as _l

from oversight.activity import services as activity
from oversight.api.problems import Problem
from oversight.auth import tokens
from oversight.auth.decorators import PUBLIC, access_rule
from oversight.auth.models import AccessToken, User
from oversight.auth.roles import ALL_ROLES
from oversight.core.timeutil import utcnow
from oversight.extensions import db
from oversight.units import scope as unit_scope
from oversight.units.services import scope_for_user
from oversight.web.second_factor import asks_for_step_up

UNAUTHENTICATED = _l("Send a valid personal access token: Authorization: Bearer <token>.")
READ_ONLY = _l("This token may only read. Create a read-and-write token to change records.")
FORBIDDEN = _l("You do not have permission to open this page.")  # the pages' own message (web.errors)
STEP_UP_ON_THE_PAGE = _l(
    "This decision needs a new code from your authenticator app, which an API token cannot give. "
    "Decide on the page."
)
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="oversight"'}


def authenticate() -> None:
    """Before every API view but the public ones: find the token, refuse the request without one."""
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None or access_rule(view) == PUBLIC:
        return
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    token = tokens.token_for(secret.strip(), now=utcnow()) if scheme.lower() == "bearer" else None
    if token is None:
        raise Problem(401, UNAUTHENTICATED, headers=CHALLENGE)
    db.session.commit()  # last_used_at, even when the request then fails
    g.api_token = token
    unit_scope.replace(scope_for_user(token.user))


def current_token() -> AccessToken:
    return g.api_token


def actor() -> User:
    """The token's owner: the actor of every write, as the signed-in user is on the pages."""
    return g.api_token.user


def api_access(*roles: str, write: bool = False) -> Callable:
    """Allow tokens whose owner holds any of ``roles`` (none: any role); ``write``: read-write tokens only.
    The roles are the page's (``role_required``), which the permission matrix test compares."""
    allowed = frozenset(roles or ALL_ROLES)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            token = current_token()
            if write and not token.may_write:
                raise Problem(403, READ_ONLY)
            if not token.user.has_role(*allowed):
                _refuse(FORBIDDEN)
            return view(*args, **kwargs)

        wrapped.access_roles = allowed  # type: ignore[attr-defined]
        wrapped.api_write = write  # type: ignore[attr-defined]
        return wrapped

    return decorator


def _refuse(detail: Any) -> NoReturn:
    """403 with ``detail``, the refusal written to the activity log as the pages write theirs."""
    activity.record("auth.forbidden", actor=actor(), summary=f"{request.method} {request.path}")
    db.session.commit()  # the refusal is recorded even though the request fails
    raise Problem(403, detail)


def mirrors(page_endpoint: str = "", **by_field: dict[str, str]) -> Callable:
    """Declare the page step an operation mirrors: ``mirrors("disposals.confirm")``, or one step per value of
    a body field: ``mirrors(decision={"approve": "contracts.approve", "return": "contracts.return_to_procurement"})``.

    A request whose step asks for a new second-factor code on its page (``step_up_required``) is refused
    (403, ``STEP_UP_ON_THE_PAGE``, logged): after the token and its roles (``api_access``, above this), before
    the body's schema, the record and ``If-Match`` are looked at; nothing changes."""
    if bool(page_endpoint) == bool(by_field) or len(by_field) > 1:
        raise ValueError("mirrors: one page endpoint, or one body field with a page endpoint per value")
    field, steps = next(iter(by_field.items())) if by_field else ("", {"": page_endpoint})

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            endpoint = steps.get(_value(field), "") if field else page_endpoint
            if endpoint and asks_for_step_up(current_app.view_functions[endpoint]):
                _refuse(STEP_UP_ON_THE_PAGE)
            return view(*args, **kwargs)

        wrapped.page_steps = dict(steps)  # type: ignore[attr-defined]
        wrapped.page_step_field = field  # type: ignore[attr-defined]
        return wrapped

    return decorator


def refused_on_the_page() -> NoReturn:
    """The answer of an operation, or of one value of its field, whose page step asks for a new code: what
    ``mirrors`` answers before the view, said by the view itself instead of carrying out a decision no token
    may reach (it keeps the refusal should the view ever be called without ``mirrors``)."""
    _refuse(STEP_UP_ON_THE_PAGE)


def _value(field: str) -> str:
    """The body's ``field`` as sent (a value the schema will refuse matches no step)."""
    body = request.get_json(silent=True)
    value = body.get(field) if isinstance(body, dict) else None
    return value if isinstance(value, str) else ""


def page_steps(view: Callable) -> dict[str, str]:
    """The page steps an operation declared with ``mirrors`` (``{value of its field: page endpoint}``; ``""``:
    the one step), or ``{}``."""
    return dict(getattr(view, "page_steps", {}))


def refused_steps(view: Callable) -> dict[str, str]:
    """The declared page steps the operation refuses: those that ask for a new code on their page."""
    return {value: endpoint for value, endpoint in page_steps(view).items()
            if asks_for_step_up(current_app.view_functions[endpoint])}


def rate_key() -> str:
    """The rate limit's key: the presented token (hashed, so no secret sits in the limiter's storage),
    else the client's address."""
    header = request.headers.get("Authorization", "")
    if header:
        return "token:" + hashlib.sha256(header.encode()).hexdigest()
    return "address:" + (request.remote_addr or "")


def rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]

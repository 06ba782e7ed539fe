"""Who may call the API: a personal access token (never a session cookie), its scope, its owner's roles
(the same roles as the page the operation mirrors, docs/permissions.md), and a rate limit per token."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

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

UNAUTHENTICATED = _l("Send a valid personal access token: Authorization: Bearer <token>.")
READ_ONLY = _l("This token may only read. Create a read-and-write token to change records.")
FORBIDDEN = _l("You do not have permission to open this page.")  # the pages' own message (web.errors)
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
                activity.record("auth.forbidden", actor=token.user, summary=f"{request.method} {request.path}")
                db.session.commit()  # the refusal is recorded even though the request fails
                raise Problem(403, FORBIDDEN)
            return view(*args, **kwargs)

        wrapped.access_roles = allowed  # type: ignore[attr-defined]
        wrapped.api_write = write  # type: ignore[attr-defined]
        return wrapped

    return decorator


def rate_key() -> str:
    """The rate limit's key: the presented token (hashed, so no secret sits in the limiter's storage),
    else the client's address."""
    header = request.headers.get("Authorization", "")
    if header:
        return "token:" + hashlib.sha256(header.encode()).hexdigest()
    return "address:" + (request.remote_addr or "")


def rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]

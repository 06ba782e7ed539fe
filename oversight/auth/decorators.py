"""Access control: every view declares who may use it, with exactly one of these."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, request
from flask_login import current_user

from oversight.activity import services as activity
from oversight.auth.roles import ALL_ROLES
from oversight.extensions import db, login_manager

PUBLIC = "public"


def role_required(*roles: str) -> Callable:
    """Allow signed-in users holding any of ``roles`` (no roles given: any role at all)."""
    allowed = frozenset(roles or ALL_ROLES)
    unknown = allowed - set(ALL_ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*allowed):
                activity.record(
                    "auth.forbidden",
                    actor=current_user,
                    summary=f"{request.method} {request.path}",
                )
                db.session.commit()  # the refusal is recorded even though the request fails
                abort(403)
            return view(*args, **kwargs)

        wrapped.access_roles = allowed  # type: ignore[attr-defined]
        return wrapped

    return decorator


def public(view: Callable) -> Callable:
    """Mark a view as open to anonymous visitors (sign-in page, language choice)."""
    view.access_roles = PUBLIC  # type: ignore[attr-defined]
    return view


def access_rule(view: Callable) -> frozenset[str] | str | None:
    """The rule a view declared, or None when it declared none."""
    return getattr(view, "access_roles", None)

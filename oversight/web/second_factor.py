"""The second factor in the request cycle (docs/sessions.md).

* A signed-in user holding a role that must use a second factor (admin setting, default admin and
  manager) and who has not set one up reaches no page but the set-up page, sign-out and the language
  choice.
* A user with a factor reaches no page but the code page, sign-out and the language choice until this
  session has checked a code: after the password, after "keep me signed in", after company sign-in.
* ``step_up_required`` asks for a new code before a sensitive action when the session's last check is
  older than the step-up setting; it marks the view (``asks_for_step_up``), so that the API refuses the
  operations that mirror it (a token is no second factor).

``session["factor_checked_at"]`` holds when this session last checked a code (a POSIX timestamp); the
session is cleared at every sign-in, sign-out and idle timeout, so it never outlives the session.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from oversight.admin.sign_in_settings import second_factor_roles, step_up_minutes
from oversight.auth.session import OPEN_ENDPOINTS
from oversight.core.timeutil import utcnow

CHECKED_AT = "factor_checked_at"
ENROL = "auth.enrol_second_factor"
VERIFY = "auth.verify_second_factor"
# Reachable whatever the second factor's state: leaving, and the language of the page that asks.
ALWAYS_OPEN = {"auth.logout", "auth.language"}


def init_second_factor(app: Flask) -> None:
    app.before_request(require_second_factor)


def must_enrol(user: Any) -> bool:
    """Whether ``user`` has to set up a second factor before anything else."""
    return (
        current_app.config["SECOND_FACTOR_ENFORCED"]
        and not user.has_second_factor
        and bool(second_factor_roles() & set(user.roles))
    )


def mark_checked() -> None:
    """This session has just checked a code (sign-in, set-up or step-up)."""
    session[CHECKED_AT] = utcnow().timestamp()


def require_second_factor():
    """Send a half-signed-in user to the set-up or code page; let everything else through."""
    if request.endpoint is None or request.endpoint in OPEN_ENDPOINTS or request.endpoint in ALWAYS_OPEN:
        return None
    if not current_user.is_authenticated:
        return None
    if current_user.has_second_factor:
        if CHECKED_AT in session or request.endpoint == VERIFY:
            return None
        return redirect(url_for(VERIFY, next=_next_target()))
    if request.endpoint != ENROL and must_enrol(current_user):
        return redirect(url_for(ENROL, next=_next_target()))
    return None


def _next_target() -> str | None:
    return request.full_path.rstrip("?") if request.method == "GET" else None


def step_up_required(view: Callable) -> Callable:
    """Before a sensitive action: a new code when this session's last check is older than the setting.

    A user without a second factor has nothing to check (where one is required, the gate above has
    already sent them to set it up). A form posted after the time ran out sends the user to the code
    page and back to the form's page, which they send again.
    """

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user.is_authenticated and current_user.has_second_factor:
            checked = session.get(CHECKED_AT)
            if checked is None or utcnow().timestamp() - float(checked) > step_up_minutes() * 60:
                flash(_("Enter a code from your authenticator app to continue."), "info")
                return redirect(url_for(VERIFY, next=_return_target(), step_up=1))
        return view(*args, **kwargs)

    wrapped.step_up = True  # type: ignore[attr-defined]
    return wrapped


def asks_for_step_up(view: Callable) -> bool:
    """Whether ``view`` (a page's view function, whatever decorators wrap it: ``functools.wraps`` carries the
    mark outwards) asks for a new code with ``step_up_required``. The API refuses the operations that mirror
    such a step (``oversight.api.access.mirrors``)."""
    return getattr(view, "step_up", False) is True


def _return_target() -> str | None:
    if request.method == "GET":
        return request.full_path.rstrip("?")
    referrer = request.referrer or ""
    return "/" + referrer[len(request.host_url):] if referrer.startswith(request.host_url) else None

"""Sessions: Flask-Login set-up, idle timeout, the remember-me policy and the default-deny rule for views.

The policy is written down in docs/sessions.md: a session ends after IDLE_TIMEOUT_MINUTES without a
request; the "keep me signed in" cookie may then sign the user in again, into a new session and with a
row in the activity log, except for administrators and managers, whose cookies are refused.
"""

from datetime import datetime

from flask import Flask, abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user, user_loaded_from_cookie
from flask_login.config import COOKIE_NAME
from flask_login.utils import decode_cookie

from oversight.activity import services as activity
from oversight.auth import services
from oversight.auth.decorators import access_rule
from oversight.auth.models import User
from oversight.auth.permissions import can_stay_signed_in
from oversight.core.timeutil import utcnow
from oversight.extensions import db, login_manager

# Endpoints served by Flask and extensions themselves (static files, the site icon), open to everyone. They
# never load the user, so their answers carry no session cookie: a browser fetches the icon on its own, late,
# and a cookie in that answer would replace the session a newer request started (a vendor-portal link).
OPEN_ENDPOINTS = {"static", "bootstrap.static", "favicon"}


def init_auth(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "warning"
    login_manager.localize_callback = str  # flash the translated text, not the lazy string
    login_manager.session_protection = "strong"
    login_manager.user_loader(services.load_user)
    user_loaded_from_cookie.connect(_note_cookie_sign_in, app)
    app.before_request(check_session)
    app.before_request(deny_undeclared_views)


def _note_cookie_sign_in(_app: Flask, user: User, **_extra: object) -> None:
    """Flask-Login signed the user in from the remember-me cookie: no session of this browser held them."""
    g.signed_in_by_cookie = True


def check_session():
    """End a session idle for IDLE_TIMEOUT_MINUTES; let a remember-me cookie open a new one where allowed."""
    if request.endpoint in OPEN_ENDPOINTS:  # static files neither count as activity nor sign anyone in
        return None
    if request.blueprint == "api":  # the API is authenticated by tokens; a session cookie means nothing there
        return None
    user = current_user._get_current_object()  # from the session, else from the remember-me cookie
    if not user.is_authenticated:
        return None
    now = utcnow()
    if g.pop("signed_in_by_cookie", False):
        return _sign_in_again(user, now)
    last_seen = session.get("last_seen")
    if last_seen is not None and now.timestamp() - float(last_seen) > current_app.config["IDLE_TIMEOUT_MINUTES"] * 60:
        activity.record("auth.idle_timeout", actor=user, target=user, summary=user.email)
        if _holds_remember_cookie(user):
            return _sign_in_again(user, now)
        db.session.commit()
        return _end_session(_("You were signed out after %(minutes)d minutes without activity.",
                              minutes=current_app.config["IDLE_TIMEOUT_MINUTES"]))  # in the user's language
    _mark_active(now)
    return None


def _holds_remember_cookie(user: User) -> bool:
    """Whether the request carries a valid remember-me cookie of ``user`` (its current session token)."""
    cookie = request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME))
    return cookie is not None and decode_cookie(cookie) == user.get_id()


def _sign_in_again(user: User, now: datetime):
    """The remember-me cookie signs ``user`` in again: into a new session, logged; refused by the policy."""
    if not can_stay_signed_in(user):
        services.record_remember_refused(user)
        db.session.commit()
        return _end_session(_("Administrators and managers are not kept signed in. Please sign in again."))
    services.record_remember_sign_in(user)
    db.session.commit()
    session.clear()  # nothing of the ended session carries over (form tokens, flashed messages)
    login_user(user, fresh=False)
    _mark_active(now)
    return None


def _mark_active(now: datetime) -> None:
    session["last_seen"] = now.timestamp()
    session.permanent = True


def _end_session(message: str):
    """Sign this browser out (forgetting its remember-me cookie) and send it to the sign-in page."""
    session.clear()
    logout_user()  # after clear(): it marks the remember-me cookie for deletion in the session
    flash(message, "warning")
    return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))


def deny_undeclared_views():
    """Refuse any view that declares no access rule (secure by default)."""
    if request.endpoint is None or request.endpoint in OPEN_ENDPOINTS:
        return None
    view = current_app.view_functions.get(request.endpoint)
    if view is not None and access_rule(view) is None:
        current_app.logger.error("View %s declares no access rule", request.endpoint)
        abort(403)
    return None

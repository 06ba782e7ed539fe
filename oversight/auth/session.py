"""Sessions: Flask-Login set-up, idle timeout and the default-deny rule for views."""

from flask import Flask, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from oversight.activity import services as activity
from oversight.auth.decorators import access_rule
from oversight.auth.services import load_user
from oversight.core.timeutil import utcnow
from oversight.extensions import db, login_manager

# Endpoints served by Flask and extensions themselves (static files), open to everyone.
OPEN_ENDPOINTS = {"static", "bootstrap.static"}


def init_auth(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "warning"
    login_manager.localize_callback = str  # flash the translated text, not the lazy string
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_user)
    app.before_request(enforce_idle_timeout)
    app.before_request(deny_undeclared_views)


def enforce_idle_timeout():
    """Sign out a user who has done nothing for IDLE_TIMEOUT_MINUTES."""
    if not current_user.is_authenticated:
        return None
    now = utcnow()
    last_seen = session.get("last_seen")
    limit = current_app.config["IDLE_TIMEOUT_MINUTES"] * 60
    if last_seen is not None and now.timestamp() - float(last_seen) > limit:
        activity.record("auth.idle_timeout", actor=current_user, target=current_user, summary=current_user.email)
        db.session.commit()
        message = _("You were signed out after %(minutes)d minutes without activity.",
                    minutes=current_app.config["IDLE_TIMEOUT_MINUTES"])  # in the user's language
        session.clear()
        logout_user()  # after clear(): it marks the remember-me cookie for deletion in the session
        flash(message, "warning")
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
    session["last_seen"] = now.timestamp()
    session.permanent = True
    return None


def deny_undeclared_views():
    """Refuse any view that declares no access rule (secure by default)."""
    if request.endpoint is None or request.endpoint in OPEN_ENDPOINTS:
        return None
    view = current_app.view_functions.get(request.endpoint)
    if view is not None and access_rule(view) is None:
        current_app.logger.error("View %s declares no access rule", request.endpoint)
        abort(403)
    return None


"""The dashboard."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from oversight.auth.decorators import public, role_required

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@public
def root():
    """Send visitors to the dashboard or the sign-in page."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    return redirect(url_for("auth.login"))


@bp.route("/dashboard")
@role_required()
def index():
    """What the signed-in user can do and open."""
    return render_template("dashboard/index.html")

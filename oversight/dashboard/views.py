"""The dashboard: my work, attention, coverage and trend; the due-date calendar and its iCalendar feed."""

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from oversight.auth.decorators import public, role_required
from oversight.core.pagination import page_number, paginate_list
from oversight.core.timeutil import local_today, utcnow
from oversight.dashboard import feed, services
from oversight.dashboard.forms import FeedForm
from oversight.extensions import db
from oversight.units import scope as unit_scope
from oversight.units.services import scope_for_user

bp = Blueprint("dashboard", __name__)


@bp.app_template_global("dashboard_row_texts")
def row_texts() -> dict:
    """The due and work tables' row texts, translated once per table (``services.row_texts``)."""
    return services.row_texts()


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
    """What the signed-in user must do, what is late or falling due, and how complete the oversight is."""
    whole_company = request.args.get("scope") == "all"
    context = services.dashboard(current_user, local_today(), whole_company=whole_company)
    db.session.commit()  # keeps vendor states re-judged here when the midnight job did not run (status.store)
    return render_template("dashboard/index.html", **context)


@bp.route("/dashboard/due")
@role_required()
def due_list():
    """Every overdue duty (or every duty due within 30 days), optionally of one kind, a page at a time."""
    bucket, kind = request.args.get("bucket", ""), request.args.get("kind", "")
    context = services.due_list(local_today(), bucket, kind, page_number(), current_app.config["PAGE_SIZE"])
    return render_template("dashboard/due.html", pagination=context.pop("entries"), **context)


@bp.route("/dashboard/work")
@role_required()
def work_list():
    """Everything waiting for the signed-in user, oldest first, a page at a time."""
    pagination = services.work_list(current_user, local_today(), page_number(), current_app.config["PAGE_SIZE"])
    return render_template("dashboard/work.html", pagination=pagination, today=local_today())


@bp.route("/dashboard/calendar")
@role_required()
def calendar():
    """A month of due dates, filterable by kind."""
    today = local_today()
    first, is_valid = services.parse_month(request.args.get("month"), today)
    day = services.parse_day(request.args.get("day"), first)
    context = services.month_calendar(first, today, services.parse_kinds(request.args.getlist("kind")), day)
    pagination = paginate_list(context.pop("entries"))
    return (
        render_template("dashboard/calendar.html", bad_month=not is_valid, pagination=pagination, **context),
        200 if is_valid else 400,
    )


@bp.route("/dashboard/feed")
@role_required()
def feed_settings():
    """The calendar feed page: whether a feed exists, and buttons to create, regenerate or revoke it."""
    return render_template("dashboard/feed.html", token=feed.active_token(current_user), form=FeedForm(), new_url=None)


@bp.route("/dashboard/feed/create", methods=["POST"])
@role_required()
def create_feed():
    """Create (or replace) the user's feed token and show its address once."""
    form = FeedForm()
    if not form.validate_on_submit():
        abort(400)
    token = feed.create_token(current_user, actor=current_user, now=utcnow())
    db.session.commit()
    new_url = url_for("dashboard.feed_ics", token=token, _external=True)
    return render_template("dashboard/feed.html", token=feed.active_token(current_user), form=form, new_url=new_url)


@bp.route("/dashboard/feed/revoke", methods=["POST"])
@role_required()
def revoke_feed():
    """Revoke the user's feed token: its address answers 404 from now on."""
    form = FeedForm()
    if not form.validate_on_submit():
        abort(400)
    if feed.revoke_token(current_user, actor=current_user, now=utcnow()):
        db.session.commit()
        flash(_("The calendar feed was revoked."), "success")
    return redirect(url_for("dashboard.feed_settings"))


@bp.route("/calendar/<token>.ics")
@public
def feed_ics(token: str):
    """The iCalendar feed, authenticated by the token in its address (404 when unknown or revoked)."""
    user = feed.user_for_token(token)
    if user is None:
        abort(404)
    unit_scope.replace(scope_for_user(user))  # the feed shows what its owner may see
    with force_locale(user.language or "ja"):  # the feed reads in its owner's language, not the caller's
        today = local_today()
        body = feed.feed_ics(user, today, base_url=request.url_root, now=utcnow())
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "private, max-age=300"})

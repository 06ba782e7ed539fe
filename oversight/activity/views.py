"""The activity log pages (admin only)."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from oversight.activity import display, exports, services
from oversight.activity.forms import LogFilterForm
from oversight.auth.decorators import role_required
from oversight.auth.models import User
from oversight.auth.roles import ADMIN
from oversight.core import registry
from oversight.core.exports import download
from oversight.core.pagination import COUNT_LIMIT, paginate
from oversight.extensions import db

bp = Blueprint("activity", __name__, url_prefix="/activity")


def _filter_form() -> tuple[LogFilterForm, services.LogFilter]:
    users = db.session.scalars(db.select(User).order_by(User.name)).all()
    form = LogFilterForm(request.args, users=users)
    if not form.validate():
        return form, services.LogFilter()
    filters = services.LogFilter(
        actor_id=int(form.actor.data) if form.actor.data else None,
        object_type=form.object_type.data or None,
        object_id=form.object_id.data,
        action=form.action.data or None,
        date_from=form.date_from.data,
        date_to=form.date_to.data,
    )
    return form, filters


@bp.route("/")
@role_required(ADMIN)
def index():
    """The log, newest first, with filters."""
    form, filters = _filter_form()
    pagination = paginate(services.filtered_query(filters), count_limit=COUNT_LIMIT)
    views = display.page_views(list(pagination.items), registry.current())
    return render_template("activity/index.html", form=form, pagination=pagination, views=views)


@bp.route("/export")
@bp.route("/export.csv")
@role_required(ADMIN)
def export():
    """Download the filtered log as CSV (default) or Excel (``format=xlsx``); the export itself is logged."""
    _, filters = _filter_form()
    services.record("activity.export", actor=current_user, summary=request.query_string.decode()[:500])
    db.session.commit()
    return download(exports.EXPORT, services.filtered_query(filters), request.args.get("format"))

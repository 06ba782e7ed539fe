"""The reminder outbox (admin only): every reminder, its status, and a resend button."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from oversight.auth.decorators import role_required
from oversight.auth.models import User
from oversight.auth.roles import ADMIN
from oversight.core import registry
from oversight.core.due import title_text
from oversight.core.pagination import COUNT_LIMIT, paginate
from oversight.core.timeutil import utcnow
from oversight.extensions import db
from oversight.reminders import services
from oversight.reminders.forms import STATUS_LABELS, OutboxFilterForm, ResendForm
from oversight.reminders.labels import stage_label
from oversight.reminders.models import FAILED, LOGGED, PENDING, SENDING, SENT, UNCERTAIN, ReminderLog
from oversight.web.saving import commit_step

bp = Blueprint("reminders", __name__, url_prefix="/reminders")

LIST_ARGS = ("status", "rule", "recipient", "page")
STATUS_BADGES = {
    FAILED: "text-bg-danger", SENT: "text-bg-success", PENDING: "text-bg-warning", LOGGED: "text-bg-secondary",
    SENDING: "text-bg-info", UNCERTAIN: "text-bg-warning border border-danger",
}


@bp.route("/outbox")
@role_required(ADMIN)
def outbox():
    """Every reminder row, newest first, filtered by status, rule and recipient."""
    users = db.session.scalars(db.select(User).order_by(User.name)).all()
    features = registry.current()
    rules = [(rule, features.kind_label(kind)) for rule, kind in services.rule_names()]
    form = OutboxFilterForm(request.args, rules=rules, users=users)
    filters = services.OutboxFilter()
    if form.validate():
        recipient = form.recipient.data
        filters = services.OutboxFilter(
            status=form.status.data or None,
            rule=form.rule.data or None,
            recipient_id=int(recipient) if recipient else None,
        )
    pagination = paginate(services.outbox_query(filters), count_limit=COUNT_LIMIT)
    return render_template(
        "reminders/outbox.html", form=form, pagination=pagination, resend_form=ResendForm(),
        status_labels=STATUS_LABELS, status_badges=STATUS_BADGES, kind_label=features.kind_label,
        stage_label=stage_label, title_text=title_text,
    )


@bp.route("/outbox/<int:reminder_id>/resend", methods=["POST"])
@role_required(ADMIN)
def resend(reminder_id: int):
    """Queue one reminder again and try to send it at once."""
    row = db.get_or_404(ReminderLog, reminder_id)
    queued = ResendForm().validate_on_submit() and commit_step(
        lambda: services.resend(row, actor=current_user, now=utcnow())
    )
    if queued:
        result = services.retry_failed(utcnow(), recipient_ids=[row.recipient_id] if row.recipient_id else [],
                                       contact_ids=[row.contact_id] if row.contact_id else [])
        if result.failed or result.uncertain:
            problem = (result.failed or result.uncertain)[0]
            flash(_l("The reminder could not be sent: %(error)s", error=problem.error), "danger")
        elif result.digests:
            flash(_l("The reminder was sent again."), "success")
        else:
            flash(_l("The reminder is queued; the next run sends it."), "info")
    return redirect(url_for("reminders.outbox", **_list_args()))


@bp.route("/outbox/<int:reminder_id>/confirm", methods=["POST"])
@role_required(ADMIN)
def confirm_sent(reminder_id: int):
    """Mark an uncertain digest sent (the mail server's log shows it was accepted): it is not sent again."""
    row = db.get_or_404(ReminderLog, reminder_id)
    if ResendForm().validate_on_submit() and commit_step(lambda: services.confirm_sent(row, actor=current_user)):
        flash(_l("Marked as sent; it will not be sent again."), "success")
    return redirect(url_for("reminders.outbox", **_list_args()))


def _list_args() -> dict[str, str]:
    """The outbox filters and page the resend button was pressed on, to return to them."""
    return {key: value for key, value in request.args.items() if key in LIST_ARGS and value}

"""Return/deletion pages: the list (overdue first) and one item with its certificate and confirmation."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from oversight.auth.decorators import role_required
from oversight.core.exports import download
from oversight.core.i18n import labels
from oversight.core.pagination import paginate
from oversight.core.timeutil import local_today, utcnow
from oversight.disposals import exports, permissions, services
from oversight.disposals.forms import CertificateForm, ConfirmForm, DisposalFilterForm, ReturnForm
from oversight.disposals.models import METHOD_LABELS, REASON_LABELS, STATE_COLOURS, STATE_LABELS, DisposalItem
from oversight.evidence import services as evidence_services
from oversight.web.saving import commit_step
from oversight.web.second_factor import step_up_required

bp = Blueprint("disposals", __name__, url_prefix="/disposals")
# Same rule as the contract: everyone who may sign in may read the certificate.

RECORDERS = permissions.RECORDERS


def _load(item_id: int) -> DisposalItem:
    item = services.load_item(item_id)
    if item is None:
        abort(404)
    return item


def _detail(item_id: int, status: int = 200, **forms):
    item = _load(item_id)
    today = local_today()
    context = {
        "item": item,
        "today": today,
        "is_overdue": item.is_overdue_on(today),
        "days_left": item.days_left_on(today),
        "files": evidence_services.files_for("disposal", item.id),
        "can_record": permissions.can_record(current_user, item),
        "can_confirm": permissions.can_confirm(current_user, item),
        "can_return": permissions.can_return(current_user, item),
        "is_own_certificate": item.recorded_at is not None
        and not item.is_confirmed
        and current_user.has_role(*permissions.CONFIRMERS)
        and permissions.is_own_certificate(current_user, item),
        "form": CertificateForm(formdata=None, obj=item, data={"version": item.version}),
        "confirm_form": ConfirmForm(formdata=None, data={"version": item.version}),
        "return_form": ReturnForm(formdata=None, data={"version": item.version}),
    }
    context.update(forms)
    return render_template("disposals/detail.html", **context), status


def _filtered_query():
    """The filter form on the query string, and the list's query (every item when the filters are invalid)."""
    form = DisposalFilterForm(request.args)
    data = form.filters()
    query = services.list_query(
        state=data.get("state") or "",
        vendor_id=data.get("vendor_id"),
        vendor_text=data.get("vendor_text") or "",
        q=data.get("q") or "",
        today=local_today(),
        sort=services.LIST_SORTING.read(request.args),
    )
    return form, query


@bp.route("/")
@role_required()
def index():
    """Every return/deletion item, overdue first."""
    form, query = _filtered_query()
    today = local_today()
    sort = services.LIST_SORTING.read(request.args)
    return render_template(
        "disposals/index.html",
        form=form,
        pagination=paginate(services.list_rows(query)),
        today=today,
        sort=sort,
        # The rows' labels, translated once for the page rather than once per row.
        state_labels=labels(STATE_LABELS),
        state_colours=STATE_COLOURS,
        reason_labels=labels(REASON_LABELS),
        method_labels=labels(METHOD_LABELS),
    )


@bp.route("/export")
@role_required()
def export():
    """The filtered list as CSV (default) or Excel (``format=xlsx``)."""
    _form, query = _filtered_query()
    return download(exports.EXPORT, query, request.args.get("format"))


@bp.route("/<int:item_id>")
@role_required()
def detail(item_id: int):
    """One item: due date, the certificate and its file, and the confirmation."""
    return _detail(item_id)


@bp.route("/<int:item_id>/certificate", methods=["POST"])
@role_required(*RECORDERS)
def record_certificate(item_id: int):
    """Record the certificate's fields and attach its file."""
    item = _load(item_id)
    form = CertificateForm()
    if not form.validate_on_submit():
        return _detail(item_id, 400, form=form)
    outcome = commit_step(
        lambda: services.record_certificate(
            item, form.values(), file_storage=form.file.data, actor=current_user, now=utcnow(), today=local_today()
        ),
        record=item, version=form.version.data, upload_field=form.file,
    )
    if not outcome:
        return _detail(item_id, outcome.status, form=form)
    flash(_l("The certificate was recorded; a manager can now confirm it."), "success")
    return redirect(url_for("disposals.detail", item_id=item_id))


@bp.route("/<int:item_id>/confirm", methods=["POST"])
@role_required(*permissions.CONFIRMERS)
@step_up_required
def confirm(item_id: int):
    """A manager confirms the return or deletion."""
    item = _load(item_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _detail(item_id, 400, confirm_form=form)
    outcome = commit_step(
        lambda: services.confirm(item, actor=current_user, note=form.note.data, now=utcnow()),
        record=item, version=form.version.data,
    )
    if not outcome:
        return _detail(item_id, outcome.status, confirm_form=form)
    flash(_l("The return/deletion was confirmed."), "success")
    return redirect(url_for("disposals.detail", item_id=item_id))


@bp.route("/<int:item_id>/return", methods=["POST"])
@role_required(*permissions.RETURNERS)
def return_certificate(item_id: int):
    """A manager sends the certificate back (差戻し) with the reason; procurement records it again."""
    item = _load(item_id)
    form = ReturnForm()
    if not form.validate_on_submit():
        return _detail(item_id, 400, return_form=form)
    outcome = commit_step(
        lambda: services.return_certificate(item, actor=current_user, note=form.note.data, now=utcnow()),
        record=item,
        version=form.version.data,
        error_field=form.note,
    )
    if not outcome:
        return _detail(item_id, outcome.status, return_form=form)
    flash(_l("The certificate was returned to procurement."), "success")
    return redirect(url_for("disposals.detail", item_id=item_id))

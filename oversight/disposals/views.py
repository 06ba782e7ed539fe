"""Return/deletion pages: the list (overdue first) and one item with its certificate and confirmation."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from oversight.auth.decorators import role_required
from oversight.auth.roles import ADMIN, MANAGER, PROCUREMENT
from oversight.contracts.errors import ContractRuleError
from oversight.core.editing import StaleEditError, ensure_current
from oversight.core.pagination import paginate
from oversight.core.timeutil import local_today, utcnow
from oversight.disposals import services
from oversight.disposals.forms import STATE_FILTER_LABELS, CertificateForm, ConfirmForm, DisposalFilterForm
from oversight.disposals.models import DisposalItem
from oversight.evidence import services as evidence_services
from oversight.evidence.validation import UploadRejected
from oversight.extensions import db
from oversight.reports import exports as list_exports

bp = Blueprint("disposals", __name__, url_prefix="/disposals")
# Same rule as the contract: everyone who may sign in may read the certificate.
bp.record_once(lambda state: evidence_services.register_owner("disposal", lambda user, owner_id: True))

RECORDERS = (PROCUREMENT, ADMIN)
STALE_MESSAGE = _l(
    "Someone else saved this record after you opened it. Your changes were not saved; "
    "they are still in the form below. Reload the page to see the other changes."
)


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
        "can_record": not item.is_confirmed and current_user.has_role(*RECORDERS),
        "can_confirm": item.recorded_at is not None
        and not item.is_confirmed
        and current_user.has_role(MANAGER)
        and current_user.id != item.recorded_by_id,
        "is_own_certificate": item.recorded_at is not None
        and not item.is_confirmed
        and current_user.has_role(MANAGER)
        and current_user.id == item.recorded_by_id,
        "form": CertificateForm(formdata=None, obj=item, data={"version": item.version}),
        "confirm_form": ConfirmForm(formdata=None, data={"version": item.version}),
    }
    context.update(forms)
    return render_template("disposals/detail.html", **context), status


@bp.route("/")
@role_required()
def index():
    """Every return/deletion item, overdue first."""
    vendors = services.vendors_for_filter()
    form = DisposalFilterForm(request.args, vendors=vendors)
    data = form.data if form.validate() else {}
    vendor = data.get("vendor") or ""
    today = local_today()
    query = services.list_query(
        state=data.get("state") or "",
        vendor_id=int(vendor) if vendor.isdigit() else None,
        q=data.get("q") or "",
        today=today,
    )
    return render_template(
        "disposals/index.html", form=form, pagination=paginate(query), today=today, state_labels=STATE_FILTER_LABELS
    )


@bp.route("/export")
@role_required()
def export():
    """The filtered list as CSV (default) or Excel (``format=xlsx``)."""
    vendors = services.vendors_for_filter()
    form = DisposalFilterForm(request.args, vendors=vendors)
    data = form.data if form.validate() else {}
    vendor = data.get("vendor") or ""
    query = services.list_query(
        state=data.get("state") or "",
        vendor_id=int(vendor) if vendor.isdigit() else None,
        q=data.get("q") or "",
        today=local_today(),
    )
    return list_exports.download("disposals", query, request.args.get("format"))


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
    try:
        ensure_current(item, form.version.data)
        services.record_certificate(
            item, form.values(), file_storage=form.file.data, actor=current_user, now=utcnow(), today=local_today()
        )
        db.session.commit()
    except StaleEditError:
        db.session.rollback()
        flash(STALE_MESSAGE, "danger")
        return _detail(item_id, 409, form=form)
    except UploadRejected as error:
        db.session.rollback()
        form.file.errors = [*form.file.errors, error.message]
        return _detail(item_id, 400, form=form)
    except ContractRuleError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return _detail(item_id, 400, form=form)
    flash(_l("The certificate was recorded; a manager can now confirm it."), "success")
    return redirect(url_for("disposals.detail", item_id=item_id))


@bp.route("/<int:item_id>/confirm", methods=["POST"])
@role_required(MANAGER)
def confirm(item_id: int):
    """A manager confirms the return or deletion."""
    item = _load(item_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _detail(item_id, 400, confirm_form=form)
    try:
        ensure_current(item, form.version.data)
        services.confirm(item, actor=current_user, note=form.note.data, now=utcnow())
        db.session.commit()
    except StaleEditError:
        db.session.rollback()
        flash(STALE_MESSAGE, "danger")
        return _detail(item_id, 409, confirm_form=form)
    except ContractRuleError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return _detail(item_id, 400, confirm_form=form)
    flash(_l("The return or deletion was confirmed."), "success")
    return redirect(url_for("disposals.detail", item_id=item_id))

"""Vendor register pages: list, detail, create/edit, status moves, contacts and certifications."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from oversight.auth import services as auth_services
from oversight.auth.decorators import role_required
from oversight.auth.roles import ADMIN, PROCUREMENT
from oversight.core.exports import download
from oversight.core.timeutil import local_today
from oversight.corporate_numbers import services as corporate_data
from oversight.extensions import db
from oversight.reports import exports as register_exports
from oversight.status import archive, register
from oversight.units import services as unit_services
from oversight.vendors import pages, services
from oversight.vendors.forms import (
    CertificationEditForm,
    CertificationForm,
    ContactEditForm,
    ContactForm,
    StatusForm,
    SuggestForm,
    VendorEditForm,
    VendorFilterForm,
    VendorForm,
)
from oversight.vendors.models import Vendor, VendorCertification, VendorContact
from oversight.web.saving import commit_step

bp = Blueprint("vendors", __name__, url_prefix="/vendors")

EDITORS = (PROCUREMENT, ADMIN)
FILLED_MESSAGE = _l(
    "Filled from the National Tax Agency's corporate-number data: %(fields)s. Check them and save again."
)


def _filled(form: VendorForm) -> bool:
    """On a submitted form, fill the blank name, kana and address from the NTA's data; True (with a message,
    nothing saved yet) when something was filled, so the user sees the values before they are saved."""
    if not form.is_submitted():
        return False
    filled = form.fill_from_corporate_data()
    if filled:
        flash(FILLED_MESSAGE % {"fields": "、".join(filled)}, "info")
    return bool(filled)


def _flash_findings(vendor: Vendor) -> None:
    """The NTA data's warnings about the saved vendor (a different name, a closed corporation)."""
    for warning in corporate_data.findings(vendor.name, corporate_data.lookup(vendor.corporate_number)):
        flash(warning, "warning")


def _load(vendor_id: int) -> Vendor:
    vendor = services.load_vendor_detail(vendor_id)
    if vendor is None:
        abort(404)
    return vendor


def _child(model, child_id: int, vendor: Vendor):
    child = db.get_or_404(model, child_id)
    if child.vendor_id != vendor.id:
        abort(404)
    return child


@bp.route("/")
@role_required()
def index():
    """The register with search, filters, sorting and pagination."""
    form = VendorFilterForm(request.args, users=auth_services.selectable_users())
    sort = services.SORTING.read(request.args)
    return render_template(
        "vendors/index.html",
        form=form,
        sort=sort,
        can_edit=current_user.has_role(*EDITORS),
        **pages.list_page(form.data if form.validate() else {}, sort=sort),
    )


@bp.route("/export")
@role_required()
def export():
    """The filtered register with its oversight lights as CSV (default) or Excel (``format=xlsx``)."""
    form = VendorFilterForm(request.args, users=auth_services.selectable_users())
    filters = form.data if form.validate() else {}
    query = register.list_query(filters, sort=services.SORTING.read(request.args), today=local_today())
    return download(register_exports.VENDORS, query, request.args.get("format"))


@bp.route("/suggest")
@role_required()
def suggest():
    """The vendors a list's vendor filter suggests while the user types (JSON): at most ten of the reader's
    units, and whether there are more; a bad text answers 400 with the message the field would show."""
    form = SuggestForm(request.args)
    if not form.validate():
        return jsonify(error=str(next(iter(form.q.errors))), vendors=[], more=False), 400
    rows, more = services.suggestions(form.q.data)
    vendors = [
        {"id": row.id, "name": row.name, "kana": row.name_kana, "corporate_number": row.corporate_number or ""}
        for row in rows
    ]
    return jsonify(vendors=vendors, more=more)


@bp.route("/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def create():
    """Register a new vendor as a candidate."""
    form = VendorForm(
        users=auth_services.selectable_users(),
        units=unit_services.selectable_units(current_user, *EDITORS),
        fallback_unit_id=unit_services.default_unit().id,
    )
    if not form.is_submitted():
        form.owner_id.data = str(current_user.id)
    if not _filled(form) and form.validate_on_submit():
        try:
            vendor = services.create_vendor(form.values(), actor=current_user)
        except services.DuplicateCorporateNumberError as error:
            db.session.rollback()
            form.corporate_number.errors.append(error.message)
        else:
            db.session.commit()
            flash(_l("Vendor %(name)s was registered.", name=vendor.name), "success")
            _flash_findings(vendor)
            return redirect(url_for("vendors.detail", vendor_id=vendor.id))
    return render_template("vendors/form.html", form=form, vendor=None)


@bp.route("/<int:vendor_id>")
@role_required()
def detail(vendor_id: int):
    """Everything the register holds about one vendor."""
    # The NTA's record of its corporate number and the vendor's units come in the same statement as the vendor.
    query = corporate_data.with_record(services.vendor_detail_query(vendor_id), Vendor.corporate_number)
    row = db.session.execute(query.add_columns(unit_services.vendor_units_column(Vendor.id))).unique().one_or_none()
    if row is None:
        abort(404)
    vendor, record, units = row
    return render_template(
        "vendors/detail.html",
        vendor=vendor,
        can_edit=current_user.has_role(*EDITORS) and not vendor.is_archived,
        **pages.detail_extras(vendor, user=current_user, corporate_record=record, units=units),
    )


@bp.route("/<int:vendor_id>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def edit(vendor_id: int):
    """Change a vendor's register data."""
    vendor = _load(vendor_id)
    form = VendorEditForm(
        users=auth_services.selectable_users(keep=(vendor.owner_id, vendor.manager_id)),
        vendor=vendor,
        units=unit_services.selectable_units(current_user, *EDITORS),
        current_unit_ids=unit_services.unit_ids_of_vendor(vendor.id),
    )
    if not _filled(form) and form.validate_on_submit() and commit_step(
        lambda: services.update_vendor(vendor, form.values(), actor=current_user),
        record=vendor, version=form.version.data, error_field=form.corporate_number,
    ):
        flash(_l("Vendor %(name)s was saved.", name=vendor.name), "success")
        _flash_findings(vendor)
        return redirect(url_for("vendors.detail", vendor_id=vendor.id))
    return render_template("vendors/form.html", form=form, vendor=vendor)


@bp.route("/<int:vendor_id>/status", methods=["GET", "POST"])
@role_required(*EDITORS)
def change_status(vendor_id: int):
    """Move a vendor to another status, with a reason."""
    vendor = _load(vendor_id)
    form = StatusForm(vendor=vendor)
    if form.validate_on_submit() and commit_step(
        lambda: archive.move_vendor(vendor, form.status.data, reason=form.reason.data, actor=current_user)
    ):
        flash(_l("The status of %(name)s is now %(status)s.", name=vendor.name, status=vendor.status_label), "success")
        return redirect(url_for("vendors.detail", vendor_id=vendor.id))
    return render_template("vendors/status.html", form=form, vendor=vendor)


@bp.route("/<int:vendor_id>/contacts/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def add_contact(vendor_id: int):
    """Add a contact person."""
    vendor = _load(vendor_id)
    form = ContactForm()
    if form.validate_on_submit():
        services.add_contact(vendor, form.data, actor=current_user)
        db.session.commit()
        flash(_l("The contact was added."), "success")
        return redirect(url_for("vendors.detail", vendor_id=vendor.id, _anchor="contacts"))
    return render_template("vendors/contact_form.html", form=form, vendor=vendor, contact=None)


@bp.route("/<int:vendor_id>/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def edit_contact(vendor_id: int, contact_id: int):
    """Change a contact person's details."""
    vendor = _load(vendor_id)
    contact = _child(VendorContact, contact_id, vendor)
    form = ContactEditForm(obj=contact)
    if form.validate_on_submit() and commit_step(
        lambda: services.update_contact(contact, form.data, actor=current_user),
        record=contact, version=form.version.data,
    ):
        flash(_l("The contact was saved."), "success")
        return redirect(url_for("vendors.detail", vendor_id=vendor.id, _anchor="contacts"))
    return render_template("vendors/contact_form.html", form=form, vendor=vendor, contact=contact)


@bp.route("/<int:vendor_id>/contacts/<int:contact_id>/delete", methods=["POST"])
@role_required(*EDITORS)
def remove_contact(vendor_id: int, contact_id: int):
    """Delete a contact person."""
    vendor = _load(vendor_id)
    contact = _child(VendorContact, contact_id, vendor)
    services.remove_contact(contact, actor=current_user)
    db.session.commit()
    flash(_l("The contact was removed."), "success")
    return redirect(url_for("vendors.detail", vendor_id=vendor.id, _anchor="contacts"))


@bp.route("/<int:vendor_id>/certifications/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def add_certification(vendor_id: int):
    """Record a certification."""
    vendor = _load(vendor_id)
    form = CertificationForm()
    if form.validate_on_submit():
        services.add_certification(vendor, form.data, actor=current_user)
        db.session.commit()
        flash(_l("The certification was added."), "success")
        return redirect(url_for("vendors.detail", vendor_id=vendor.id, _anchor="certifications"))
    return render_template("vendors/certification_form.html", form=form, vendor=vendor, certification=None)


@bp.route("/<int:vendor_id>/certifications/<int:certification_id>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def edit_certification(vendor_id: int, certification_id: int):
    """Change a certification's details."""
    vendor = _load(vendor_id)
    certification = _child(VendorCertification, certification_id, vendor)
    form = CertificationEditForm(obj=certification)
    if form.validate_on_submit() and commit_step(
        lambda: services.update_certification(certification, form.data, actor=current_user),
        record=certification, version=form.version.data,
    ):
        flash(_l("The certification was saved."), "success")
        return redirect(url_for("vendors.detail", vendor_id=vendor.id, _anchor="certifications"))
    return render_template("vendors/certification_form.html", form=form, vendor=vendor, certification=certification)


@bp.route("/<int:vendor_id>/certifications/<int:certification_id>/delete", methods=["POST"])
@role_required(*EDITORS)
def remove_certification(vendor_id: int, certification_id: int):
    """Delete a certification record."""
    vendor = _load(vendor_id)
    certification = _child(VendorCertification, certification_id, vendor)
    services.remove_certification(certification, actor=current_user)
    db.session.commit()
    flash(_l("The certification was removed."), "success")
    return redirect(url_for("vendors.detail", vendor_id=vendor.id, _anchor="certifications"))

"""Bulk import pages: upload a file, preview every row, confirm the import, download the templates."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from oversight.auth.decorators import role_required
from oversight.auth.roles import ADMIN, PROCUREMENT
from oversight.evidence.validation import UploadRejected
from oversight.extensions import db
from oversight.imports import services, template_files
from oversight.imports.forms import ImportConfirmForm, ImportUploadForm

bp = Blueprint("imports", __name__, url_prefix="/imports")

IMPORTERS = (PROCUREMENT, ADMIN)
TITLES = {
    "vendors": _l("Import vendors"),
    "contracts": _l("Import contracts"),
    "subcontracts": _l("Import subcontractors"),
}
REGISTERS = {"vendors": "vendors.index", "contracts": "contracts.index", "subcontracts": "subcontracts.index"}
DONE_MESSAGES = {
    "vendors": _l(
        "Imported %(rows)d rows: %(created)d vendors registered, %(updated)d updated, %(unchanged)d unchanged."
    ),
    "contracts": _l(
        "Imported %(rows)d rows: %(created)d contracts drafted (waiting for their clause review), "
        "%(updated)d updated, %(unchanged)d unchanged."
    ),
    "subcontracts": _l(
        "Imported %(rows)d rows: %(created)d subcontractors recorded (the register's consents wait for legal's "
        "review and the manager's decision), %(updated)d updated, %(unchanged)d unchanged."
    ),
}


def _kind(kind: str) -> str:
    if kind not in services.KINDS:
        abort(404)
    return kind


@bp.route("/", methods=["GET", "POST"])
@role_required(*IMPORTERS)
def index():
    """The import page of the navigation: vendors first (contracts name registered vendors)."""
    return _upload("vendors")


@bp.route("/<kind>", methods=["GET", "POST"])
@role_required(*IMPORTERS)
def upload(kind: str):
    """Upload a file to preview."""
    return _upload(_kind(kind))


def _upload(kind: str):
    form = ImportUploadForm()
    if form.validate_on_submit():
        try:
            sha256, filename = services.store_upload(form.file.data)
        except UploadRejected as rejected:
            form.file.errors = [*form.file.errors, rejected.message]
        else:
            return redirect(
                url_for("imports.preview", kind=kind, sha256=sha256, name=filename, sheet=form.sheet.data or None)
            )
    status = 400 if form.errors else 200
    return render_template("imports/upload.html", form=form, kind=kind, titles=TITLES), status


def _preview(kind: str, sha256: str) -> services.Preview:
    result = services.preview(kind, sha256, request.args.get("name", ""), sheet=request.args.get("sheet") or None)
    if result is None:
        abort(404)
    return result


@bp.route("/<kind>/<sha256>")
@role_required(*IMPORTERS)
def preview(kind: str, sha256: str):
    """Every row of the kept file with what importing it would do."""
    result = _preview(_kind(kind), sha256)
    return render_template(
        "imports/preview.html", preview=result, form=ImportConfirmForm(), kind=kind, title=TITLES[kind]
    )


@bp.route("/<kind>/<sha256>/confirm", methods=["POST"])
@role_required(*IMPORTERS)
def confirm(kind: str, sha256: str):
    """Import every row of the previewed file, or nothing."""
    result = _preview(_kind(kind), sha256)
    form = ImportConfirmForm()
    if form.validate_on_submit():
        try:
            totals = services.run_import(result, actor=current_user)
        except services.ImportRefused as refused:
            db.session.rollback()
            flash(refused.message, "danger")
        else:
            db.session.commit()
            flash(
                DONE_MESSAGES[kind]
                % {
                    "rows": len(result.rows),
                    "created": totals["create"],
                    "updated": totals["update"],
                    "unchanged": totals["unchanged"],
                },
                "success",
            )
            return redirect(url_for(REGISTERS[kind]))
    return render_template("imports/preview.html", preview=result, form=form, kind=kind, title=TITLES[kind]), 400


@bp.route("/<kind>/template.<file_format>")
@role_required(*IMPORTERS)
def template(kind: str, file_format: str):
    """The template to fill in: XLSX with drop-down lists and notes, or CSV."""
    kind = _kind(kind)
    if file_format not in ("xlsx", "csv"):
        abort(404)
    return template_files.response(kind, file_format)

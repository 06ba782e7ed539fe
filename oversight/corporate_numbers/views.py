"""The administrator's page of the NTA's corporate-number data: what is loaded, and an upload."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from oversight.auth.decorators import role_required
from oversight.auth.roles import ADMIN
from oversight.corporate_numbers import reading, services
from oversight.corporate_numbers.forms import CorporateDataUploadForm
from oversight.extensions import db

bp = Blueprint("corporate_numbers", __name__, url_prefix="/admin/corporate-numbers")


@bp.route("/", methods=["GET", "POST"])
@role_required(ADMIN)
def index():
    """How many corporations are loaded, and the upload of a full-data or diff file."""
    form = CorporateDataUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            result = services.load(upload.stream, upload.filename or "", actor=current_user)
        except reading.CorporateDataError as error:
            db.session.rollback()
            form.file.errors = [*form.file.errors, error.message]
        else:
            db.session.commit()
            flash(
                _l(
                    "%(file)s was loaded: %(lines)d lines, %(loaded)d latest records.",
                    file=result.filename,
                    lines=result.lines,
                    loaded=result.loaded,
                ),
                "success",
            )
            return redirect(url_for("corporate_numbers.index"))
    status = 400 if form.errors else 200
    return (
        render_template(
            "corporate_numbers/index.html",
            form=form,
            count=services.count(),
            latest=services.latest_update(),
        ),
        status,
    )

"""Selection evaluation pages: start, fill in, attach evidence, submit, approve or return."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from oversight.auth.decorators import role_required
from oversight.checklists import filling
from oversight.core.exports import download
from oversight.core.pagination import paginate
from oversight.core.timeutil import local_today, utcnow
from oversight.evaluations import exports, pages, permissions, services
from oversight.evaluations.forms import (
    DecisionForm,
    EvaluationEvidenceForm,
    ReturnForm,
    SubmitForm,
    answers_form,
)
from oversight.evaluations.models import ANSWER_LABELS, CONFORMING, Evaluation
from oversight.evidence import services as evidence_services
from oversight.evidence.validation import UploadRejected
from oversight.extensions import db
from oversight.vendors.models import Vendor
from oversight.web.saving import commit_step
from oversight.web.second_factor import step_up_required

bp = Blueprint("evaluations", __name__, url_prefix="/evaluations")
# Everyone who may sign in may read evaluations, so everyone may download their evidence.

EDITORS = permissions.EDITORS
STALE_MESSAGE = _l(
    "Someone else saved this evaluation after you opened it. Your changes were not saved; "
    "they are still in the form below. Reload the page to see the other changes."
)


def _load(evaluation_id: int) -> Evaluation:
    evaluation = services.load_evaluation(evaluation_id)
    if evaluation is None:
        abort(404)
    return evaluation


def _detail(evaluation: Evaluation, status: int = 200, **forms):
    """The detail page with the forms the current user may use (kept as typed after an error)."""
    evaluation = _load(evaluation.id)  # fresh after a rollback expired it
    context = pages.detail_context(evaluation, user=current_user, today=local_today())
    context.setdefault("decision_form", DecisionForm(formdata=None, data={"version": evaluation.version}))
    context.setdefault("return_form", ReturnForm(formdata=None, data={"version": evaluation.version}))
    context.update(forms)
    return render_template("evaluations/detail.html", **context), status


@bp.route("/")
@role_required()
def index():
    """Evaluations of all vendors, filterable by status (managers see what awaits them)."""
    status = request.args.get("status", "")
    sort = pages.SORTING.read(request.args)
    pagination = paginate(pages.list_rows(pages.list_query(status=status, sort=sort)))
    return render_template(
        "evaluations/index.html", pagination=pagination, status=status, sort=sort, **pages.list_context()
    )


@bp.route("/export")
@role_required()
def export():
    """The filtered list as CSV (default) or Excel (``format=xlsx``)."""
    query = pages.list_query(status=request.args.get("status", ""), sort=pages.SORTING.read(request.args))
    return download(exports.EXPORT, query, request.args.get("format"))


@bp.route("/start/<int:vendor_id>", methods=["POST"])
@role_required(*EDITORS)
def start(vendor_id: int):
    """Open a new evaluation of a vendor (pre-filled from the previous one)."""
    vendor = db.get_or_404(Vendor, vendor_id)
    outcome = commit_step(lambda: services.start_evaluation(vendor, actor=current_user, now=utcnow()))
    if not outcome:
        return redirect(url_for("vendors.detail", vendor_id=vendor_id, _anchor="evaluations"))
    flash(_l("Evaluation #%(id)d was started.", id=outcome.value.id), "success")
    return redirect(url_for("evaluations.edit", evaluation_id=outcome.value.id))


@bp.route("/<int:evaluation_id>")
@role_required()
def detail(evaluation_id: int):
    """The answers, evidence, summary and decision of one evaluation."""
    return _detail(_load(evaluation_id))


@bp.route("/<int:evaluation_id>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def edit(evaluation_id: int):
    """Answer the checklist items."""
    evaluation = _load(evaluation_id)
    if not evaluation.is_editable:
        flash(_l("This evaluation was submitted and can no longer be changed."), "warning")
        return redirect(url_for("evaluations.detail", evaluation_id=evaluation.id))
    form = answers_form(evaluation)
    if form.validate_on_submit():
        fill = request.form.get("then") == "fill"  # save what was typed, then the rest conforming
        step = services.fill_rest_conforming if fill else services.save_answers
        if outcome := commit_step(
            lambda: step(evaluation, form.values(), actor=current_user, now=utcnow()),
            record=evaluation, version=form.version.data, stale_message=STALE_MESSAGE,
        ):
            if fill:
                flash(filling.filled_message(outcome.value, ANSWER_LABELS[CONFORMING]), "success")
                return redirect(url_for("evaluations.edit", evaluation_id=evaluation.id))
            flash(_l("The answers were saved."), "success")
            if request.form.get("then") == "submit":  # save, then propose the decision: no answer is lost
                return redirect(url_for("evaluations.submit", evaluation_id=evaluation.id))
            return redirect(url_for("evaluations.edit", evaluation_id=evaluation.id))
    elif request.method == "POST":
        flash(_l("Please correct the fields marked below."), "danger")
    return render_template("evaluations/edit.html", **pages.edit_context(_load(evaluation_id), form))


@bp.route("/<int:evaluation_id>/evidence", methods=["POST"])
@role_required(*EDITORS)
def upload_evidence(evaluation_id: int):
    """Attach an evidence file to one item."""
    evaluation = _load(evaluation_id)
    if not evaluation.is_editable:
        abort(409)
    upload_form = EvaluationEvidenceForm(evaluation=evaluation)
    if upload_form.validate_on_submit():
        answer = next(a for a in evaluation.answers if str(a.item_id) == upload_form.item_id.data)
        try:
            evidence_services.store_upload(
                upload_form.file.data,
                answer,
                current_user,
                document_date=upload_form.document_date.data,
                description=upload_form.description.data or "",
            )
        except UploadRejected as error:
            db.session.rollback()
            upload_form.file.errors = [*upload_form.file.errors, error.message]
        else:
            db.session.commit()
            flash(_l("The file was attached to %(code)s.", code=answer.item.code), "success")
            return redirect(url_for("evaluations.edit", evaluation_id=evaluation.id, _anchor=f"item-{answer.item_id}"))
    flash(_l("The file was not attached; see the upload form."), "danger")
    evaluation = _load(evaluation_id)
    form = answers_form(evaluation, formdata=None)
    return render_template("evaluations/edit.html", **pages.edit_context(evaluation, form, upload_form)), 400


@bp.route("/<int:evaluation_id>/submit", methods=["GET", "POST"])
@role_required(*EDITORS)
def submit(evaluation_id: int):
    """Propose a decision and send the evaluation for approval."""
    evaluation = _load(evaluation_id)
    form = SubmitForm(data={"version": evaluation.version, "decision": evaluation.proposed_decision})
    if evaluation.is_editable and form.validate_on_submit() and commit_step(
        lambda: services.submit(
            evaluation,
            decision=form.decision.data,
            conditions=form.conditions.data,
            note=form.note.data,
            actor=current_user,
            now=utcnow(),
        ),
        record=evaluation, version=form.version.data, stale_message=STALE_MESSAGE,
    ):
        flash(_l("The evaluation was submitted for approval."), "success")
        return redirect(url_for("evaluations.detail", evaluation_id=evaluation.id))
    return render_template("evaluations/submit.html", **pages.submit_context(_load(evaluation_id), form))


@bp.route("/<int:evaluation_id>/approve", methods=["POST"])
@role_required(*permissions.DECIDERS)
@step_up_required
def approve(evaluation_id: int):
    """Confirm the proposed decision (a manager who did not submit it)."""
    evaluation = _load(evaluation_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _detail(evaluation, 400, decision_form=form)
    outcome = commit_step(
        lambda: services.approve(
            evaluation, actor=current_user, note=form.note.data, today=local_today(), now=utcnow()
        ),
        record=evaluation, version=form.version.data, stale_message=STALE_MESSAGE,
    )
    if not outcome:
        return _detail(evaluation, outcome.status, decision_form=form)
    flash(_l("The decision was recorded: %(status)s.", status=evaluation.status_label), "success")
    return redirect(url_for("evaluations.detail", evaluation_id=evaluation.id))


@bp.route("/<int:evaluation_id>/return", methods=["POST"])
@role_required(*permissions.DECIDERS)
def return_to_procurement(evaluation_id: int):
    """Send the evaluation back to procurement with a reason."""
    evaluation = _load(evaluation_id)
    form = ReturnForm()
    if not form.validate_on_submit():
        return _detail(evaluation, 400, return_form=form)
    outcome = commit_step(
        lambda: services.return_evaluation(evaluation, actor=current_user, note=form.note.data),
        record=evaluation, version=form.version.data, stale_message=STALE_MESSAGE,
    )
    if not outcome:
        return _detail(evaluation, outcome.status, return_form=form)
    flash(_l("The evaluation was returned to procurement."), "success")
    return redirect(url_for("evaluations.detail", evaluation_id=evaluation.id))

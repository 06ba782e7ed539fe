"""Incident pages: list, record, detail with the clocks, edit, response steps, PDFs, closing.

Who may do what (DESIGN §1): the manager owns incidents, so only a manager waives a step or
closes an incident; procurement, legal, auditors and managers may record an incident, edit its
facts and record steps done (whoever hears of it first must be able to start the clocks);
admins and viewers read. Every signed-in user may read incidents and download their files.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from oversight.auth import services as auth_services
from oversight.auth.decorators import role_required
from oversight.auth.roles import MANAGER
from oversight.core.exports import download
from oversight.core.pagination import paginate
from oversight.core.query import query_int
from oversight.core.timeutil import local_today, utcnow
from oversight.evidence import services as evidence_services
from oversight.extensions import db
from oversight.incidents import data, exports, permissions, services
from oversight.incidents import rules as _rules  # noqa: F401  (registers the reminder rules)
from oversight.incidents.forms import CloseForm, FilterForm, IncidentEditForm, IncidentForm, StepForm
from oversight.incidents.models import STEP_CODES, VENDOR_PLAN, Incident, IncidentStep
from oversight.incidents.pages import detail_context, finding_labels, list_context
from oversight.pdf.responses import pdf_response
from oversight.reports import incident as incident_documents
from oversight.vendors import services as vendor_services
from oversight.web.saving import commit_step

bp = Blueprint("incidents", __name__, url_prefix="/incidents")

RECORDERS = permissions.RECORDERS
STALE_MESSAGE = _l(
    "Someone else saved this incident after you opened it. Your changes were not saved; "
    "they are still in the form below. Reload the page to see the other changes."
)


def _load(incident_id: int) -> Incident:
    incident = services.load_incident(incident_id)
    if incident is None:
        abort(404)
    return incident


def _step(incident: Incident, code: str) -> IncidentStep:
    step = next((item for item in incident.steps if item.code == code), None) if code in STEP_CODES else None
    if step is None:
        abort(404)
    return step


def _incident_form(form_class, incident: Incident | None = None, **kwargs):
    """The incident form; editing keeps the vendors and the owner the incident already names among the choices."""
    return form_class(
        vendors=vendor_services.selectable_vendors(
            keep=(incident.vendor_id, incident.where_vendor_id) if incident else ()
        ),
        contracts=services.contract_choices(),
        managers=auth_services.selectable_users(role=MANAGER, keep=(incident.owner_id,) if incident else ()),
        obj=incident,
        **kwargs,
    )


def _filtered_query():
    """The filter form on the query string, its sort and the list's query (unfiltered when the form is invalid)."""
    form = FilterForm(request.args)
    filters = form.filters()
    sort = services.LIST_SORTING.read(request.args)
    query = services.incident_query(
        status=filters.get("status") or "",
        q=filters.get("q") or "",
        vendor_id=filters.get("vendor_id"),
        vendor_text=filters.get("vendor_text") or "",
        sort=sort,
    )
    return form, sort, query


@bp.route("/")
@role_required()
def index():
    """Incidents, open ones first, with search and a status filter."""
    form, sort, query = _filtered_query()
    pagination = paginate(services.list_rows(query))
    return render_template(
        "incidents/index.html",
        form=form,
        pagination=pagination,
        sort=sort,
        can_record=current_user.has_role(*RECORDERS),
        **list_context(pagination.items, local_today()),
    )


@bp.route("/export")
@role_required()
def export():
    """The filtered list as CSV (default) or Excel (``format=xlsx``)."""
    _form, _sort, query = _filtered_query()
    return download(exports.EXPORT, query, request.args.get("format"))


@bp.route("/new", methods=["GET", "POST"])
@role_required(*RECORDERS)
def create():
    """Record an incident (suspected ones too); the clocks start from the dates entered."""
    vendor_id = query_int("vendor_id")
    form = _incident_form(IncidentForm, data={"vendor_id": str(vendor_id)} if vendor_id else None, recording=True)
    form.offer_units(current_user)
    if form.validate_on_submit():
        incident = services.create_incident(form.values(), actor=current_user)
        db.session.commit()
        flash(_l("Incident #%(id)d was recorded.", id=incident.id), "success")
        return redirect(url_for("incidents.detail", incident_id=incident.id))
    return render_template(
        "incidents/form.html", form=form, incident=None, finding=finding_labels(form)
    ), 400 if form.errors else 200


@bp.route("/<int:incident_id>")
@role_required()
def detail(incident_id: int):
    """The clocks, reportability, facts and response steps of one incident."""
    incident = _load(incident_id)
    return render_template("incidents/detail.html", **detail_context(incident, user=current_user, today=local_today()))


@bp.route("/<int:incident_id>/edit", methods=["GET", "POST"])
@role_required(*RECORDERS)
def edit(incident_id: int):
    """Change the recorded facts (counts, dates, categories …) as the investigation goes on."""
    incident = _load(incident_id)
    form = _incident_form(IncidentEditForm, incident, current_unit_id=incident.unit_id)
    form.offer_units(current_user)
    status_code = 200
    if form.validate_on_submit():
        outcome = commit_step(
            lambda: services.update_incident(incident, form.values(), actor=current_user),
            record=incident, version=form.version.data, stale_message=STALE_MESSAGE,
        )
        if outcome:
            flash(_l("The incident was saved."), "success")
            return redirect(url_for("incidents.detail", incident_id=incident.id))
        status_code = outcome.status  # refused by a rule (400) or stale (409): the form again with the input
    elif form.errors:
        status_code = 400
    return render_template(
        "incidents/form.html", form=form, incident=_load(incident_id), finding=finding_labels(form)
    ), status_code


def _render_step(incident_id: int, code: str, form: StepForm, status_code: int = 200):
    incident = _load(incident_id)
    step = _step(incident, code)
    files = evidence_services.files_for("incident_step", step.id)
    return render_template(
        "incidents/step.html",
        incident=incident,
        step=step,
        form=form,
        files=files,
        can_waive=permissions.can_manage(current_user, incident),
        is_plan=step.code == VENDOR_PLAN,
    ), status_code


@bp.route("/<int:incident_id>/steps/<code>", methods=["GET", "POST"])
@role_required(*RECORDERS)
def step(incident_id: int, code: str):
    """Record a response step: mark it done (who, when, reference) or save its due date and note."""
    incident = _load(incident_id)
    step = _step(incident, code)
    form = StepForm(obj=step)
    if not form.is_submitted() and step.done_on is None:
        form.done_on.data = local_today()
    if form.validate_on_submit():
        def record_step() -> None:
            if form.file.data and getattr(form.file, "inspected", None):
                evidence_services.store_upload(form.file.data, step, current_user, description=step.label)
            values = {key: form[key].data for key in ("done_on", "reference", "due_on", "note")}
            if request.form.get("action") == "save":
                services.save_step(step, values, actor=current_user)
            else:
                services.complete_step(step, values, actor=current_user, today=local_today(), now=utcnow())

        if commit_step(record_step, record=step, version=form.version.data, stale_message=STALE_MESSAGE):
            flash(_l("“%(step)s” was saved.", step=step.label), "success")
            return redirect(url_for("incidents.detail", incident_id=incident_id, _anchor="steps"))
    return _render_step(incident_id, code, form, 400 if request.method == "POST" else 200)


@bp.route("/<int:incident_id>/steps/<code>/waive", methods=["POST"])
@role_required(*permissions.OWNERS)
def waive_step(incident_id: int, code: str):
    """Settle a step that does not apply, with the reason."""
    incident = _load(incident_id)
    step = _step(incident, code)
    form = StepForm()
    if form.validate_on_submit() and commit_step(
        lambda: services.waive_step(step, form.waiver_reason.data, actor=current_user, now=utcnow()),
        record=step, version=form.version.data, stale_message=STALE_MESSAGE,
        # The reason's field is on the page only for whom may waive; another's refusal is flashed.
        error_field=form.waiver_reason if permissions.can_manage(current_user, incident) else None,
    ):
        flash(_l("“%(step)s” was waived.", step=step.label), "success")
        return redirect(url_for("incidents.detail", incident_id=incident_id, _anchor="steps"))
    return _render_step(incident_id, code, form, 400)


@bp.route("/<int:incident_id>/steps/<code>/reopen", methods=["POST"])
@role_required(*permissions.OWNERS)
def reopen_step(incident_id: int, code: str):
    """Put a done or waived step back to open."""
    step = _step(_load(incident_id), code)
    if commit_step(lambda: services.reopen_step(step, actor=current_user)):
        flash(_l("“%(step)s” is open again.", step=step.label), "success")
    return redirect(url_for("incidents.detail", incident_id=incident_id, _anchor="steps"))


@bp.route("/<int:incident_id>/report.pdf")
@role_required()
def report_pdf(incident_id: int):
    """The PPC report draft (``?stage=preliminary`` 速報 or ``final`` 確報) as a PDF."""
    incident = _load(incident_id)
    report = data.report_data(incident, request.args.get("stage", data.PRELIMINARY), local_today())
    return pdf_response(incident_documents.report_document(report), f"incident-{incident.id}-{report.stage}.pdf")


@bp.route("/<int:incident_id>/notice.pdf")
@role_required()
def notice_pdf(incident_id: int):
    """The notice to individuals (items ①②④⑤⑨) as a PDF letter to adapt and send."""
    incident = _load(incident_id)
    return pdf_response(
        incident_documents.notice_document(data.notice_data(incident)), f"incident-{incident.id}-notice.pdf"
    )


@bp.route("/<int:incident_id>/close", methods=["GET", "POST"])
@role_required(*permissions.OWNERS)
def close(incident_id: int):
    """Close an incident whose steps are settled; asks for a re-evaluation and an extra audit."""
    incident = _load(incident_id)
    form = CloseForm(obj=incident)
    if form.validate_on_submit() and commit_step(
        lambda: services.close_incident(incident, form.note.data, actor=current_user, today=local_today()),
        record=incident, version=form.version.data, stale_message=STALE_MESSAGE,
    ):
        flash(
            _l("The incident was closed; a re-evaluation and an extra audit of the vendor were requested."),
            "success",
        )
        return redirect(url_for("incidents.detail", incident_id=incident.id))
    incident = _load(incident_id)
    return render_template(
        "incidents/close.html", incident=incident, form=form, open_steps=services.unsettled_steps(incident)
    ), 400 if request.method == "POST" else 200

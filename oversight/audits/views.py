"""Audit pages: schedule, records, plan and record an audit, sign-off, findings, extra-audit triggers."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from oversight.audits import exports, pages, permissions, services
from oversight.audits import findings as finding_services
from oversight.audits.forms import (
    AuditEditForm,
    AuditEvidenceForm,
    AuditForm,
    CancelForm,
    CloseForm,
    FindingForm,
    FindingsFilterForm,
    PlanForm,
    RecordsFilterForm,
    ReturnForm,
    ScheduleFilterForm,
    SignOffForm,
    SubmitForm,
    TriggerForm,
    VerifyForm,
    results_form,
)
from oversight.audits.models import CONFORMING, RESULT_LABELS, Audit, Finding
from oversight.auth import services as auth_services
from oversight.auth.decorators import role_required
from oversight.auth.roles import AUDITOR, MANAGER
from oversight.checklists import filling
from oversight.core.exports import csv_response, download
from oversight.core.pagination import paginate
from oversight.core.timeutil import local_today, utcnow
from oversight.evidence import services as evidence_services
from oversight.evidence.forms import EvidenceUploadForm
from oversight.evidence.validation import UploadRejected
from oversight.extensions import db
from oversight.units.models import BusinessUnit
from oversight.vendors import services as vendor_services
from oversight.vendors.models import Vendor
from oversight.web.saving import commit_step

bp = Blueprint("audits", __name__, url_prefix="/audits")


STALE_MESSAGE = _l(
    "Someone else saved this audit after you opened it. Your changes were not saved; "
    "they are still in the form below. Reload the page to see the other changes."
)


def _load(audit_id: int) -> Audit:
    audit = services.load_audit(audit_id)
    if audit is None:
        abort(404)
    return audit


def _audit_form(form_class, audit: Audit | None = None, **kwargs):
    """The audit form; editing keeps the vendors and auditors the audit already names among the choices."""
    return form_class(
        vendors=vendor_services.selectable_vendors(
            keep=(audit.vendor_id, audit.performed_by_vendor_id) if audit else ()
        ),
        auditors=auth_services.selectable_users(
            role=AUDITOR, keep=[user.id for user in audit.auditors] if audit else ()
        ),
        obj=audit,
        **kwargs,
    )


def _detail(audit: Audit, status: int = 200, **forms):
    """The audit page with the forms the current user may use (kept as typed after an error)."""
    if status != 200:
        audit = _load(audit.id)  # an error answer follows a rollback, which expired it: load it afresh
    context = pages.detail_context(audit, user=current_user, today=local_today())
    data = {"version": audit.version}
    context.setdefault("signoff_form", SignOffForm(formdata=None, data=data))
    context.setdefault("return_form", ReturnForm(formdata=None, data=data))
    context.setdefault("cancel_form", CancelForm(formdata=None, data=data))
    context.setdefault("upload_form", AuditEvidenceForm(formdata=None, results=context["results"]))
    context.update(forms)
    return render_template("audits/detail.html", **context), status


@bp.route("/")
@role_required()
def index():
    """Upcoming and overdue audits per vendor, with filters, sort and pagination."""
    form = ScheduleFilterForm(request.args)
    sort = pages.SCHEDULE_SORTING.read(request.args)
    context = pages.schedule_page(local_today(), form.data if form.validate() else {}, sort)
    return render_template(
        "audits/index.html", form=form, sort=sort, can_record=current_user.has_role(*permissions.RECORDERS), **context
    )


@bp.route("/schedule.csv")
@role_required()
def export_schedule():
    """The schedule as filtered on the page, as CSV (UTF-8 with BOM, opens in Excel)."""
    form = ScheduleFilterForm(request.args)
    filters = form.data if form.validate() else {}
    rows = pages.schedule_rows(
        local_today(),
        q=filters.get("q") or "",
        risk_tier=filters.get("risk_tier") or "",
        when=filters.get("when") or "all",
        sort=pages.SCHEDULE_SORTING.read(request.args),
    )
    header, body = pages.schedule_csv_rows(rows)
    return csv_response(f"audit-schedule-{local_today().isoformat()}.csv", header, body)


@bp.route("/records")
@role_required()
def records():
    """Every audit record, filterable by status and kind."""
    form = RecordsFilterForm(request.args)
    sort = pages.RECORDS_SORTING.read(request.args)
    filters = form.data if form.validate() else {}
    pagination = paginate(
        pages.records_query(
            q=filters.get("q") or "", status=filters.get("status") or "", kind=filters.get("kind") or "", sort=sort
        )
    )
    return render_template(
        "audits/records.html",
        form=form,
        sort=sort,
        pagination=pagination,
        can_record=current_user.has_role(*permissions.RECORDERS),
    )


@bp.route("/records/export")
@role_required()
def export_records():
    """The filtered audit records as CSV (default) or Excel (``format=xlsx``)."""
    form = RecordsFilterForm(request.args)
    filters = form.data if form.validate() else {}
    query = pages.records_query(
        q=filters.get("q") or "",
        status=filters.get("status") or "",
        kind=filters.get("kind") or "",
        sort=pages.RECORDS_SORTING.read(request.args),
    )
    return download(exports.AUDITS, query, request.args.get("format"))


@bp.route("/new", methods=["GET", "POST"])
@role_required(AUDITOR)
def create():
    """Plan an audit of a vendor (direct contractor or subcontractor)."""
    form = _audit_form(AuditForm, planning=True)
    if request.method == "GET":
        form.vendor_id.data = request.args.get("vendor_id", "")
        form.auditor_ids.data = [str(current_user.id)]
    form.offer_units(current_user)
    if form.validate_on_submit():
        vendor = db.get_or_404(Vendor, int(form.vendor_id.data))  # a listed choice, so a vendor id
        if saved := commit_step(
            lambda: services.plan_audit(vendor, form.values(), actor=current_user, today=local_today())
        ):
            flash(_l("The audit was planned."), "success")
            return redirect(url_for("audits.detail", audit_id=saved.value.id))
    return render_template("audits/form.html", form=form, audit=None)


@bp.route("/<int:audit_id>")
@role_required()
def detail(audit_id: int):
    """The checklist, findings, evidence and sign-off of one audit."""
    return _detail(_load(audit_id))


@bp.route("/<int:audit_id>/edit", methods=["GET", "POST"])
@role_required(AUDITOR)
def edit(audit_id: int):
    """Change the audit's kind, dates, auditors and indirect-supervision details."""
    audit = _load(audit_id)
    if not audit.is_editable:
        flash(_l("This audit was submitted and can no longer be changed."), "warning")
        return redirect(url_for("audits.detail", audit_id=audit.id))
    form = _audit_form(AuditEditForm, audit)
    if request.method == "GET":
        form.vendor_id.data = str(audit.vendor_id)
        form.performed_by_vendor_id.data = str(audit.performed_by_vendor_id or "")
        form.auditor_ids.data = [str(user.id) for user in audit.auditors]
    form.vendor_id.data = str(audit.vendor_id)  # the audited vendor does not change
    if form.validate_on_submit() and commit_step(
        lambda: services.update_audit(audit, form.values(), actor=current_user),
        record=audit, version=form.version.data, stale_message=STALE_MESSAGE,
    ):
        flash(_l("The audit was saved."), "success")
        return redirect(url_for("audits.detail", audit_id=audit.id))
    audit = _load(audit_id)
    return render_template("audits/form.html", form=form, audit=audit, unit=db.session.get(BusinessUnit, audit.unit_id))


@bp.route("/<int:audit_id>/start", methods=["POST"])
@role_required(AUDITOR)
def start(audit_id: int):
    """Start recording a planned audit against the current audit checklist."""
    audit = _load(audit_id)
    if not commit_step(lambda: services.start_recording(audit, actor=current_user, today=local_today())):
        return redirect(url_for("audits.detail", audit_id=audit_id))
    flash(_l("Recording started."), "success")
    return redirect(url_for("audits.checklist", audit_id=audit_id))


@bp.route("/<int:audit_id>/cancel", methods=["POST"])
@role_required(AUDITOR)
def cancel(audit_id: int):
    """Cancel a planned audit, with the reason."""
    form = CancelForm()
    return _decide(
        audit_id,
        form,
        "cancel_form",
        lambda audit: services.cancel_audit(audit, actor=current_user, reason=form.reason.data or ""),
        _l("The audit was cancelled."),
    )


@bp.route("/<int:audit_id>/checklist", methods=["GET", "POST"])
@role_required(AUDITOR)
def checklist(audit_id: int):
    """Record a result and a note for each checklist item (a draft that can be continued)."""
    audit = _load(audit_id)
    if not audit.is_recording:
        flash(_l("Start recording the audit first; a submitted audit can no longer be changed."), "warning")
        return redirect(url_for("audits.detail", audit_id=audit.id))
    results = services.sorted_results(audit)
    form = results_form(audit, results)
    if form.validate_on_submit():
        then = request.form.get("then")
        step = services.fill_rest_conforming if then == "fill" else services.save_results  # the rest conforming
        if outcome := commit_step(
            lambda: step(audit, form.values(), actor=current_user, now=utcnow()),
            record=audit, version=form.version.data, stale_message=STALE_MESSAGE,
        ):
            if then == "fill":
                flash(filling.filled_message(outcome.value, RESULT_LABELS[CONFORMING]), "success")
                return redirect(url_for("audits.checklist", audit_id=audit.id))
            flash(_l("The results were saved."), "success")
            if then == "finding":  # saved, then raise a finding about the item just marked 指摘
                item_id = services.newly_marked_finding(audit, outcome.value)
                return redirect(url_for("audits.add_finding", audit_id=audit.id, item_id=item_id))
            return redirect(url_for("audits.checklist", audit_id=audit.id))
    elif request.method == "POST":
        flash(_l("Please correct the fields marked below."), "danger")
    return _checklist_page(audit_id, form)


def _checklist_page(audit_id: int, form, upload_form=None, status: int = 200):
    audit = _load(audit_id)
    results = services.sorted_results(audit)
    return render_template(
        "audits/checklist.html",
        audit=audit,
        results=results,
        form=form,
        upload_form=upload_form or AuditEvidenceForm(formdata=None, results=results),
        files=pages.files_by_item(audit),
        progress=services.progress(audit),
        unanswered=len(filling.unanswered(results, "result")),
    ), status


@bp.route("/<int:audit_id>/evidence", methods=["POST"])
@role_required(AUDITOR)
def upload_evidence(audit_id: int):
    """Attach a file (a photo, a report…) to the audit or to one checklist item."""
    audit = _load(audit_id)
    if audit.status not in ("planned", "in_progress", "returned"):
        abort(409)
    results = services.sorted_results(audit)
    upload_form = AuditEvidenceForm(results=results)
    if upload_form.validate_on_submit():
        row = next((r for r in results if str(r.item_id) == upload_form.item_id.data), None)
        try:
            evidence_services.store_upload(
                upload_form.file.data,
                row if row is not None else audit,
                current_user,
                document_date=upload_form.document_date.data,
                description=upload_form.description.data or "",
            )
        except UploadRejected as error:
            db.session.rollback()
            upload_form.file.errors = [*upload_form.file.errors, error.message]
        else:
            db.session.commit()
            flash(_l("The file was attached."), "success")
            if row is not None:
                return redirect(url_for("audits.checklist", audit_id=audit.id, _anchor=f"item-{row.item_id}"))
            return redirect(url_for("audits.detail", audit_id=audit.id, _anchor="evidence"))
    flash(_l("The file was not attached; see the upload form."), "danger")
    if audit.is_recording:
        return _checklist_page(audit_id, results_form(_load(audit_id), results, formdata=None), upload_form, 400)
    return _detail(audit, 400, upload_form=upload_form)


@bp.route("/<int:audit_id>/findings/new", methods=["GET", "POST"])
@role_required(AUDITOR)
def add_finding(audit_id: int):
    """Raise a finding with the corrective action requested in writing."""
    audit = _load(audit_id)
    results = services.sorted_results(audit)
    form = FindingForm(results=results)
    if request.method == "GET":
        form.requested_on.data = local_today()
        form.item_id.data = request.args.get("item_id", "")
    if audit.is_recording and form.validate_on_submit():
        if saved := commit_step(
            lambda: finding_services.add_finding(audit, form.values(), actor=current_user, today=local_today())
        ):
            flash(_l("Finding #%(id)d was recorded.", id=saved.value.id), "success")
            return redirect(url_for("audits.detail", audit_id=audit.id, _anchor="findings"))
    elif not audit.is_recording:
        flash(_l("Findings are raised while the audit is being recorded."), "warning")
    return render_template("audits/finding_form.html", form=form, audit=audit)


@bp.route("/<int:audit_id>/submit", methods=["GET", "POST"])
@role_required(AUDITOR)
def submit(audit_id: int):
    """Give the overall rating and decision and send the audit for sign-off."""
    audit = _load(audit_id)
    form = SubmitForm(
        data={
            "version": audit.version,
            "overall_rating": audit.overall_rating or "",
            "decision": audit.decision or "",
            "decision_conditions": audit.decision_conditions,
            "summary": audit.summary,
        }
    )
    if audit.is_recording and form.validate_on_submit() and commit_step(
        lambda: services.submit(
            audit,
            rating=form.overall_rating.data,
            decision=form.decision.data,
            conditions=form.decision_conditions.data or "",
            summary=form.summary.data or "",
            actor=current_user,
            now=utcnow(),
        ),
        record=audit, version=form.version.data, stale_message=STALE_MESSAGE,
    ):
        flash(_l("The audit was submitted for sign-off."), "success")
        return redirect(url_for("audits.detail", audit_id=audit.id))
    audit = _load(audit_id)
    return render_template("audits/submit.html", form=form, audit=audit, progress=services.progress(audit))


def _run_step(record, form, name: str, action, message, *, page, done_url: str):
    """Validate ``form``, refuse a stale or rule-breaking step, run ``action``, commit and redirect.

    On a refusal the record's page (``page``) is shown again with the user's form and the reason.
    """
    if not form.validate_on_submit():
        return page(record, 400, **{name: form})
    versioned = {"record": record, "version": form.version.data} if hasattr(form, "version") else {}
    outcome = commit_step(lambda: action(record), stale_message=STALE_MESSAGE, **versioned)
    if not outcome:
        return page(record, outcome.status, **{name: form})
    flash(message, "success")
    return redirect(done_url)


def _decide(audit_id: int, form, name: str, action, success_message):
    """A manager's sign-off or return of an audit."""
    done_url = url_for("audits.detail", audit_id=audit_id)
    return _run_step(_load(audit_id), form, name, action, success_message, page=_detail, done_url=done_url)


@bp.route("/<int:audit_id>/signoff", methods=["POST"])
@role_required(MANAGER)
def sign_off(audit_id: int):
    """Sign off a submitted audit (a manager who took no part in it)."""
    form = SignOffForm()
    return _decide(
        audit_id,
        form,
        "signoff_form",
        lambda audit: services.sign_off(
            audit, actor=current_user, note=form.note.data or "", today=local_today(), now=utcnow()
        ),
        _l("The audit was signed off."),
    )


@bp.route("/<int:audit_id>/return", methods=["POST"])
@role_required(MANAGER)
def return_to_auditor(audit_id: int):
    """Send a submitted audit back to the auditors with a reason."""
    form = ReturnForm()
    return _decide(
        audit_id,
        form,
        "return_form",
        lambda audit: services.return_audit(audit, actor=current_user, note=form.note.data or ""),
        _l("The audit was returned to the auditors."),
    )


@bp.route("/findings")
@role_required()
def findings():
    """Findings of all audits, filterable by status, severity and overdue."""
    form = FindingsFilterForm(request.args)
    today = local_today()
    sort = pages.FINDING_SORTING.read(request.args)
    query = pages.finding_list_query(form.data if form.validate() else {}, today, sort)
    pagination = paginate(pages.finding_list_rows(query))
    return render_template(
        "audits/findings.html",
        form=form,
        pagination=pagination,
        today=today,
        sort=sort,
        **pages.finding_list_labels(),
    )


@bp.route("/findings/export")
@role_required()
def export_findings():
    """The filtered findings as CSV (default) or Excel (``format=xlsx``)."""
    form = FindingsFilterForm(request.args)
    query = pages.finding_list_query(
        form.data if form.validate() else {}, local_today(), pages.FINDING_SORTING.read(request.args)
    )
    return download(exports.FINDINGS, query, request.args.get("format"))


def _finding_page(finding: Finding, status: int = 200, **forms):
    finding = db.get_or_404(Finding, finding.id)
    data = {"version": finding.version}
    context = {
        "finding": finding,
        "files": evidence_services.files_for("finding", finding.id),
        "today": local_today(),
        "can_act": current_user.has_role(*permissions.RECORDERS),
        "can_record_plan": permissions.can_record_plan(current_user, finding),
        "can_verify": permissions.can_verify(current_user, finding),
        "can_close": permissions.can_close_finding(current_user, finding),
        "can_attach": permissions.can_attach_evidence(current_user, finding),
        "attach_refusal": (
            permissions.evidence_refusal(current_user, finding)
            if current_user.has_role(*permissions.RECORDERS)
            else None
        ),
        "plan_form": PlanForm(
            formdata=None,
            data={**data, "plan_text": finding.plan_text, "received_on": finding.plan_received_on or local_today()},
        ),
        "verify_form": VerifyForm(formdata=None, data={**data, "verified_on": local_today()}),
        "close_form": CloseForm(formdata=None, data=data),
        "upload_form": EvidenceUploadForm(formdata=None),
    }
    context.update(forms)
    return render_template("audits/finding.html", **context), status


@bp.route("/findings/<int:finding_id>")
@role_required()
def finding(finding_id: int):
    """One finding: what was found, the requested correction, the vendor's plan, verification."""
    return _finding_page(db.get_or_404(Finding, finding_id))


def _finding_step(finding_id: int, form, name: str, action, message):
    """One step of a finding's corrective-action lifecycle."""
    finding = db.get_or_404(Finding, finding_id)
    done_url = url_for("audits.finding", finding_id=finding_id)
    return _run_step(finding, form, name, action, message, page=_finding_page, done_url=done_url)


@bp.route("/findings/<int:finding_id>/plan", methods=["POST"])
@role_required(AUDITOR)
def record_plan(finding_id: int):
    """Enter the vendor's corrective plan and response on its behalf."""
    form = PlanForm()
    return _finding_step(
        finding_id,
        form,
        "plan_form",
        lambda finding: finding_services.record_plan(
            finding, plan_text=form.plan_text.data, received_on=form.received_on.data, actor=current_user
        ),
        _l("The vendor's plan was recorded."),
    )


@bp.route("/findings/<int:finding_id>/verify", methods=["POST"])
@role_required(AUDITOR)
def verify(finding_id: int):
    """Record whether the corrective action was effective."""
    form = VerifyForm()
    return _finding_step(
        finding_id,
        form,
        "verify_form",
        lambda finding: finding_services.verify(
            finding,
            is_effective=form.outcome.data == "effective",
            note=form.note.data,
            verified_on=form.verified_on.data,
            actor=current_user,
        ),
        _l("The verification was recorded."),
    )


@bp.route("/findings/<int:finding_id>/close", methods=["POST"])
@role_required(AUDITOR)
def close_finding(finding_id: int):
    """Close a verified finding."""
    form = CloseForm()
    return _finding_step(
        finding_id,
        form,
        "close_form",
        lambda finding: finding_services.close(finding, actor=current_user, today=local_today()),
        _l("The finding was closed."),
    )


@bp.route("/findings/<int:finding_id>/evidence", methods=["POST"])
@role_required(AUDITOR)
def finding_evidence(finding_id: int):
    """Attach the vendor's written plan, response or proof of correction."""
    finding = db.get_or_404(Finding, finding_id)
    form = EvidenceUploadForm()
    refusal = permissions.evidence_refusal(current_user, finding)
    if refusal is not None:  # closed: the page no longer offers the upload
        flash(refusal, "danger")
        return _finding_page(finding, 400)
    if form.validate_on_submit() and commit_step(
        lambda: finding_services.attach_evidence(
            finding,
            form.file.data,
            actor=current_user,
            document_date=form.document_date.data,
            description=form.description.data,
        ),
        upload_field=form.file,
    ):
        flash(_l("The file was attached."), "success")
        return redirect(url_for("audits.finding", finding_id=finding_id, _anchor="evidence"))
    flash(_l("The file was not attached; see the upload form."), "danger")
    return _finding_page(finding, 400, upload_form=form)


@bp.route("/trigger/<int:vendor_id>", methods=["GET", "POST"])
@role_required(AUDITOR, MANAGER)
def trigger(vendor_id: int):
    """Ask for an extra audit of a vendor, with the reason (incident, new subcontractor, renewal, location)."""
    vendor = vendor_services.load_vendor_detail(vendor_id) or abort(404)
    form = TriggerForm()
    if form.validate_on_submit() and (
        saved := commit_step(
            lambda: services.trigger_extra_audit(
                vendor, form.reason_kind.data, form.reason_text.data, current_user, local_today()
            )
        )
    ):
        flash(_l("An extra audit is due by %(date)s.", date=saved.value.due_on.isoformat()), "success")
        return redirect(url_for("audits.detail", audit_id=saved.value.audit_id))
    return render_template("audits/trigger.html", form=form, vendor=vendor)

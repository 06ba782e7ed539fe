"""``/api/v1/audits`` and ``/api/v1/findings``: audits with their result per checklist item, and findings
(指摘事項), read as on their pages; an audit planned, a finding raised and the vendor's corrective plan
recorded as on the audit and finding pages, and a submitted audit signed off or returned by a manager (the
same forms, services, roles and predicates)."""

from __future__ import annotations

from datetime import date

from flask import url_for
from flask_babel import get_locale
from spectree import Response
from sqlalchemy.orm import selectinload

from oversight.api import saving
from oversight.api import schemas as s
from oversight.api.access import actor, api_access
from oversight.api.blueprint import bp
from oversight.api.pagination import page
from oversight.api.problems import Problem, form_errors
from oversight.api.spec import spec
from oversight.api.vendors import NOT_FOUND, READ_ERRORS, WRITE_ERRORS
from oversight.audits import findings as finding_services
from oversight.audits import pages, permissions, services
from oversight.audits.forms import AuditForm, FindingForm, PlanForm, ReturnForm, SignOffForm
from oversight.audits.models import Audit, Finding
from oversight.auth import services as auth_services
from oversight.auth.roles import AUDITOR
from oversight.core.timeutil import local_today, utcnow
from oversight.extensions import db
from oversight.vendors import services as vendor_services
from oversight.vendors.models import Vendor

WITH_RESULTS_AND_FINDINGS = (selectinload(Audit.results), selectinload(Audit.findings))


def _item_text(item, english: bool) -> str:
    return (item.text_en or item.text_ja) if english else item.text_ja


def _audit(record: Audit, english: bool) -> s.Audit:
    fields = {name: getattr(record, name) for name in s.Audit.model_fields if name not in (
        "vendor_name", "auditor_ids", "finding_ids", "results")}
    return s.Audit(
        **fields,
        vendor_name=record.vendor.name,
        auditor_ids=sorted(record.auditor_ids),
        finding_ids=sorted(finding.id for finding in record.findings),
        results=[
            s.ItemResult(code=row.item.code, text=_item_text(row.item, english), result=row.result, note=row.note)
            for row in services.sorted_results(record)
        ],
    )


def _finding(record: Finding, today: date) -> s.Finding:
    fields = {name: getattr(record, name) for name in s.Finding.model_fields if name not in (
        "vendor_name", "item_code", "is_overdue")}
    return s.Finding(
        **fields,
        vendor_name=record.vendor.name,
        item_code=record.item.code if record.item else None,
        is_overdue=record.is_overdue_on(today),
    )


def _english() -> bool:
    return str(get_locale()) == "en"


def _load_finding(finding_id: int) -> Finding:
    found = db.session.get(Finding, finding_id)
    if found is None:
        raise Problem(404, NOT_FOUND)
    return found


@bp.get("/audits")
@api_access()
@spec.validate(query=s.AuditFilters, resp=Response(HTTP_200=s.AuditPage, HTTP_400=s.Problem, **READ_ERRORS),
               tags=["audits"], operation_id="listAudits")
def audits(query: s.AuditFilters):
    """Audit records with the records page's filters (search, status, kind), in cursor pages."""
    listed = pages.records_query(q=query.q.strip(), status=query.status, kind=query.kind)
    rows, next_cursor = page(listed.options(*WITH_RESULTS_AND_FINDINGS), Audit.id, cursor=query.cursor,
                             limit=query.limit)
    english = _english()
    return s.AuditPage(items=[_audit(row, english) for row in rows], next_cursor=next_cursor)


@bp.get("/audits/<int:audit_id>")
@api_access()
@spec.validate(resp=Response(HTTP_200=s.Audit, HTTP_404=s.Problem, **READ_ERRORS), tags=["audits"],
               operation_id="getAudit")
def audit(audit_id: int):
    """One audit with its result per checklist item and the ids of its findings."""
    found = services.load_audit(audit_id)
    if found is None:
        raise Problem(404, NOT_FOUND)
    return _audit(found, _english()), 200, {"ETag": saving.etag(found)}


@bp.post("/audits")
@api_access(*permissions.RECORDERS, write=True)
@spec.validate(json=s.AuditInput, resp=Response(HTTP_201=s.Audit, **WRITE_ERRORS), tags=["audits"],
               operation_id="createAudit")
def create_audit(json: s.AuditInput):
    """Plan an audit of a vendor (direct contractor or subcontractor) with the audit form's rules and
    messages: ``vendor_id`` and ``performed_by_vendor_id`` among the vendors the form offers, ``auditor_ids``
    among the users holding the auditor role."""
    form = AuditForm(
        formdata=saving.form_data(json.model_dump()), meta={"csrf": False},
        vendors=vendor_services.selectable_vendors(), auditors=auth_services.selectable_users(role=AUDITOR),
    )
    saving.validated(form)
    vendor = db.session.get(Vendor, int(form.vendor_id.data))  # one of the form's choices
    created = saving.commit(
        lambda: services.plan_audit(vendor, form.values(), actor=actor(), today=local_today())
    )
    found = services.load_audit(created.id)
    headers = {"ETag": saving.etag(found), "Location": url_for("api.audit", audit_id=found.id)}
    return _audit(found, _english()), 201, headers


@bp.get("/findings")
@api_access()
@spec.validate(query=s.FindingFilters, resp=Response(HTTP_200=s.FindingPage, HTTP_400=s.Problem, **READ_ERRORS),
               tags=["audits"], operation_id="listFindings")
def findings(query: s.FindingFilters):
    """Findings of every audit with the findings page's filters (search, status, severity, overdue)."""
    today = local_today()
    listed = pages.finding_list_query(query.model_dump(exclude={"cursor", "limit"}), today)
    rows, next_cursor = page(listed, Finding.id, cursor=query.cursor, limit=query.limit)
    return s.FindingPage(items=[_finding(row, today) for row in rows], next_cursor=next_cursor)


@bp.get("/findings/<int:finding_id>")
@api_access()
@spec.validate(resp=Response(HTTP_200=s.Finding, HTTP_404=s.Problem, **READ_ERRORS), tags=["audits"],
               operation_id="getFinding")
def finding(finding_id: int):
    """One finding: what was found, the corrective action asked for, the vendor's plan, the verification."""
    found = _load_finding(finding_id)
    return _finding(found, local_today()), 200, {"ETag": saving.etag(found)}


@bp.post("/audits/<int:audit_id>/findings")
@api_access(*permissions.RECORDERS, write=True)
@spec.validate(json=s.FindingInput, resp=Response(HTTP_201=s.Finding, HTTP_404=s.Problem, **WRITE_ERRORS),
               tags=["audits"], operation_id="createFinding")
def create_finding(audit_id: int, json: s.FindingInput):
    """Raise a finding with the corrective action requested in writing (是正要求), as the audit page's finding
    form does, while the audit is being recorded. ``item_code``: one of the audit's checklist items."""
    found = services.load_audit(audit_id)
    if found is None:
        raise Problem(404, NOT_FOUND)
    results = services.sorted_results(found)
    item_ids = {row.item.code: str(row.item_id) for row in results}
    values = json.model_dump(exclude={"item_code"})
    if json.item_code:  # an unknown code stays a value the form's choices refuse, with the form's message
        values["item_id"] = item_ids.get(json.item_code, f"code:{json.item_code}")
    form = FindingForm(formdata=saving.form_data(values), meta={"csrf": False}, results=results)
    if not form.validate():
        errors = [{**error, "field": "item_code" if error["field"] == "item_id" else error["field"]}
                  for error in form_errors(form)]
        raise Problem(422, saving.INVALID, errors=errors)
    created = saving.commit(
        lambda: finding_services.add_finding(found, form.values(), actor=actor(), today=local_today())
    )
    record = _load_finding(created.id)
    headers = {"ETag": saving.etag(record), "Location": url_for("api.finding", finding_id=record.id)}
    return _finding(record, local_today()), 201, headers


@bp.put("/findings/<int:finding_id>/response")
@api_access(*permissions.RECORDERS, write=True)
@spec.validate(
    json=s.FindingResponse,
    resp=Response(HTTP_200=s.Finding, HTTP_404=s.Problem, HTTP_412=s.Problem, HTTP_428=s.Problem, **WRITE_ERRORS),
    tags=["audits"], operation_id="recordFindingResponse",
)
def record_finding_response(finding_id: int, json: s.FindingResponse):
    """Record the vendor's corrective plan and response (as received in writing), as the finding page's plan
    form does. Send the finding's ETag in If-Match: a stale one is refused (412)."""
    found = _load_finding(finding_id)
    version = saving.matched_version(found)
    form = PlanForm(
        formdata=saving.form_data({**json.model_dump(), "version": version}), meta={"csrf": False}
    )
    saving.validated(form)
    saving.commit(
        lambda: finding_services.record_plan(
            found, plan_text=form.plan_text.data, received_on=form.received_on.data, actor=actor()
        ),
        record=found, version=version, field="plan_text",
    )
    found = _load_finding(finding_id)
    return _finding(found, local_today()), 200, {"ETag": saving.etag(found)}


@bp.post("/audits/<int:audit_id>/sign-off")
@api_access(*permissions.SIGNERS, write=True)
@spec.validate(
    json=s.AuditSignOffInput,
    resp=Response(HTTP_200=s.Audit, HTTP_404=s.Problem, HTTP_412=s.Problem, HTTP_428=s.Problem, **WRITE_ERRORS),
    tags=["audits"], operation_id="signOffAudit",
)
def sign_off_audit(audit_id: int, json: s.AuditSignOffInput):
    """A manager signs off a submitted, complete audit (it resets the vendor's audit clock and settles its
    triggers) or returns it to the auditors with the reason, as the audit page does. Separation of duties as
    on the page (``audits.permissions.can_sign_off``): a manager who took part in the audit may not sign it
    off (422 with the reason). Send the audit's ETag in If-Match: a stale one is refused (412)."""
    found = services.load_audit(audit_id)
    if found is None:
        raise Problem(404, NOT_FOUND)
    version = saving.matched_version(found)
    form_class = SignOffForm if json.decision == "sign_off" else ReturnForm
    values = {**json.model_dump(exclude={"decision"}), "version": version}
    form = form_class(formdata=saving.form_data(values), meta={"csrf": False})
    saving.validated(form)

    def decide():
        if json.decision == "sign_off":
            services.sign_off(found, actor=actor(), note=form.note.data or "", today=local_today(), now=utcnow())
        else:
            services.return_audit(found, actor=actor(), note=form.note.data or "")

    saving.commit(decide, record=found, version=version)
    found = services.load_audit(audit_id)
    return _audit(found, _english()), 200, {"ETag": saving.etag(found)}

"""The vendor portal (blueprint ``portal``, /portal/…) and the staff side of requests (``requests``).

A portal visitor is a vendor contact signed in by a single-use link: ``session["portal"]`` holds the
contact and vendor, never a Flask-Login user. The two never share a browser session: opening a link
signs a staff user out, a staff sign-in clears the session (``auth.login``), and a portal page refuses
a browser signed in as staff. The portal's views are open to the staff access check (``@public``) and
guarded by :func:`portal_required` instead.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from oversight.auth.decorators import public, role_required
from oversight.core.timeutil import local_today, utcnow
from oversight.disposals.models import METHOD_LABELS
from oversight.evidence import services as evidence_services
from oversight.evidence.models import EvidenceFile
from oversight.extensions import db
from oversight.portal import permissions, recurring, services, vendor_initiated
from oversight.portal.forms import (
    LinkRequestForm,
    PortalEvidenceForm,
    RequestForm,
    RevokeForm,
    certificate_form,
    certificate_values,
    plan_form,
    plan_values,
    renewal_form,
    renewal_values,
    report_form,
    report_values,
    review_comments,
    review_form,
)
from oversight.portal.kinds.base import CERTIFICATE, CHECKLIST, PLAN, RENEWAL
from oversight.portal.kinds.questionnaire import evidence_by_item
from oversight.portal.models import PortalRequest
from oversight.portal.services import ANSWERS, PortalActor
from oversight.portal.vendor_initiated_forms import ConsentRequestForm, IncidentNoticeForm
from oversight.vendors.models import Vendor, VendorContact
from oversight.web.saving import commit_step

bp = Blueprint("portal", __name__, url_prefix="/portal")
staff_bp = Blueprint("requests", __name__, url_prefix="/requests")

PORTAL_KEY = "portal"

LINK_PROBLEMS = {
    services.UNKNOWN: (404, _l("This link is not valid.")),
    services.EXPIRED: (410, _l("This link has expired.")),
    services.REVOKED: (410, _l("This link was withdrawn by the sender.")),
    services.USED: (410, _l("This link was already used. Each link works once.")),
}


# --- the portal session --------------------------------------------------------------------------


def _start_portal_session(link) -> None:
    if current_user.is_authenticated:
        logout_user()  # a staff sign-in and a portal session never share a browser session
    session.clear()
    session[PORTAL_KEY] = {
        "contact_id": link.contact_id,
        "vendor_id": link.vendor_id,
        "last_seen": utcnow().timestamp(),
    }
    session.permanent = True


def _current_actor() -> PortalActor | None:
    """The signed-in contact, or None (no portal session, an idle one, or a staff user in this browser)."""
    data = session.get(PORTAL_KEY)
    if not isinstance(data, dict) or current_user.is_authenticated:
        return None
    now = utcnow().timestamp()
    if now - float(data.get("last_seen", 0)) > current_app.config["IDLE_TIMEOUT_MINUTES"] * 60:
        session.pop(PORTAL_KEY, None)
        return None
    contact = db.session.get(VendorContact, data.get("contact_id"))
    if contact is None or contact.vendor_id != data.get("vendor_id"):
        session.pop(PORTAL_KEY, None)
        return None
    data["last_seen"] = now
    session[PORTAL_KEY] = data
    return services.actor_for(contact, contact.vendor)


def portal_required(view: Callable) -> Callable:
    """Only for a signed-in vendor contact; staff in this browser are refused (403), others sent to sign in."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user.is_authenticated:
            abort(403)
        actor = _current_actor()
        if actor is None:
            flash(_("Open the portal with the link from your e-mail, or ask for a new link."), "warning")
            return redirect(url_for("portal.new_link"))
        g.portal_actor = actor
        return view(actor, *args, **kwargs)

    return wrapped


def _own_request(actor: PortalActor, request_id: int) -> PortalRequest:
    """A request of the signed-in contact's vendor addressed to them; 404 for any other."""
    found = services.load_request(request_id)
    if found is None or found.vendor_id != actor.vendor_id or actor.contact_id not in {c.id for c in found.contacts}:
        abort(404)
    return found


# --- portal pages --------------------------------------------------------------------------------


@bp.route("/link/<token>")
@public
def open_link(token: str):
    """Sign a contact in with a single-use link; an unusable link gets a page offering a new one."""
    link, problem = services.open_link(token[:200], now=utcnow())
    if problem is not None:
        db.session.commit()  # the refusal is logged
        status, message = LINK_PROBLEMS[problem]
        return render_template("portal/link_problem.html", message=message, form=LinkRequestForm()), status
    _start_portal_session(link)
    db.session.commit()
    return redirect(url_for("portal.home"))


@bp.route("/new-link", methods=["GET", "POST"])
@public
def new_link():
    """Ask for a fresh link by e-mail address: the same answer whether the address is known or not."""
    form = LinkRequestForm()
    if form.validate_on_submit():
        now = utcnow()
        if services.link_request_limited(form.email.data, request.remote_addr, now=now):
            return render_template("portal/new_link.html", form=form, limited=True), 429
        services.request_new_link(form.email.data, now=now)
        db.session.commit()
        return render_template("portal/new_link_sent.html")
    return render_template("portal/new_link.html", form=form, limited=False)


@bp.route("/")
@public
@portal_required
def home(actor: PortalActor):
    """The requests addressed to the signed-in contact."""
    requests = [
        found for found in services.requests_of(db.session.get(Vendor, actor.vendor_id))
        if actor.contact_id in {contact.id for contact in found.contacts}
    ]
    return render_template(
        "portal/home.html",
        actor=actor,
        requests=requests,
        consents=vendor_initiated.consents_requested_by(actor),
        incidents=vendor_initiated.incidents_reported_by(actor),
    )


@bp.route("/requests/<int:request_id>", methods=["GET", "POST"])
@public
@portal_required
def report(actor: PortalActor, request_id: int):
    """Answer a request (a checklist, or a certificate): save a draft or submit a new version."""
    found = _own_request(actor, request_id)
    items = services.report_items(found)
    form = _answer_form(found, items)
    status = 200
    if request.method == "POST" and found.is_answerable:
        submitting = request.form.get("action") == "submit"
        if form.validate_on_submit():
            values = _answer_values(found, form)
            now = utcnow()
            if submitting:
                outcome = commit_step(
                    lambda: services.submit(found, values, actor=actor, now=now),
                    record=found, version=form.version.data,
                )
                if outcome:
                    flash(_("Your report was submitted. Thank you."), "success")
                    return redirect(url_for("portal.report", request_id=found.id))
            else:
                outcome = commit_step(
                    lambda: services.save_draft(found, values, actor=actor, now=now),
                    record=found, version=form.version.data,
                )
                if outcome:
                    flash(_("Your answers were saved as a draft."), "success")
                    return redirect(url_for("portal.report", request_id=found.id))
            status = outcome.status
        else:
            flash(_("Please correct the fields marked below."), "danger")
            status = 400
    return _report_page(actor, found, items, form, status=status)


# The answering form of each shape of request (oversight/portal/kinds/base.py), and its page.
SHAPES = {
    CHECKLIST: ("portal/report.html", lambda found, items, answers: report_form(found, items, answers), report_values),
    CERTIFICATE: ("portal/certificate.html", lambda found, items, answers: certificate_form(found, answers),
                  certificate_values),
    RENEWAL: ("portal/renewal.html", lambda found, items, answers: renewal_form(found, answers), renewal_values),
    PLAN: ("portal/plan.html", lambda found, items, answers: plan_form(found, answers), plan_values),
}


def _answer_form(found: PortalRequest, items):
    """The answering form of the request's kind: an answer per checklist item, a certificate, a renewal."""
    return SHAPES[services.kind(found).shape][1](found, items, services.current_answers(found))


def _answer_values(found: PortalRequest, form) -> dict[str, Any]:
    return SHAPES[services.kind(found).shape][2](form)


def _report_page(actor, found, items, form, upload_form=None, status: int = 200):
    latest = services.latest_submission(found)
    rules = services.kind(found)
    return render_template(
        SHAPES[rules.shape][0],
        actor=actor,
        req=found,
        rules=rules,
        subject=rules.subject(found),
        evidence_items=evidence_by_item(found),
        method_labels=METHOD_LABELS,
        items=items,
        form=form,
        upload_form=upload_form or _upload_form(found, items, formdata=None),
        files=services.evidence_of(found),
        subcontractors=services.subcontractors_in_use(found.vendor_id),
        latest=latest,
        review=latest.review_comments if latest is not None and latest.decision == "returned" else {},
        answer_labels=ANSWERS,
    ), status


@bp.route("/requests/<int:request_id>/evidence", methods=["POST"])
@public
@portal_required
def upload(actor: PortalActor, request_id: int):
    """Attach an evidence file to the request."""
    found = _own_request(actor, request_id)
    items = services.report_items(found)
    upload_form = _upload_form(found, items)
    status = 400
    if upload_form.validate_on_submit():
        outcome = commit_step(
            lambda: services.upload_evidence(
                found,
                upload_form.file.data,
                description=upload_form.description.data or "",
                actor=actor,
                item_code=(upload_form.item.data or "") if services.kind(found).evidence_per_item else "",
            ),
            upload_field=upload_form.file,
            error_field=upload_form.item,
        )
        if outcome:
            flash(_("The file was uploaded."), "success")
            return redirect(url_for("portal.report", request_id=found.id))
        status = outcome.status
    return _report_page(actor, found, items, _answer_form(found, items), upload_form=upload_form, status=status)


def _upload_form(found: PortalRequest, items, **kwargs) -> PortalEvidenceForm:
    """The upload form; a questionnaire's file names the item it is evidence for."""
    return PortalEvidenceForm(items=items if services.kind(found).evidence_per_item else (), **kwargs)


@bp.route("/files/<int:file_id>")
@public
@portal_required
def download(actor: PortalActor, file_id: int):
    """An evidence file of one of the contact's own requests (404 for any other file), logged."""
    evidence = db.session.get(EvidenceFile, file_id)
    if evidence is None or evidence.owner_type != services.EVIDENCE_OWNER:
        abort(404)
    _own_request(actor, evidence.owner_id)
    try:
        source = evidence_services.open_blob(evidence.sha256)
    except FileNotFoundError:
        current_app.logger.error("evidence file %s: blob %s is missing", evidence.id, evidence.sha256)
        abort(404)
    evidence_services.record_download(evidence, actor=actor)
    db.session.commit()
    response = Response(evidence_services.chunks(source), mimetype=evidence.content_type, direct_passthrough=True)
    response.content_length = evidence.size
    response.headers["Content-Disposition"] = evidence_services.attachment_header(evidence)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/sign-out", methods=["POST"])
@public
@portal_required
def sign_out(actor: PortalActor):
    session.pop(PORTAL_KEY, None)
    flash(_("You have left the vendor portal."), "success")
    return redirect(url_for("portal.new_link"))


# --- staff side ----------------------------------------------------------------------------------


def _vendor(vendor_id: int) -> Vendor:
    vendor = db.session.get(Vendor, vendor_id)
    if vendor is None:
        abort(404)
    return vendor


@staff_bp.route("/vendor/<int:vendor_id>")
@role_required()
def vendor_requests(vendor_id: int):
    """A vendor's requests (依頼) with their status, and its contacts' portal links."""
    vendor = _vendor(vendor_id)
    return render_template(
        "portal/vendor_requests.html",
        vendor=vendor,
        requests=services.requests_of(vendor),
        contacts=services.contacts_with_email(vendor),
        next_report=recurring.next_report(vendor, local_today()),
        can_send=permissions.can_send(current_user) and not vendor.is_archived,
        revoke_form=RevokeForm(),
    )


@staff_bp.route("/vendor/<int:vendor_id>/new", methods=["GET", "POST"])
@role_required(*permissions.SENDERS)
def create(vendor_id: int):
    """Send a request to a vendor's contacts, each by e-mail with a fresh link."""
    vendor = _vendor(vendor_id)
    contacts = services.contacts_with_email(vendor)
    subjects = services.subject_choices(vendor)
    form = RequestForm(contacts=contacts, subjects=subjects)
    status = 200
    if form.validate_on_submit():
        outcome = commit_step(
            lambda: services.create_request(
                vendor,
                kind=form.kind.data,
                contact_ids=form.contact_ids.data,
                due_on=form.due_on.data,
                message=form.message.data or "",
                actor=current_user,
                now=utcnow(),
                subject_id=form.subject_id(),
            ),
            error_field=form.contact_ids,
        )
        if outcome:
            flash(_("The request was sent to %(count)d contact(s).", count=len(outcome.value.contacts)), "success")
            return redirect(url_for("requests.detail", request_id=outcome.value.id))
        status = outcome.status
    elif request.method == "POST":
        status = 400
    return render_template(
        "portal/staff_form.html", vendor=vendor, form=form, contacts=contacts, subjects=subjects
    ), status


def _staff_request(request_id: int) -> PortalRequest:
    found = services.load_request(request_id)
    if found is None:
        abort(404)
    return found


@staff_bp.route("/<int:request_id>")
@role_required()
def detail(request_id: int):
    """A request, every submitted version and, for the auditor, the review form."""
    found = _staff_request(request_id)
    return _detail_page(found)


def _detail_page(found: PortalRequest, form=None, status: int = 200):
    items = services.report_items(found)
    can_review = permissions.can_review(current_user, found)
    rules = services.kind(found)
    return render_template(
        "portal/staff_detail.html",
        req=found,
        rules=rules,
        subject=rules.subject(found),
        evidence_items=evidence_by_item(found),
        method_labels=METHOD_LABELS,
        items=items,
        submissions=list(reversed(found.submissions)),
        latest=services.latest_submission(found),
        asked=services.previous_comments(found),
        files=services.evidence_of(found),
        form=form or (review_form(found, items) if can_review else None),
        can_review=can_review,
        answer_labels=ANSWERS,
    ), status


@staff_bp.route("/<int:request_id>/review", methods=["POST"])
@role_required(*permissions.REVIEWERS)
def review(request_id: int):
    """Return the latest version with comments per item (差戻し), or accept it (受理)."""
    found = _staff_request(request_id)
    rules = services.kind(found)
    if not current_user.has_role(*rules.reviewers):
        abort(403)
    form = review_form(found, services.report_items(found))
    if not form.validate_on_submit():
        return _detail_page(found, form, 400)
    now = utcnow()
    if request.form.get("action") == "accept":
        outcome = commit_step(
            lambda: services.accept(found, note=form.note.data or "", actor=current_user, today=local_today(), now=now),
            record=found, version=form.version.data, error_field=form.note,
        )
        message = str(rules.accepted_message)
    else:
        outcome = commit_step(
            lambda: services.return_submission(
                found, comments=review_comments(form), note=form.note.data or "", actor=current_user, now=now
            ),
            record=found, version=form.version.data, error_field=form.note,
        )
        message = _("The report was returned to the vendor.")
    if outcome:
        flash(message, "success")
        return redirect(url_for("requests.detail", request_id=found.id))
    return _detail_page(found, form, outcome.status)


@staff_bp.route("/vendor/<int:vendor_id>/contacts/<int:contact_id>/revoke", methods=["POST"])
@role_required(*permissions.SENDERS)
def revoke_links(vendor_id: int, contact_id: int):
    """Withdraw every open portal link of one contact."""
    vendor = _vendor(vendor_id)
    contact = db.session.get(VendorContact, contact_id)
    if contact is None or contact.vendor_id != vendor.id:
        abort(404)
    if RevokeForm().validate_on_submit():
        count = services.revoke_links(contact, actor=current_user, now=utcnow())
        db.session.commit()
        flash(_("%(count)d open link(s) of %(name)s were withdrawn.", count=count, name=contact.name), "success")
    return redirect(url_for("requests.vendor_requests", vendor_id=vendor.id))


# --- what the vendor starts itself (consent to a new subcontractor, notice of an incident) ----------

LIMITED_MESSAGE = _l("You have sent this form several times in the last hour. Please try again later.")


def _vendor_initiated(actor: PortalActor, form, action: str, step: Callable, template: str, done: str, **context):
    """Validate ``form``; refuse a contact (or IP) over the hourly limit with 429; run ``step`` through
    ``commit_step`` (a refusal shows next to the form, which keeps what was typed); on success go home."""
    status = 200
    if request.method == "POST":
        status = 400
        if vendor_initiated.is_limited(action, actor, request.remote_addr, now=utcnow()):
            flash(LIMITED_MESSAGE, "danger")
            status = 429
        elif form.validate_on_submit():
            outcome = commit_step(lambda: step(form), upload_field=form.evidence)
            if outcome:
                flash(done, "success")
                return redirect(url_for("portal.home"))
            status = outcome.status
        else:
            flash(_("Please correct the fields marked below."), "danger")
    return render_template(template, actor=actor, form=form, **context), status


@bp.route("/subcontractors/new", methods=["GET", "POST"])
@public
@portal_required
def consent_request(actor: PortalActor):
    """Ask for consent to a new subcontractor; it enters the consent workflow as procurement's request would."""
    placements = vendor_initiated.placements(actor.vendor_id)
    form = ConsentRequestForm(placements=placements)
    return _vendor_initiated(
        actor,
        form,
        vendor_initiated.CONSENT_REQUEST,
        lambda form: vendor_initiated.request_consent(
            actor, form.values(), upload=form.evidence.data, ip=request.remote_addr, now=utcnow()
        ),
        "portal/consent_request.html",
        _("Your request for consent was sent. You will be told of the decision."),
        has_contract=bool(placements),
    )


@bp.route("/incidents/new", methods=["GET", "POST"])
@public
@portal_required
def incident_notice(actor: PortalActor):
    """Give notice of an incident: it opens an incident with this moment as the vendor's notice."""
    form = IncidentNoticeForm(contracts=vendor_initiated.contracts_of(actor.vendor_id))
    return _vendor_initiated(
        actor,
        form,
        vendor_initiated.INCIDENT_NOTICE,
        lambda form: vendor_initiated.report_incident(
            actor, form.values(), upload=form.evidence.data, ip=request.remote_addr, now=utcnow()
        ),
        "portal/incident_notice.html",
        _("Your notice was received and our managers were alerted. We will contact you."),
    )

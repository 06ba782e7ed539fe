"""Subcontract pages: the worklist, the chain per contract and per vendor, a node with its consents."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from oversight.auth.decorators import role_required
from oversight.auth.roles import ADMIN, LEGAL, MANAGER, PROCUREMENT
from oversight.contracts import services as contract_services
from oversight.core.exports import download
from oversight.core.timeutil import local_today, utcnow
from oversight.extensions import db
from oversight.subcontracts import exports, pages, services, worklist
from oversight.subcontracts.forms import (
    APPROVE,
    DecisionForm,
    EntrustedForm,
    NotifiedForm,
    ReviewForm,
    RevokeForm,
)
from oversight.vendors.models import Vendor
from oversight.web.saving import commit_step
from oversight.web.second_factor import step_up_required

bp = Blueprint("subcontracts", __name__, url_prefix="/subcontracts")

REQUESTERS = (PROCUREMENT, ADMIN)


def _contract(contract_id: int):
    contract = contract_services.load_contract(contract_id)
    if contract is None:
        abort(404)
    return contract


def _node(node_id: int):
    node = services.load_node(node_id)
    if node is None:
        abort(404)
    return node


def _consent(consent_id: int):
    consent = services.load_consent(consent_id)
    if consent is None:
        abort(404)
    return consent


@bp.route("/")
@role_required()
def index():
    """Every subcontract relation (searchable), or one of the exceptions (violations, requests awaiting legal or
    a manager, consents expiring soon): one section, a page at a time."""
    args = request.args
    page = worklist.worklist(
        args.get("section", ""), local_today(), q=args.get("q", "")[:200], scope=args.get("scope", "")
    )
    return render_template("subcontracts/index.html", can_add=current_user.has_role(*REQUESTERS), **page)


@bp.route("/new")
@role_required(*REQUESTERS)
def start():
    """Record a subcontractor: choose the contract whose chain it joins (its form then asks for the parent)."""
    return render_template("subcontracts/start.html", **pages.start_page(request.args.get("q", "")[:200], current_user))


@bp.route("/export")
@role_required()
def export():
    """Every subcontract node with its consent requests as CSV (default) or Excel (``format=xlsx``)."""
    return download(exports.EXPORT, exports.subcontract_query(), request.args.get("format"))


@bp.route("/contracts/<int:contract_id>")
@role_required()
def contract_tree(contract_id: int):
    """The chain of one contract, every node with its consent status and light."""
    contract = _contract(contract_id)
    return render_template("subcontracts/tree.html", **pages.contract_page(contract, user=current_user))


@bp.route("/vendors/<int:vendor_id>")
@role_required()
def vendor_tree(vendor_id: int):
    """Every chain a vendor is part of, as contractor, parent or subcontractor."""
    vendor = db.get_or_404(Vendor, vendor_id)
    return render_template("subcontracts/vendor.html", vendor=vendor, **pages.vendor_page(vendor))


@bp.route("/contracts/<int:contract_id>/new", methods=["GET", "POST"])
@role_required(*REQUESTERS)
def create(contract_id: int):
    """Record a subcontractor in the chain (under the contractor or under another node)."""
    contract = _contract(contract_id)
    form = pages.node_form(contract, parent_id=request.args.get("parent", ""))
    if form.validate_on_submit() and (
        saved := commit_step(
            lambda: services.record_node(
                contract,
                parent=pages.chosen_parent(contract, form.parent.data),
                vendor=pages.chosen_vendor(form.vendor.data),
                values=form.values(),
                actor=current_user,
            )
        )
    ):
        flash(_l("The subcontractor was recorded. Without the principal's consent it is a violation."), "warning")
        return redirect(url_for("subcontracts.detail", node_id=saved.value.id))
    status = 400 if form.is_submitted() else 200
    return render_template("subcontracts/node_form.html", contract=contract, form=form), status


@bp.route("/<int:node_id>")
@role_required()
def detail(node_id: int):
    """One node: where it sits in the chain, its status and its consents, with the actions the user may take."""
    return pages.render_detail(_node(node_id), user=current_user)


@bp.route("/<int:node_id>/entrusted", methods=["POST"])
@role_required(*REQUESTERS)
def entrusted(node_id: int):
    """Record that a planned subcontractor now handles the data (a violation until consented)."""
    node = _node(node_id)
    form = EntrustedForm()
    if form.validate_on_submit() and commit_step(
        lambda: services.record_entrustment(node, actor=current_user), record=node, version=form.version.data
    ):
        flash(_l("Recorded as entrusted. Without a valid consent the subcontractor is a violation."), "warning")
        return redirect(url_for("subcontracts.detail", node_id=node.id))
    return pages.render_detail(node, user=current_user, status=400, entrusted_form=form)


@bp.route("/<int:node_id>/consents/new", methods=["GET", "POST"])
@role_required(*REQUESTERS)
def request_consent(node_id: int):
    """Request the principal's consent on the vendor's behalf (§5.2)."""
    node = _node(node_id)
    form = pages.request_form(node)
    if form.validate_on_submit() and commit_step(
        lambda: services.request_consent(node, form.values(), actor=current_user, now=utcnow())
    ):
        flash(_l("The consent request was sent to legal for review."), "success")
        return redirect(url_for("subcontracts.detail", node_id=node.id))
    status = 400 if form.is_submitted() else 200
    return render_template("subcontracts/request_form.html", node=node, form=form), status


@bp.route("/consents/<int:consent_id>/evaluation", methods=["POST"])
@role_required(*REQUESTERS)
def start_evaluation(consent_id: int):
    """Start (or link) the subcontractor's selection evaluation from the request."""
    consent = _consent(consent_id)
    outcome = commit_step(lambda: services.start_evaluation(consent, actor=current_user, now=utcnow()))
    if not outcome:
        return redirect(url_for("subcontracts.detail", node_id=consent.subcontract_id))
    flash(_l("The selection evaluation is linked to the request."), "success")
    return redirect(url_for("evaluations.detail", evaluation_id=outcome.value.id))


def _act(consent_id: int, form, form_name: str, action, success):
    """Validate ``form``, check its version, run ``action``, commit; re-render the node with the input on failure."""
    consent = _consent(consent_id)
    if not form.validate_on_submit():
        return pages.render_detail(consent.subcontract, user=current_user, status=400, **{form_name: form})
    outcome = commit_step(lambda: action(consent), record=consent, version=form.version.data)
    if not outcome:
        node = _node(consent.subcontract_id)
        return pages.render_detail(node, user=current_user, status=outcome.status, **{form_name: form})
    flash(success, "success")
    return redirect(url_for("subcontracts.detail", node_id=consent.subcontract_id))


@bp.route("/consents/<int:consent_id>/review", methods=["POST"])
@role_required(LEGAL)
def review(consent_id: int):
    """Legal's recommendation and note."""
    form = ReviewForm()
    return _act(
        consent_id,
        form,
        "review_form",
        lambda consent: services.review(
            consent, recommendation=form.recommendation.data, note=form.note.data, actor=current_user, now=utcnow()
        ),
        _l("The review was recorded; a manager can now decide."),
    )


@bp.route("/consents/<int:consent_id>/decide", methods=["POST"])
@role_required(MANAGER)
@step_up_required
def decide(consent_id: int):
    """A manager of the principal grants (with conditions and expiry) or refuses (with a reason)."""
    form = DecisionForm()

    def action(consent):
        if form.decision.data == APPROVE:
            services.approve(
                consent,
                conditions=form.conditions.data,
                expires_on=form.expires_on.data,
                actor=current_user,
                today=local_today(),
                now=utcnow(),
            )
        else:
            services.refuse(consent, reason=form.reason.data, actor=current_user, now=utcnow())

    return _act(consent_id, form, "decision_form", action, _l("The decision was recorded."))


@bp.route("/consents/<int:consent_id>/revoke", methods=["POST"])
@role_required(MANAGER)
@step_up_required
def revoke(consent_id: int):
    """Withdraw a granted consent, with the reason."""
    form = RevokeForm()
    return _act(
        consent_id,
        form,
        "revoke_form",
        lambda consent: services.revoke(consent, reason=form.reason.data, actor=current_user, now=utcnow()),
        _l("The consent was revoked; the subcontractor is now shown as a violation."),
    )


@bp.route("/consents/<int:consent_id>/notified", methods=["POST"])
@role_required(*REQUESTERS)
def notified(consent_id: int):
    """Record the day the contractor told the subcontractor that consent exists (Q&A 3-8-2)."""
    form = NotifiedForm()
    return _act(
        consent_id,
        form,
        "notified_form",
        lambda consent: services.record_notification(
            consent, notified_on=form.notified_on.data, note=form.note.data, actor=current_user, today=local_today()
        ),
        _l("The notice to the subcontractor was recorded."),
    )

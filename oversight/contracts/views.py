"""Contract pages: list and export, legal's worklist, drafting, clause review, approval, signing, end."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from oversight.auth.decorators import role_required
from oversight.auth.roles import LEGAL, MANAGER
from oversight.checklists import filling
from oversight.contracts import exports, pages, services
from oversight.contracts import review as review_rules
from oversight.contracts.forms import (
    ApproveForm,
    ChangeForm,
    ContractEditForm,
    ContractFilterForm,
    ContractForm,
    DocumentForm,
    ManagerReturnForm,
    ReviewDecisionForm,
    ReviewReturnForm,
    SignForm,
    SubmitForm,
    TerminateForm,
    WaiverApprovalForm,
    review_form,
)
from oversight.contracts.models import IN_REVIEW, PRESENT, RESULT_LABELS, Contract
from oversight.core.exports import download
from oversight.core.pagination import paginate, paginate_rows
from oversight.core.query import query_int
from oversight.core.timeutil import local_today, utcnow
from oversight.disposals import services as disposal_services
from oversight.evidence.validation import UploadRejected
from oversight.extensions import db
from oversight.units import services as unit_services
from oversight.vendors.models import Vendor
from oversight.web.saving import commit_step
from oversight.web.second_factor import step_up_required

bp = Blueprint("contracts", __name__, url_prefix="/contracts")
# Everyone who may sign in may read contracts, so everyone may download their documents.
# Contracts past their end date are ended every morning, before the reminder sweep.

STALE_MESSAGE = _l(
    "Someone else saved this contract after you opened it. Your changes were not saved; "
    "they are still in the form below. Reload the page to see the other changes."
)


def _load(contract_id: int) -> Contract:
    contract = services.load_contract(contract_id)
    if contract is None:
        abort(404)
    return contract


def _detail(contract_id: int, status: int = 200, round_number: int | None = None, **forms):
    """The detail page with the forms the current user may use (kept as typed after an error)."""
    contract = _load(contract_id)
    context = pages.detail_context(contract, user=current_user, today=local_today(), round_number=round_number)
    context.update(forms)
    return render_template("contracts/detail.html", **context), status


def _filtered_query():
    form = ContractFilterForm(request.args)
    filters = form.filters()
    sort = services.SORTING.read(request.args)
    return form, sort, pages.list_query(filters, sort=sort, today=local_today())


@bp.route("/")
@role_required()
def index():
    """Every contract, with search, filters, sorting and pagination."""
    form, sort, query = _filtered_query()
    pagination = paginate(pages.list_rows(query))
    return render_template(
        "contracts/index.html",
        form=form,
        sort=sort,
        pagination=pagination,
        can_create=current_user.has_role(*pages.EDITORS),
        **pages.list_context(),
    )


@bp.route("/export")
@role_required()
def export():
    """The filtered list as CSV (default) or Excel (``format=xlsx``)."""
    _form, _sort, query = _filtered_query()
    return download(exports.EXPORT, query, request.args.get("format"))


@bp.route("/worklist")
@role_required(LEGAL, MANAGER)
def worklist():
    """Contracts waiting for legal's review (oldest first) and for a manager's approval, a page of each."""
    return render_template(
        "contracts/worklist.html",
        awaiting_legal=paginate_rows(services.awaiting_legal_query(), parameter="legal_page"),
        awaiting_manager=paginate_rows(services.awaiting_manager_query(), parameter="manager_page"),
    )


@bp.route("/new/<int:vendor_id>", methods=["GET", "POST"])
@role_required(*pages.EDITORS)
def create(vendor_id: int):
    """Draft a new contract with a vendor."""
    vendor = db.get_or_404(Vendor, vendor_id)
    prefilled = None if request.method == "POST" else pages.new_contract_values(vendor, today=local_today())
    units = unit_services.selectable_units(current_user, *pages.EDITORS)
    if prefilled is not None:
        vendor_units = unit_services.unit_ids_of_vendor(vendor.id)
        prefilled["unit_id"] = str(next((unit.id for unit in units if unit.id in vendor_units), ""))
    form = ContractForm(data=prefilled, units=units)
    if form.validate_on_submit() and (
        saved := commit_step(
            lambda: services.create_contract(vendor, form.values(), actor=current_user),
            error_fields={services.DuplicateNumberError: form.number},
        )
    ):
        flash(_l("Contract %(number)s was drafted.", number=saved.value.number), "success")
        return redirect(url_for("contracts.detail", contract_id=saved.value.id))
    return render_template("contracts/form.html", form=form, vendor=vendor, contract=None)


@bp.route("/<int:contract_id>")
@role_required()
def detail(contract_id: int):
    """The contract, its review rounds and what changed, its documents and its end."""
    return _detail(contract_id, round_number=query_int("round"))


@bp.route("/<int:contract_id>/edit", methods=["GET", "POST"])
@role_required(*pages.EDITORS)
def edit(contract_id: int):
    """Change a draft or returned contract."""
    contract = _load(contract_id)
    if not contract.is_editable:
        flash(_l("This contract is with legal or signed and can no longer be changed here."), "warning")
        return redirect(url_for("contracts.detail", contract_id=contract.id))
    form = ContractEditForm(contract=contract)
    if form.validate_on_submit() and commit_step(
        lambda: services.update_contract(contract, form.values(), actor=current_user),
        record=contract, version=form.version.data, stale_message=STALE_MESSAGE,
        error_fields={services.DuplicateNumberError: form.number},
    ):
        flash(_l("Contract %(number)s was saved.", number=contract.number), "success")
        return redirect(url_for("contracts.detail", contract_id=contract.id))
    return render_template("contracts/form.html", form=form, vendor=_load(contract_id).vendor, contract=contract)


@bp.route("/<int:contract_id>/documents", methods=["POST"])
@role_required(*pages.SIGNERS)
def upload_document(contract_id: int):
    """Attach a contract document (draft, amendment, 覚書 …)."""
    contract = _load(contract_id)
    form = DocumentForm()
    if not contract.is_closed and form.validate_on_submit():
        try:
            services.attach_document(
                contract,
                form.file.data,
                kind=form.kind.data,
                actor=current_user,
                document_date=form.document_date.data,
                description=form.description.data or "",
            )
        except UploadRejected as error:
            db.session.rollback()
            form.file.errors = [*form.file.errors, error.message]
        else:
            db.session.commit()
            flash(_l("The document was attached."), "success")
            return redirect(url_for("contracts.detail", contract_id=contract.id, _anchor="documents"))
    flash(_l("The document was not attached; see the upload form."), "danger")
    return _detail(contract_id, 400, document_form=form)


@bp.route("/<int:contract_id>/submit", methods=["POST"])
@role_required(*pages.EDITORS)
def submit(contract_id: int):
    """Send the contract to legal for a clause review round."""
    contract = _load(contract_id)
    form = SubmitForm()
    if not form.validate_on_submit():
        return _detail(contract_id, 400, submit_form=form)
    outcome = commit_step(
        lambda: services.submit_for_review(contract, note=form.note.data, actor=current_user, now=utcnow()),
        record=contract, version=form.version.data, stale_message=STALE_MESSAGE,
    )
    if not outcome:
        return _detail(contract_id, outcome.status, submit_form=form)
    flash(_l("Review round %(round)d was sent to legal.", round=outcome.value.round_number), "success")
    return redirect(url_for("contracts.detail", contract_id=contract.id))


def _open_round_or_redirect(contract: Contract):
    latest = review_rules.latest_round(contract)
    if latest is None or not latest.is_open or contract.status != IN_REVIEW:
        return None
    return latest


@bp.route("/<int:contract_id>/review", methods=["GET", "POST"])
@role_required(LEGAL)
def review(contract_id: int):
    """Legal judges every clause of the open round: result, clause number, quote, note, waiver."""
    contract = _load(contract_id)
    current = _open_round_or_redirect(contract)
    if current is None:
        flash(_l("This contract is not waiting for legal review."), "warning")
        return redirect(url_for("contracts.detail", contract_id=contract.id))
    results = review_rules.sorted_results(current)
    form = review_form(current, results)
    if form.validate_on_submit():
        fill = request.form.get("then") == "fill"  # save what was typed, then the rest present
        step = review_rules.fill_rest_present if fill else review_rules.save_results
        if outcome := commit_step(
            lambda: step(contract, current, form.values(), actor=current_user, now=utcnow()),
            record=current, version=form.version.data, stale_message=STALE_MESSAGE,
        ):
            if fill:
                flash(filling.filled_message(outcome.value, RESULT_LABELS[PRESENT]), "success")
            else:
                flash(_l("The clause findings were saved."), "success")
            return redirect(url_for("contracts.review", contract_id=contract.id))
    elif request.method == "POST":
        flash(_l("Please correct the fields marked below."), "danger")
    contract = _load(contract_id)
    current = review_rules.latest_round(contract)
    return render_template(
        "contracts/review.html",
        contract=contract,
        review=current,
        results=review_rules.sorted_results(current),
        form=form,
        blocking=review_rules.blocking_codes(current),
        unanswered=len(filling.unanswered(current.results, "result")),
    ), (400 if request.method == "POST" else 200)


def _decide_round(contract_id: int, form, decide, success_message):
    """``(response, form)``: a redirect once decided (or already decided: the form sent twice), else ``None``."""
    contract = _load(contract_id)
    current = _open_round_or_redirect(contract)
    if current is None:
        flash(_l("This contract is not waiting for legal review."), "warning")
        return redirect(url_for("contracts.detail", contract_id=contract.id)), form
    if not form.validate_on_submit():
        return None, form
    if not commit_step(
        lambda: decide(contract, current, comment=form.comment.data, actor=current_user, now=utcnow()),
        record=current, version=form.version.data, stale_message=STALE_MESSAGE,
    ):
        return None, form
    flash(success_message, "success")
    return redirect(url_for("contracts.detail", contract_id=contract_id)), form


@bp.route("/<int:contract_id>/review/return", methods=["POST"])
@role_required(LEGAL)
def return_review(contract_id: int):
    """Legal returns the contract to procurement (差戻し) with comments."""
    response, form = _decide_round(
        contract_id, ReviewReturnForm(), review_rules.return_round, _l("The contract was returned to procurement.")
    )
    return response or _detail(contract_id, 400, review_return_form=form)


@bp.route("/<int:contract_id>/review/clear", methods=["POST"])
@role_required(LEGAL)
def clear_review(contract_id: int):
    """Legal clears the clauses; the contract then waits for a manager's approval."""
    response, form = _decide_round(
        contract_id,
        ReviewDecisionForm(),
        review_rules.clear_round,
        _l("The clauses were cleared; a manager can now approve the contract."),
    )
    return response or _detail(contract_id, 400, decision_form=form)


@bp.route("/<int:contract_id>/waivers/<int:result_id>/approve", methods=["POST"])
@role_required(MANAGER)
def approve_waiver(contract_id: int, result_id: int):
    """A manager approves legal's waiver for one required clause."""
    contract = _load(contract_id)
    current = review_rules.latest_round(contract)
    result = next((r for r in current.results if r.id == result_id), None) if current else None
    if result is None:
        abort(404)
    form = WaiverApprovalForm()
    if not form.validate_on_submit():
        return _detail(contract_id, 400)
    outcome = commit_step(
        lambda: review_rules.approve_waiver(contract, result, actor=current_user, now=utcnow()),
        record=result.review, version=form.version.data, stale_message=STALE_MESSAGE,
    )
    if not outcome:
        return _detail(contract_id, outcome.status)
    flash(_l("The waiver for %(code)s was approved.", code=result.item.code), "success")
    return redirect(url_for("contracts.detail", contract_id=contract_id, _anchor="clauses"))


def _manager_step(contract_id: int, form, action, form_name: str, success_message):
    contract = _load(contract_id)
    if not form.validate_on_submit():
        return _detail(contract_id, 400, **{form_name: form})
    outcome = commit_step(
        lambda: action(contract, form), record=contract, version=form.version.data, stale_message=STALE_MESSAGE
    )
    if not outcome:
        return _detail(contract_id, outcome.status, **{form_name: form})
    flash(success_message, "success")
    return redirect(url_for("contracts.detail", contract_id=contract_id))


@bp.route("/<int:contract_id>/approve", methods=["POST"])
@role_required(MANAGER)
@step_up_required
def approve(contract_id: int):
    """A manager, not the legal reviewer, approves the contract (承認済)."""
    return _manager_step(
        contract_id,
        ApproveForm(),
        lambda contract, form: services.approve_contract(
            contract, actor=current_user, note=form.note.data, today=local_today(), now=utcnow()
        ),
        "approve_form",
        _l("The contract was approved; it can now be signed."),
    )


@bp.route("/<int:contract_id>/return", methods=["POST"])
@role_required(MANAGER)
def return_to_procurement(contract_id: int):
    """A manager sends the contract back to procurement."""
    return _manager_step(
        contract_id,
        ManagerReturnForm(),
        lambda contract, form: services.return_by_manager(contract, actor=current_user, note=form.note.data),
        "manager_return_form",
        _l("The contract was returned to procurement."),
    )


@bp.route("/<int:contract_id>/sign", methods=["POST"])
@role_required(*pages.SIGNERS)
def sign(contract_id: int):
    """Record the signature with the signed document (締結済)."""
    contract = _load(contract_id)
    form = SignForm()
    if not form.validate_on_submit():
        return _detail(contract_id, 400, sign_form=form)
    outcome = commit_step(
        lambda: services.mark_signed(
            contract, form.file.data, signed_on=form.signed_on.data, kind=form.kind.data, actor=current_user
        ),
        record=contract, version=form.version.data, stale_message=STALE_MESSAGE, upload_field=form.file,
    )
    if not outcome:
        return _detail(contract_id, outcome.status, sign_form=form)
    flash(_l("Contract %(number)s is signed and in force.", number=contract.number), "success")
    return redirect(url_for("contracts.detail", contract_id=contract_id))


@bp.route("/<int:contract_id>/change", methods=["POST"])
@role_required(*pages.EDITORS)
def start_change(contract_id: int):
    """Start an amendment or renewal: the contract goes back to draft for a new review round."""
    return _manager_step(
        contract_id,
        ChangeForm(),
        lambda contract, form: services.start_change(
            contract, kind=form.kind.data, note=form.note.data, actor=current_user
        ),
        "change_form",
        _l("The contract is open for changes; submit it to legal when ready."),
    )


@bp.route("/<int:contract_id>/terminate", methods=["POST"])
@role_required(*pages.TERMINATORS)
def terminate(contract_id: int):
    """End a signed contract early; its return/deletion items open."""
    return _manager_step(
        contract_id,
        TerminateForm(),
        lambda contract, form: disposal_services.terminate_contract(
            contract, ended_on=form.ended_on.data, reason=form.reason.data, actor=current_user, today=local_today()
        ),
        "terminate_form",
        _l("The contract was terminated early; the return/deletion of its data is now due."),
    )

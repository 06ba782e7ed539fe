"""What the contract pages display, computed from the models (templates only show it)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import contains_eager, load_only, raiseload

from oversight.contracts import numbering, permissions, services
from oversight.contracts import review as review_rules
from oversight.contracts.forms import (
    ApproveForm,
    ChangeForm,
    DocumentForm,
    ManagerReturnForm,
    ReviewDecisionForm,
    ReviewReturnForm,
    SignForm,
    SubmitForm,
    TerminateForm,
    WaiverApprovalForm,
)
from oversight.contracts.models import (
    AMENDMENT,
    IN_REVIEW,
    RESULT_LABELS,
    STATUS_COLOURS,
    STATUS_LABELS,
    TYPE_LABELS,
    Contract,
    ContractReview,
)
from oversight.core.i18n import labels
from oversight.core.sorting import Sort
from oversight.disposals import services as disposal_services
from oversight.status import lights as status_lights
from oversight.vendors.models import Vendor

EDITORS = permissions.EDITORS
SIGNERS = permissions.SIGNERS
TERMINATORS = permissions.TERMINATORS


def new_contract_values(vendor: Vendor, *, today: date) -> dict[str, Any]:
    """What a new contract with ``vendor`` starts with: the next number by the admin's pattern and the
    entrusted work and data in scope of the vendor's register entry (all editable)."""
    return {"number": numbering.next_number(today), "scope": vendor.entrusted_work, "data_scope": vendor.data_scope}


def list_query(filters: dict[str, Any], *, sort: Sort, today: date) -> Select:
    """The list page's query for the filter form's data (the vendor as ``ContractFilterForm.vendor_filter``
    gives it)."""
    ending = filters.get("ending_within") or ""
    return services.contract_query(
        q=filters.get("q") or "",
        status=filters.get("status") or "",
        vendor_id=filters.get("vendor_id"),
        vendor_text=filters.get("vendor_text") or "",
        contract_type=filters.get("contract_type") or "",
        ending_within=int(ending) if ending.isdigit() else None,
        clauses=filters.get("clauses") or "",
        today=today,
        sort=sort,
    )


def list_rows(query: Select) -> Select:
    """``list_query`` as the list page reads it: only the columns its table shows, the vendor's name from
    the join the filters already make (not a second join loading every column of the vendor), nothing
    else loaded behind the template's back (an attribute it does not read raises)."""
    return query.options(
        load_only(
            Contract.number, Contract.title, Contract.vendor_id, Contract.contract_type, Contract.status,
            Contract.start_on, Contract.end_on, Contract.auto_renewal, Contract.updated_at, Contract.version,
            raiseload=True,
        ),
        contains_eager(Contract.vendor).load_only(Vendor.name, raiseload=True),
        raiseload("*"),
    )


def list_context() -> dict[str, Any]:
    """The rows' labels in the current locale (translated once, not per row) and the status colours."""
    return {
        "status_labels": labels(STATUS_LABELS),
        "type_labels": labels(TYPE_LABELS),
        "status_colours": STATUS_COLOURS,
    }


def _forms(contract: Contract, review: ContractReview | None) -> dict[str, Any]:
    version = {"version": contract.version}
    review_version = {"version": review.version} if review else {}
    return {
        "submit_form": SubmitForm(formdata=None, data=version),
        "decision_form": ReviewDecisionForm(formdata=None, data=review_version),
        "review_return_form": ReviewReturnForm(formdata=None, data=review_version),
        "waiver_form": WaiverApprovalForm(formdata=None, data=review_version),
        "approve_form": ApproveForm(formdata=None, data=version),
        "manager_return_form": ManagerReturnForm(formdata=None, data=version),
        "sign_form": SignForm(
            formdata=None,
            data={
                **version,
                "kind": "amendment" if review and review.kind == AMENDMENT else "signed",
            },
        ),
        "document_form": DocumentForm(formdata=None),
        "change_form": ChangeForm(formdata=None, data=version),
        "terminate_form": TerminateForm(formdata=None, data=version),
    }


def _approvable_waivers(user: Any, contract: Contract, review: ContractReview | None) -> frozenset[int]:
    """The clause results of ``review`` whose waiver ``user`` may approve."""
    if review is None:
        return frozenset()
    return frozenset(result.id for result in review.results if permissions.can_approve_waiver(user, contract, result))


def detail_context(contract: Contract, *, user: Any, today: date, round_number: int | None = None) -> dict[str, Any]:
    """Values for the detail page, including which actions ``user`` may take."""
    rounds = review_rules.rounds_of(contract)
    shown = next((r for r in rounds if r.round_number == round_number), None) if round_number else None
    shown = shown or (rounds[-1] if rounds else None)
    previous = next((r for r in rounds if shown and r.round_number == shown.round_number - 1), None)
    latest = rounds[-1] if rounds else None
    open_round = latest if latest is not None and latest.is_open and contract.status == IN_REVIEW else None
    cleared = permissions.is_cleared(contract, latest)
    context = {
        "contract": contract,
        "rounds": rounds,
        "shown_round": shown,
        "results": review_rules.sorted_results(shown) if shown else [],
        "changes": review_rules.diff_rounds(previous, shown) if shown else [],
        "previous_round": previous,
        "is_latest_shown": shown is latest,
        "open_round": open_round,
        "blocking": review_rules.blocking_codes(latest) if latest and (open_round or cleared) else [],
        "result_labels": RESULT_LABELS,
        "documents": services.documents_of(contract),
        "disposals": disposal_services.items_of_contract(contract),
        "lights": status_lights.vendor_lights([contract.vendor_id], today)[contract.vendor_id],
        "has_valid_selection": services.has_valid_selection(contract.vendor_id, today),
        "can_edit": permissions.can_edit(user, contract),
        "can_upload": permissions.can_upload(user, contract),
        "can_review": permissions.can_review(user, contract, latest),
        "approvable_waivers": _approvable_waivers(user, contract, shown if shown is latest else None),
        "can_approve": permissions.can_approve(user, contract, latest),
        "own_refusal": permissions.approve_refusal(user, contract, latest)
        if cleared and user.has_role(*permissions.APPROVERS) and permissions.took_part(user, contract, latest)
        else None,
        "awaiting_manager": cleared,
        "can_sign": permissions.can_sign(user, contract),
        "can_change": permissions.can_change(user, contract),
        "can_terminate": permissions.can_terminate(user, contract),
        "in_force": contract.is_in_force_on(today),
        "today": today,
    }
    context.update(_forms(contract, open_round or latest))
    return context

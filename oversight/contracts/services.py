"""Contract rules: draft, submit for legal review, manager approval, signing, amendment, end.

Procurement drafts and submits; legal reviews the clauses (``oversight.contracts.review``);
a manager who was not the legal reviewer approves, and only for a vendor whose selection
evaluation is approved and still valid; the signed document is then uploaded. When the
contract ends, on its end date or early with a reason, its return/deletion items open.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, and_, or_
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import FileStorage

from oversight.activity import services as activity
from oversight.auth.models import User
from oversight.contracts import permissions
from oversight.contracts import review as review_rules
from oversight.contracts.errors import ContractRuleError
from oversight.contracts.models import (
    AMENDMENT,
    APPROVED,
    CLOSED,
    DRAFT,
    EDITABLE,
    ENDED,
    IN_REVIEW,
    INITIAL,
    OUTCOME_APPROVED,
    RENEWAL,
    RETURNED,
    SIGNED,
    STATUS_LABELS,
    TYPE_LABELS,
    Contract,
    ContractDocument,
    ContractReview,
    is_latest_round,
)
from oversight.core.editing import apply_changes, snapshot
from oversight.core.sorting import Sort, Sorting, listed_order, order_by
from oversight.core.sqlhints import unindexed
from oversight.evaluations.lights import latest_decisions
from oversight.evaluations.models import APPROVED as EVALUATION_APPROVED
from oversight.evaluations.models import CONDITIONAL
from oversight.events import services as events
from oversight.events import types as event_types
from oversight.evidence import services as evidence_services
from oversight.extensions import db
from oversight.units import scope as unit_scope
from oversight.units import services as unit_services
from oversight.vendors import services as vendor_services
from oversight.vendors.models import ACTIVE, SELECTED, Vendor

CONTRACT_FIELDS = (
    "number",
    "title",
    "contract_type",
    "scope",
    "data_scope",
    "start_on",
    "end_on",
    "auto_renewal",
    "notice_days",
    "incident_notice_hours",
    "end_handling",
    "disposal_days",
)
SORTS = {
    "number": (Contract.number,),
    "title": (Contract.title,),
    "vendor": (vendor_services.KANA_ORDER,),
    "type": (listed_order(Contract.contract_type, TYPE_LABELS),),
    "status": (listed_order(Contract.status, STATUS_LABELS),),
    "start": (Contract.start_on,),
    "end": (Contract.end_on,),
    "updated": (Contract.updated_at,),
}
SORTING = Sorting(SORTS, default="end", descending_first=("start", "updated"))


class DuplicateNumberError(ContractRuleError):
    """Another contract already has this number."""


# --- loading and listing ----------------------------------------------------------------------


def load_contract(contract_id: int) -> Contract | None:
    """A contract with its vendor and approver loaded."""
    return db.session.scalar(
        db.select(Contract)
        .where(Contract.id == contract_id)
        .options(joinedload(Contract.approved_by), joinedload(Contract.created_by))
    )


def contracts_of(vendor: Vendor) -> list[Contract]:
    """Every contract of ``vendor``, newest start first."""
    query = db.select(Contract).where(Contract.vendor_id == vendor.id).order_by(Contract.start_on.desc(), Contract.id)
    return list(db.session.scalars(query))


def contracts_expiring_within(days: int, today: date) -> ColumnElement[bool]:
    """Contracts in force or in progress whose end date falls within ``days`` from ``today``."""
    return and_(
        Contract.status.not_in(CLOSED), Contract.end_on >= today, Contract.end_on <= today + timedelta(days=days)
    )


# Every required clause present (or waived) in the latest review; a contract never reviewed is not complete.
CLAUSES_COMPLETE = Contract.clause_gaps == 0
# The contract list's ``clauses`` filter; "incomplete" is every contract but the complete ones (the list behind
# the "missing" link of the dashboard's figure of signed contracts with all required clauses).
CLAUSE_STATES: dict[str, ColumnElement[bool]] = {
    "missing": Contract.clause_gaps > 0,  # a required clause found missing in the latest review
    "unreviewed": Contract.clause_gaps.is_(None),  # no review round ever judged the clauses
    "incomplete": or_(Contract.clause_gaps.is_(None), Contract.clause_gaps != 0),
}


def contract_query(
    *,
    q: str = "",
    status: str = "",
    vendor_id: int | None = None,
    vendor_text: str = "",
    contract_type: str = "",
    ending_within: int | None = None,
    clauses: str = "",
    today: date,
    sort: Sort | str | None = None,
) -> Select:
    """Contracts matching the list page's search and filters, vendors loaded. ``vendor_text`` finds the
    vendor as the register's search does (name, kana reading, 法人番号)."""
    query = db.select(Contract).join(Vendor, Contract.vendor_id == Vendor.id)
    text = (q or "").strip().lower()
    if text:
        pattern = f"%{text}%"
        query = query.where(
            or_(
                db.func.lower(Contract.number).like(pattern),
                db.func.lower(Contract.title).like(pattern),
                db.func.lower(Vendor.name).like(pattern),
            )
        )
    if status:
        query = query.where(Contract.status == status)
    if vendor_id:
        query = query.where(Contract.vendor_id == vendor_id)
    if (vendor_text or "").strip():
        # The vendors found first (one pass over the register), then the contracts by their vendor key: the
        # text tested on the joined vendor of every contract in the sort's order cost ~3x the whole page.
        query = query.where(Contract.vendor_id.in_(vendor_services.ids_matching(vendor_text)))
    if contract_type:
        query = query.where(Contract.contract_type == contract_type)
    if ending_within is not None:
        query = query.where(contracts_expiring_within(ending_within, today))
    if clauses in CLAUSE_STATES:
        query = query.where(CLAUSE_STATES[clauses])
    return query.order_by(*order_by(SORTING.coerce(sort), SORTS, Contract.id))


def awaiting_legal_query() -> Select:
    """Legal's worklist: contracts whose open round waits for review, oldest submission first
    (rows of ``(Contract, ContractReview)``)."""
    return (
        db.select(Contract, ContractReview)
        .join(ContractReview, ContractReview.contract_id == Contract.id)
        .where(Contract.status == IN_REVIEW, is_latest_round(), ContractReview.outcome.is_(None))
        .options(joinedload(ContractReview.submitted_by))
        .order_by(ContractReview.submitted_at, ContractReview.id)
    )


def awaiting_manager_query() -> Select:
    """Contracts cleared by legal and waiting for a manager's approval, oldest first."""
    return (
        db.select(Contract, ContractReview)
        .join(ContractReview, ContractReview.contract_id == Contract.id)
        .where(Contract.status == IN_REVIEW, is_latest_round(), ContractReview.outcome == OUTCOME_APPROVED)
        .options(joinedload(ContractReview.reviewer))
        .order_by(unindexed(ContractReview.decided_at), ContractReview.id)
    )


def awaiting_legal() -> list[tuple[Contract, ContractReview]]:
    return [tuple(row) for row in db.session.execute(awaiting_legal_query())]


def awaiting_manager() -> list[tuple[Contract, ContractReview]]:
    return [tuple(row) for row in db.session.execute(awaiting_manager_query())]


def documents_of(contract: Contract) -> list[ContractDocument]:
    """The contract's documents, oldest first, with their files and uploaders."""
    query = db.select(ContractDocument).where(ContractDocument.contract_id == contract.id).order_by(ContractDocument.id)
    return list(db.session.scalars(query))


def find_by_number(number: str) -> Contract | None:
    return db.session.scalar(db.select(Contract).where(Contract.number == (number or "").strip()))


# --- drafting ---------------------------------------------------------------------------------


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = {field: values.get(field) for field in CONTRACT_FIELDS if field in values}
    for field in ("number", "title", "scope", "data_scope"):
        if field in cleaned:
            cleaned[field] = (cleaned[field] or "").strip()
    if cleaned.get("disposal_days") is None and "disposal_days" in cleaned:
        cleaned.pop("disposal_days")
    return cleaned


@unit_scope.reads_whole_group  # a number is unique in the whole group, whoever drafts
def _check(values: dict[str, Any], contract: Contract | None = None) -> None:
    start, end = values.get("start_on"), values.get("end_on")
    if start and end and end < start:
        raise ContractRuleError(_l("The end date must be on or after the start date."))
    other = find_by_number(values.get("number") or "")
    if other is not None and other is not contract:
        raise DuplicateNumberError(_l("Another contract already has this number."))


def create_contract(vendor: Vendor, values: dict[str, Any], *, actor: User) -> Contract:
    """Draft a new contract with ``vendor`` (起案)."""
    cleaned = _clean(values)
    _check(cleaned)
    unit_id = unit_services.unit_for_new_record(vendor.id, values.get("unit_id"))
    contract = Contract(
        vendor_id=vendor.id, unit_id=unit_id, status=DRAFT, created_by_id=getattr(actor, "id", None), **cleaned
    )
    db.session.add(contract)
    db.session.flush()
    unit_services.add_vendor_to_unit(vendor.id, unit_id)  # the unit's register shows its contracts' vendors
    activity.record(
        "contract.create",
        actor=actor,
        target=contract,
        summary=f"{contract.number} {contract.title} ({vendor.name})",
        changes=snapshot(contract, ["number", "title", "contract_type", "start_on", "end_on", "status", "unit_id"]),
    )
    return contract


def update_contract(contract: Contract, values: dict[str, Any], *, actor: User) -> dict[str, list]:
    """Change a draft or returned contract."""
    if contract.status not in EDITABLE:
        raise ContractRuleError(_l("Only a draft or returned contract can be changed."))
    cleaned = _clean(values)
    _check(cleaned, contract)
    changes = apply_changes(contract, cleaned)
    if changes:
        activity.record("contract.update", actor=actor, target=contract, summary=contract.number, changes=changes)
    return changes


def attach_document(
    contract: Contract,
    file_storage: FileStorage,
    *,
    kind: str,
    actor: User,
    document_date: date | None = None,
    description: str = "",
) -> ContractDocument:
    """Store a contract document as an evidence file, tagged with its kind and its round: the round under
    review or signed, or, for a draft (a new contract, an amendment or renewal being prepared), the round
    it will be submitted in.

    :raises UploadRejected: the file is not acceptable.
    """
    evidence = evidence_services.store_upload(
        file_storage, ("contract", contract.id), actor, document_date=document_date, description=description
    )
    latest = review_rules.latest_round(contract)
    latest_number = latest.round_number if latest else 0
    document = ContractDocument(
        contract_id=contract.id,
        evidence_id=evidence.id,
        kind=kind,
        round_number=latest_number + 1 if contract.status in EDITABLE else latest_number or None,
    )
    db.session.add(document)
    db.session.flush()
    return document


def submit_for_review(contract: Contract, *, note: str, actor: User, now: datetime) -> ContractReview:
    """Send the contract to legal: a new review round opens (法務審査中)."""
    if contract.status not in EDITABLE:
        raise ContractRuleError(_l("Only a draft or returned contract can be submitted."))
    old_status = contract.status
    review = review_rules.open_round(contract, kind=contract.next_round_kind, note=note, actor=actor, now=now)
    contract.status = IN_REVIEW
    activity.record(
        "contract.submit",
        actor=actor,
        target=contract,
        summary=f"{contract.number} #{review.round_number}",
        changes={
            "status": [old_status, IN_REVIEW], "round": [None, review.round_number], "round_kind": [None, review.kind],
        },
    )
    return review


# --- approval and signing ---------------------------------------------------------------------


def has_valid_selection(vendor_id: int, today: date) -> bool:
    """True when the vendor's latest decided evaluation is an approval still valid on ``today``."""
    decision = latest_decisions([vendor_id]).get(vendor_id)
    return (
        decision is not None
        and decision.status in (EVALUATION_APPROVED, CONDITIONAL)
        and decision.valid_until is not None
        and decision.valid_until >= today
    )


def approve_contract(contract: Contract, *, actor: User, note: str, today: date, now: datetime) -> None:
    """A manager's approval (承認済) after legal cleared the clauses; not by the legal reviewer."""
    latest = review_rules.latest_round(contract)
    refusal = permissions.approve_refusal(actor, contract, latest)
    if refusal is not None:
        raise ContractRuleError(refusal)
    if review_rules.blocking_codes(latest):
        raise ContractRuleError(_l("Required clauses are missing; the contract cannot be approved."))
    if not has_valid_selection(contract.vendor_id, today):
        raise ContractRuleError(
            _l("This vendor has no approved selection evaluation that is still valid; evaluate the vendor first.")
        )
    contract.status = APPROVED
    contract.approved_by_id = actor.id
    contract.approved_at = now
    activity.record(
        "contract.approve",
        actor=actor,
        target=contract,
        summary=f"{contract.number}: {note.strip()}"[:2000] if note and note.strip() else contract.number,
        changes={"status": [IN_REVIEW, APPROVED]},
    )
    events.record(event_types.CONTRACT_APPROVED, {
        "contract_id": contract.id, "vendor_id": contract.vendor_id, "number": contract.number, "approved_at": now,
    }, now=now)


def return_by_manager(contract: Contract, *, actor: User, note: str) -> None:
    """A manager sends a contract cleared by legal back to procurement, with the reason."""
    latest = review_rules.latest_round(contract)
    if not permissions.is_cleared(contract, latest):
        raise ContractRuleError(_l("Only a contract whose clauses legal has cleared can be returned by a manager."))
    refusal = permissions.approve_refusal(actor, contract, latest)
    if refusal is not None:
        raise ContractRuleError(refusal)
    if not (note or "").strip():
        raise ContractRuleError(_l("Say why the contract is returned."))
    contract.status = RETURNED
    activity.record(
        "contract.return",
        actor=actor,
        target=contract,
        summary=f"{contract.number}: {note.strip()}"[:2000],
        changes={"status": [IN_REVIEW, RETURNED]},
    )


def mark_signed(
    contract: Contract, file_storage: FileStorage, *, signed_on: date, kind: str, actor: User
) -> ContractDocument:
    """Record the signature (締結済) with the signed document; a selected vendor becomes 取引中.

    :raises UploadRejected: the signed document is not acceptable.
    """
    if contract.status != APPROVED:
        raise ContractRuleError(_l("Only an approved contract can be marked as signed."))
    document = attach_document(contract, file_storage, kind=kind, actor=actor, document_date=signed_on)
    old_signed = contract.signed_on
    contract.status = SIGNED
    contract.signed_on = signed_on
    contract.next_round_kind = INITIAL
    contract.change_note = ""
    activity.record(
        "contract.sign",
        actor=actor,
        target=contract,
        summary=f"{contract.number} {signed_on.isoformat()}",
        changes={
            "status": [APPROVED, SIGNED],
            "signed_on": [old_signed and old_signed.isoformat(), signed_on.isoformat()],
        },
    )
    events.record(event_types.CONTRACT_SIGNED, {
        "contract_id": contract.id, "vendor_id": contract.vendor_id, "number": contract.number,
        "signed_on": signed_on, "end_on": contract.end_on,
    })
    vendor = contract.vendor
    if vendor.status == SELECTED:
        vendor_services.change_status(
            vendor, ACTIVE, reason=str(_l("Contract %(number)s signed", number=contract.number)), actor=actor
        )
    return document


def start_change(contract: Contract, *, kind: str, note: str, actor: User) -> None:
    """Open an amendment or renewal of a signed contract: it goes back to draft and stays in force."""
    if contract.status != SIGNED:
        raise ContractRuleError(_l("Only a signed contract can be amended or renewed."))
    if kind not in (AMENDMENT, RENEWAL):
        raise ContractRuleError(_l("Choose amendment or renewal."))
    if not (note or "").strip():
        raise ContractRuleError(_l("Describe what changes."))
    contract.status = DRAFT
    contract.next_round_kind = kind
    contract.change_note = note.strip()
    activity.record(
        "contract.change",
        actor=actor,
        target=contract,
        summary=f"{contract.number} ({kind}): {note.strip()}"[:2000],
        changes={"status": [SIGNED, DRAFT], "next_round_kind": [INITIAL, kind]},
    )


# --- the end ----------------------------------------------------------------------------------
# The contract's own part of its end: the status and the log. Ending a contract also opens its
# return/deletion items, so callers end contracts through ``oversight.disposals.services``.


def end(contract: Contract, *, ended_on: date, early: bool, note: str, actor: User | None) -> None:
    """Mark ``contract`` ended on ``ended_on`` (``early``: terminated before its end date)."""
    old_status = contract.status
    contract.status = ENDED
    contract.ended_on = ended_on
    if note:
        contract.termination_reason = note
    activity.record(
        ("contract.cancel" if contract.cancelled_before_start else "contract.terminate")
        if early
        else "contract.end",
        actor=actor,
        target=contract,
        summary=f"{contract.number} {ended_on.isoformat()}" + (f": {note}" if note else ""),
        changes={"status": [old_status, ENDED], "ended_on": [None, ended_on.isoformat()]},
    )


def check_termination(contract: Contract, *, ended_on: date, reason: str, today: date) -> None:
    """Refuse an early termination the contract rules don't allow."""
    if not contract.has_been_signed or contract.is_closed:
        raise ContractRuleError(_l("Only a signed contract that has not ended can be terminated early."))
    if not (reason or "").strip():
        raise ContractRuleError(_l("Give the reason for the early termination."))
    if ended_on > today:
        raise ContractRuleError(_l("The early termination date cannot be in the future."))
    if today < contract.start_on:
        # Cancelled before its term begins (解約 before the start): any day from the signature to today.
        if contract.signed_on is not None and ended_on < contract.signed_on:
            raise ContractRuleError(_l("A contract cancelled before its start cannot end before it was signed."))
    elif ended_on < contract.start_on:
        raise ContractRuleError(_l("The early termination date cannot be before the contract started."))




def past_their_end(today: date) -> list[Contract]:
    """Every signed contract not yet closed whose end date has passed, oldest end first."""
    query = (
        db.select(Contract)
        .where(Contract.signed_on.is_not(None), Contract.status.not_in(CLOSED), Contract.end_on < today)
        .order_by(Contract.end_on, Contract.id)
    )
    return list(db.session.scalars(query))

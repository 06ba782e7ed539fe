"""Legal's clause review: rounds, results per clause, waivers, and what changed since the last round.

Each submission opens a round against the current contract checklist, pre-filled from the
previous round so legal only re-checks what changed. A required clause that is not 'present'
blocks clearance unless legal recorded a waiver with a reason and a different person, a
manager, approved it. Every round is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from oversight.activity import services as activity
from oversight.auth.models import User
from oversight.checklists import filling
from oversight.checklists import services as checklist_services
from oversight.checklists.models import CONTRACT
from oversight.contracts import permissions
from oversight.contracts.errors import ContractRuleError
from oversight.contracts.models import (
    IN_REVIEW,
    OUTCOME_APPROVED,
    OUTCOME_RETURNED,
    PRESENT,
    RESULT_LABELS,
    RETURNED,
    ClauseResult,
    Contract,
    ContractReview,
)
from oversight.extensions import db

RESULT_FIELDS = ("result", "clause_number", "quote", "note", "waiver_reason")
DIFF_FIELDS = {"result": _l("Result"), "clause_number": _l("Clause number"), "quote": _l("Quote")}


def rounds_of(contract: Contract) -> list[ContractReview]:
    """Every review round of ``contract``, oldest first, with results, items and people loaded."""
    query = (
        db.select(ContractReview)
        .where(ContractReview.contract_id == contract.id)
        .options(
            joinedload(ContractReview.template),
            joinedload(ContractReview.submitted_by),
            joinedload(ContractReview.reviewer),
            selectinload(ContractReview.results),
        )
        .order_by(ContractReview.round_number)
    )
    return list(db.session.scalars(query).unique())


def latest_round(contract: Contract) -> ContractReview | None:
    """The most recent round of ``contract`` (results loaded), if any."""
    return db.session.scalar(
        db.select(ContractReview)
        .where(ContractReview.contract_id == contract.id)
        .options(selectinload(ContractReview.results))
        .order_by(ContractReview.round_number.desc())
        .limit(1)
    )


def sorted_results(review: ContractReview) -> list[ClauseResult]:
    return sorted(review.results, key=lambda result: (result.item.position, result.item.id))


def count_gaps(review: ContractReview) -> int:
    """Required clauses judged failing (insufficient, missing, n/a) without an approved waiver."""
    return sum(1 for result in review.results if result.is_gap)


def blocking_codes(review: ContractReview) -> list[str]:
    """Codes of the required clauses that keep the round from being cleared."""
    return [result.item.code for result in sorted_results(review) if result.blocks_approval]


def refresh_gaps(contract: Contract, review: ContractReview) -> None:
    """Keep the contract's gap count (used by the 契約 light and its filter) in step with ``review``."""
    contract.clause_gaps = count_gaps(review)


def open_round(contract: Contract, *, kind: str, note: str, actor: User | None, now: datetime) -> ContractReview:
    """Start the next round against the current checklist, carrying the previous round's findings."""
    template = checklist_services.current_template(CONTRACT)
    previous = latest_round(contract)
    carried = {result.item.code: result for result in previous.results} if previous else {}
    review = ContractReview(
        contract=contract,
        round_number=(previous.round_number + 1) if previous else 1,
        kind=kind,
        template=template,
        submitted_by_id=getattr(actor, "id", None),
        submitted_at=now,
        submission_note=(note or "").strip(),
        results=[
            ClauseResult(
                item=item,
                **(
                    {
                        field: getattr(carried[item.code], field)
                        for field in ("result", "clause_number", "quote", "note")
                    }
                    if item.code in carried
                    else {}
                ),
            )
            for item in template.items
        ],
    )
    db.session.add(review)
    db.session.flush()
    refresh_gaps(contract, review)
    return review


def _ensure_reviewer(contract: Contract, review: ContractReview, actor: User) -> None:
    refusal = permissions.review_refusal(actor, contract, review)
    if refusal is not None:
        raise ContractRuleError(refusal)


def save_results(
    contract: Contract, review: ContractReview, values: dict[int, dict[str, Any]], *, actor: User, now: datetime
) -> dict[str, list]:
    """Store legal's findings keyed by item id; a changed waiver reason needs a new manager approval."""
    _ensure_reviewer(contract, review, actor)
    changes: dict[str, list] = {}
    for result in review.results:
        submitted = values.get(result.item_id)
        if submitted is None:
            continue
        for field in RESULT_FIELDS:
            new = submitted.get(field)
            new = (new or None) if field == "result" else (new or "").strip()
            old = getattr(result, field)
            if old != new:
                changes[f"{result.item.code}.{field}"] = [old, new]
                setattr(result, field, new)
                if field == "waiver_reason":
                    result.waiver_by_id = actor.id if new else None
                    result.waiver_approved_by_id = None
                    result.waiver_approved_at = None
    review.reviewer_id = actor.id
    review.updated_at = now  # a new version of the round, so a second reviewer's stale form is refused
    refresh_gaps(contract, review)
    if changes:
        activity.record(
            "contract.clauses",
            actor=actor,
            target=contract,
            summary=f"{contract.number} #{review.round_number}: {len(changes)}",
            changes=changes,
        )
    return changes


def fill_rest_present(
    contract: Contract, review: ContractReview, values: dict[int, dict[str, Any]], *, actor: User, now: datetime
) -> int:
    """Save the findings as typed, then judge every clause not judged yet as present; returns how many.

    Nothing is cleared or returned: the results stay editable like any other.
    """
    save_results(contract, review, values, actor=actor, now=now)
    count = filling.fill_unanswered(
        review.results,
        field="result",
        value=PRESENT,
        label=RESULT_LABELS[PRESENT],
        action="contract.clauses_fill",
        actor=actor,
        target=contract,
        name=f"{contract.number} #{review.round_number}",
    )
    if count:
        refresh_gaps(contract, review)
    return count


def approve_waiver(contract: Contract, result: ClauseResult, *, actor: User, now: datetime) -> None:
    """A manager who did not record the waiver accepts a required clause that is not present."""
    refusal = permissions.waiver_refusal(actor, contract, result)
    if refusal is not None:
        raise ContractRuleError(refusal)
    result.waiver_approved_by_id = actor.id
    result.waiver_approved_at = now
    result.review.updated_at = now
    refresh_gaps(contract, result.review)
    activity.record(
        "contract.waiver_approve",
        actor=actor,
        target=contract,
        summary=f"{contract.number} {result.item.code}: {result.waiver_reason}"[:2000],
        changes={f"{result.item.code}.waiver_approved_by_id": [None, actor.id]},
    )


def return_round(contract: Contract, review: ContractReview, *, comment: str, actor: User, now: datetime) -> None:
    """Send the contract back to procurement (差戻し) with legal's comments."""
    _ensure_reviewer(contract, review, actor)
    if not (comment or "").strip():
        raise ContractRuleError(_l("Say what procurement must change."))
    _decide(review, OUTCOME_RETURNED, comment, actor, now)
    contract.status = RETURNED
    activity.record(
        "contract.review_return",
        actor=actor,
        target=contract,
        summary=f"{contract.number} #{review.round_number}: {comment.strip()}"[:2000],
        changes={"status": [IN_REVIEW, RETURNED]},
    )


def clear_round(contract: Contract, review: ContractReview, *, comment: str, actor: User, now: datetime) -> None:
    """Legal's approval of the clauses: every clause judged, every required one present or waived."""
    _ensure_reviewer(contract, review, actor)
    unanswered = [result.item.code for result in sorted_results(review) if result.result is None]
    if unanswered:
        raise ContractRuleError(_l("Judge every clause first: %(codes)s.", codes=", ".join(unanswered)))
    blocking = blocking_codes(review)
    if blocking:
        raise ContractRuleError(
            _l(
                "Required clauses %(codes)s are not present and have no approved waiver; "
                "return the contract or record a waiver for a manager to approve.",
                codes=", ".join(blocking),
            )
        )
    _decide(review, OUTCOME_APPROVED, comment, actor, now)
    activity.record(
        "contract.review_clear",
        actor=actor,
        target=contract,
        summary=f"{contract.number} #{review.round_number}",
        changes={"outcome": [None, OUTCOME_APPROVED]},
    )


def _decide(review: ContractReview, outcome: str, comment: str, actor: User, now: datetime) -> None:
    review.outcome = outcome
    review.comment = (comment or "").strip()
    review.reviewer_id = actor.id
    review.decided_at = now


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class ClauseChange:
    """How one clause's finding differs from the previous round."""

    code: str
    text: str
    is_new: bool
    changes: tuple[FieldChange, ...]


def _shown(field: str, value: str | None) -> str:
    if field == "result":
        return str(RESULT_LABELS.get(value, "—")) if value else "—"
    return value or "—"


def diff_rounds(previous: ContractReview | None, current: ContractReview) -> list[ClauseChange]:
    """Per clause, the result, clause number and quote that changed since ``previous`` (by item code)."""
    if previous is None:
        return []
    before = {result.item.code: result for result in previous.results}
    changed = []
    for result in sorted_results(current):
        old = before.get(result.item.code)
        if old is None:
            changed.append(ClauseChange(result.item.code, result.item.text, True, ()))
            continue
        fields = tuple(
            FieldChange(str(label), _shown(field, getattr(old, field)), _shown(field, getattr(result, field)))
            for field, label in DIFF_FIELDS.items()
            if (getattr(old, field) or "") != (getattr(result, field) or "")
        )
        if fields:
            changed.append(ClauseChange(result.item.code, result.item.text, False, fields))
    return changed

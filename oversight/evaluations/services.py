"""Selection evaluation rules: start, answer, submit, approve or return.

An evaluation keeps the checklist version it was started with. A 不適合 or 一部適合 on a
required item blocks approval unless an exception with a reason is recorded for that
item. Whoever submits an evaluation may not approve it (separation of duties).
"""

from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func
from sqlalchemy.orm import joinedload, lazyload, selectinload

from oversight.activity import services as activity
from oversight.auth.models import User
from oversight.checklists import filling
from oversight.checklists import services as checklist_services
from oversight.checklists.models import SELECTION, ChecklistTemplate
from oversight.core.errors import RuleError
from oversight.evaluations import permissions
from oversight.evaluations.models import (
    ANSWER_LABELS,
    APPROVE_WITH_CONDITIONS,
    CONFORMING,
    DECISION_LABELS,
    DECISION_OUTCOMES,
    DRAFT,
    EDITABLE,
    OPEN,
    REJECT,
    RETURNED,
    SUBMITTED,
    Evaluation,
    EvaluationAnswer,
)
from oversight.evaluations.settings import validity_months
from oversight.events import services as events
from oversight.events import types as event_types
from oversight.extensions import db
from oversight.vendors import services as vendor_services
from oversight.vendors.models import CANDIDATE, ENDED, EVALUATING, REJECTED, SELECTED, Vendor

ANSWER_FIELDS = ("answer", "comment", "exception_reason")


class EvaluationRuleError(RuleError):
    """A step the evaluation rules refuse; ``message`` is shown to the user."""


@dataclass(frozen=True)
class CategoryRow:
    """Counts of answers for one checklist category."""

    category: str
    total: int
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def answered(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Assessment:
    """What the answers add up to: completeness, per-category counts, blocking items, the result."""

    answered: int
    total: int
    categories: list[CategoryRow]
    blocking: list[EvaluationAnswer]
    excepted: list[EvaluationAnswer]
    result: str

    @property
    def is_complete(self) -> bool:
        return self.answered == self.total


RESULT_LABELS = {
    "incomplete": _l("Not all items answered"),
    "blocked": _l("Required items fail without an exception"),
    "with_findings": _l("Conforms, with findings or exceptions"),
    "conforming": _l("Conforms on every item"),
}


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def load_evaluation(evaluation_id: int) -> Evaluation | None:
    """An evaluation with its template, people and answers (and their items) loaded."""
    return db.session.scalar(
        db.select(Evaluation)
        .where(Evaluation.id == evaluation_id)
        .options(
            joinedload(Evaluation.template),
            joinedload(Evaluation.started_by),
            joinedload(Evaluation.submitted_by),
            joinedload(Evaluation.decided_by),
            selectinload(Evaluation.answers),
        )
    )


def evaluations_of(vendor: Vendor) -> list[Evaluation]:
    """Every evaluation of ``vendor``, newest first, with its template (not its items nor its answers:
    :func:`progress_by_evaluation` counts those)."""
    query = (
        db.select(Evaluation)
        .where(Evaluation.vendor_id == vendor.id)
        .options(joinedload(Evaluation.template).lazyload(ChecklistTemplate.items), lazyload(Evaluation.answers))
        .order_by(Evaluation.id.desc())
    )
    return list(db.session.scalars(query).unique())


def open_evaluation(vendor: Vendor) -> Evaluation | None:
    """The vendor's evaluation still in progress (draft, returned or awaiting approval), if any."""
    return db.session.scalar(
        db.select(Evaluation).where(Evaluation.vendor_id == vendor.id, Evaluation.status.in_(OPEN))
    )


def can_start(vendor: Vendor) -> bool:
    return vendor.status not in (ENDED, REJECTED)


def start_evaluation(vendor: Vendor, *, actor: User | None, now: datetime) -> Evaluation:
    """Open a draft against the current selection checklist, pre-filled from the previous evaluation.

    A candidate vendor moves to 評価中.
    """
    if not can_start(vendor):
        raise EvaluationRuleError(_l("This vendor is ended or not adopted; move it back to candidate first."))
    if open_evaluation(vendor) is not None:
        raise EvaluationRuleError(_l("This vendor already has an evaluation in progress."))
    template = checklist_services.current_template(SELECTION)
    previous = db.session.scalar(
        db.select(Evaluation)
        .where(Evaluation.vendor_id == vendor.id)
        .options(selectinload(Evaluation.answers))
        .order_by(Evaluation.id.desc())
        .limit(1)
    )
    carried = {answer.item.code: answer for answer in previous.answers} if previous else {}
    evaluation = Evaluation(
        vendor=vendor,
        template=template,
        status=DRAFT,
        started_by_id=getattr(actor, "id", None),
        previous_id=previous.id if previous else None,
        answers=[
            EvaluationAnswer(
                item=item,
                answer=carried[item.code].answer if item.code in carried else None,
                comment=carried[item.code].comment if item.code in carried else "",
            )
            for item in template.items
        ],
    )
    db.session.add(evaluation)
    db.session.flush()
    activity.record(
        "evaluation.start",
        actor=actor,
        target=evaluation,
        summary=f"{vendor.name}: {template.label}" + (f" (← #{previous.id})" if previous else ""),
        changes={"status": [None, DRAFT], "template_id": [None, template.id]},
    )
    if vendor.status == CANDIDATE:
        vendor_services.change_status(
            vendor, EVALUATING, reason=str(_l("Selection evaluation #%(id)d started", id=evaluation.id)), actor=actor
        )
    return evaluation


def _ensure_editable(evaluation: Evaluation) -> None:
    if evaluation.status not in EDITABLE:
        raise EvaluationRuleError(_l("This evaluation was submitted and can no longer be changed."))


def save_answers(
    evaluation: Evaluation, values: dict[int, dict[str, Any]], *, actor: User, now: datetime
) -> dict[str, list]:
    """Store answers keyed by item id (``answer``, ``comment``, ``exception_reason``); logs what changed."""
    _ensure_editable(evaluation)
    changes: dict[str, list] = {}
    for answer in evaluation.answers:
        submitted = values.get(answer.item_id)
        if submitted is None:
            continue
        new = {
            "answer": submitted.get("answer") or None,
            "comment": (submitted.get("comment") or "").strip(),
            "exception_reason": (submitted.get("exception_reason") or "").strip(),
        }
        if new["answer"] is not None and new["answer"] not in ANSWER_LABELS:
            raise EvaluationRuleError(_l("Unknown answer."))
        for name, value in new.items():
            before = getattr(answer, name)
            if before != value:
                changes[f"{answer.item.code}.{name}"] = [before, value]
                setattr(answer, name, value)
    if changes:
        evaluation.updated_at = now  # touching the row raises its version, so a stale answer form is refused
        activity.record(
            "evaluation.answers",
            actor=actor,
            target=evaluation,
            summary=f"{evaluation.vendor.name}: {len(changes)}",
            changes=changes,
        )
    return changes


def fill_rest_conforming(
    evaluation: Evaluation, values: dict[int, dict[str, Any]], *, actor: User, now: datetime
) -> int:
    """Save the answers as typed, then set every item still unanswered to 適合; returns how many were set.

    Nothing is submitted: the answers stay editable like any other.
    """
    save_answers(evaluation, values, actor=actor, now=now)
    count = filling.fill_unanswered(
        evaluation.answers,
        field="answer",
        value=CONFORMING,
        label=ANSWER_LABELS[CONFORMING],
        action="evaluation.answers_fill",
        actor=actor,
        target=evaluation,
        name=evaluation.vendor.name,
    )
    if count:
        evaluation.updated_at = now
    return count


def assess(evaluation: Evaluation) -> Assessment:
    """Completeness, per-category summary, blocking and excepted items, and the computed result."""
    answers = sorted(evaluation.answers, key=lambda answer: (answer.item.position, answer.item.id))
    per_category: dict[str, Counter] = {}
    totals: Counter = Counter()
    for answer in answers:
        category = answer.item.category
        totals[category] += 1
        counter = per_category.setdefault(category, Counter())
        if answer.answer:
            counter[answer.answer] += 1
    categories = [CategoryRow(name, totals[name], dict(counter)) for name, counter in per_category.items()]
    answered = sum(1 for answer in answers if answer.answer)
    blocking = [answer for answer in answers if answer.is_blocking]
    excepted = [answer for answer in answers if answer.is_failing and answer.exception_reason.strip()]
    failing = [answer for answer in answers if answer.is_failing]
    if answered < len(answers):
        result = "incomplete"
    elif blocking:
        result = "blocked"
    elif failing:
        result = "with_findings"
    else:
        result = "conforming"
    return Assessment(answered, len(answers), categories, blocking, excepted, result)


def _ensure_approvable(evaluation: Evaluation, decision: str) -> None:
    if decision == REJECT:
        return
    blocking = assess(evaluation).blocking
    if blocking:
        codes = ", ".join(answer.item.code for answer in blocking)
        raise EvaluationRuleError(
            _l(
                "Required items %(codes)s are not conforming and have no recorded exception; "
                "record an exception with a reason, or propose rejection.",
                codes=codes,
            )
        )


def submit(evaluation: Evaluation, *, decision: str, conditions: str, note: str, actor: User, now: datetime) -> None:
    """Send a complete evaluation for approval with the proposed decision."""
    _ensure_editable(evaluation)
    if decision not in DECISION_LABELS:
        raise EvaluationRuleError(_l("Choose a decision."))
    if not assess(evaluation).is_complete:
        raise EvaluationRuleError(_l("Answer every item before submitting."))
    if decision == APPROVE_WITH_CONDITIONS and not (conditions or "").strip():
        raise EvaluationRuleError(_l("A conditional approval needs its conditions."))
    _ensure_approvable(evaluation, decision)
    old_status = evaluation.status
    evaluation.status = SUBMITTED
    evaluation.proposed_decision = decision
    evaluation.conditions = (conditions or "").strip() if decision == APPROVE_WITH_CONDITIONS else ""
    evaluation.submission_note = (note or "").strip()
    evaluation.submitted_by_id = actor.id
    evaluation.submitted_at = now
    activity.record(
        "evaluation.submit",
        actor=actor,
        target=evaluation,
        summary=f"{evaluation.vendor.name}: {DECISION_LABELS[decision]}",
        changes={"status": [old_status, SUBMITTED], "proposed_decision": [None, decision]},
    )


def _ensure_approver(evaluation: Evaluation, actor: User) -> None:
    refusal = permissions.decide_refusal(actor, evaluation)
    if refusal is not None:
        raise EvaluationRuleError(refusal)


def approve(evaluation: Evaluation, *, actor: User, note: str, today: date, now: datetime) -> None:
    """Confirm the proposed decision; approvals get a validity period and move the vendor to 選定済."""
    _ensure_approver(evaluation, actor)
    decision = evaluation.proposed_decision or REJECT
    _ensure_approvable(evaluation, decision)
    outcome = DECISION_OUTCOMES[decision]
    evaluation.status = outcome
    evaluation.decided_by_id = actor.id
    evaluation.decided_at = now
    evaluation.decision_note = (note or "").strip()
    evaluation.valid_until = None if decision == REJECT else add_months(today, validity_months())
    activity.record(
        "evaluation.decide",
        actor=actor,
        target=evaluation,
        summary=f"{evaluation.vendor.name}: {evaluation.status_label}",
        changes={
            "status": [SUBMITTED, outcome],
            "valid_until": [None, evaluation.valid_until and evaluation.valid_until.isoformat()],
        },
    )
    events.record(event_types.EVALUATION_DECIDED, {
        "evaluation_id": evaluation.id, "vendor_id": evaluation.vendor_id, "decision": outcome,
        "valid_until": evaluation.valid_until, "decided_at": now,
    }, now=now)
    vendor = evaluation.vendor
    if decision != REJECT and vendor.status == EVALUATING:
        vendor_services.change_status(
            vendor,
            SELECTED,
            reason=str(_l("Selection evaluation #%(id)d approved", id=evaluation.id)),
            actor=actor,
            by_evaluation=True,
        )


def return_evaluation(evaluation: Evaluation, *, actor: User, note: str) -> None:
    """Send an evaluation back to procurement with the reason."""
    _ensure_approver(evaluation, actor)
    if not (note or "").strip():
        raise EvaluationRuleError(_l("Say why the evaluation is returned."))
    evaluation.status = RETURNED
    evaluation.decision_note = note.strip()
    activity.record(
        "evaluation.return",
        actor=actor,
        target=evaluation,
        summary=f"{evaluation.vendor.name}: {note.strip()}"[:2000],
        changes={"status": [SUBMITTED, RETURNED]},
    )


def progress_by_evaluation(evaluations: list[Evaluation]) -> dict[int, str]:
    """``answered/total`` for each evaluation, counted in one query."""
    if not evaluations:
        return {}
    counts = db.session.execute(
        db.select(
            EvaluationAnswer.evaluation_id,
            func.count(case((func.coalesce(EvaluationAnswer.answer, "") != "", EvaluationAnswer.id))),
            func.count(EvaluationAnswer.id),
        )
        .where(EvaluationAnswer.evaluation_id.in_([evaluation.id for evaluation in evaluations]))
        .group_by(EvaluationAnswer.evaluation_id)
    )
    found = {evaluation_id: f"{answered}/{total}" for evaluation_id, answered, total in counts}
    return {evaluation.id: found.get(evaluation.id, "0/0") for evaluation in evaluations}


def take_vendor_answers(
    vendor: Vendor, answers: dict[str, dict[str, str]], *, source: str, actor: User, now: datetime
) -> Evaluation:
    """Prefill the vendor's evaluation draft with the vendor's own answers ``{code: {answer, comment}}``
    (a selection questionnaire accepted from the portal): a draft is started when none is open.

    Each answer keeps what the vendor said (``vendor_answer``, ``vendor_comment``); the staff answer starts
    as the vendor's, and procurement confirms or overrides it before submitting. An evaluation awaiting
    approval is not changed.
    """
    evaluation = open_evaluation(vendor)
    if evaluation is None:
        evaluation = start_evaluation(vendor, actor=actor, now=now)
    _ensure_editable(evaluation)
    changes: dict[str, list] = {}
    for row in evaluation.answers:
        given = answers.get(row.item.code)
        if not given or given.get("answer") not in ANSWER_LABELS:
            continue
        new = {
            "vendor_answer": given["answer"],
            "vendor_comment": (given.get("comment") or "").strip(),
            "answer": given["answer"],
        }
        if not row.comment.strip():
            new["comment"] = new["vendor_comment"]
        for name, value in new.items():
            before = getattr(row, name)
            if before != value:
                changes[f"{row.item.code}.{name}"] = [before, value]
                setattr(row, name, value)
    evaluation.updated_at = now
    activity.record(
        "evaluation.vendor_answers",
        actor=actor,
        target=evaluation,
        summary=f"{vendor.name}: {source}"[:2000],
        changes=changes,
    )
    return evaluation

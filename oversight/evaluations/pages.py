"""What the evaluation pages display, computed from the models (templates only show it)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import contains_eager, joinedload, lazyload, load_only, raiseload

from oversight.auth.models import User
from oversight.checklists import filling
from oversight.core.i18n import labels
from oversight.core.sorting import Sort, Sorting, listed_order, order_by
from oversight.evaluations import permissions, services
from oversight.evaluations.forms import EvaluationEvidenceForm
from oversight.evaluations.models import (
    ANSWER_LABELS,
    DECISION_LABELS,
    STATUS_COLOURS,
    STATUS_LABELS,
    SUBMITTED,
    Evaluation,
)
from oversight.evidence import services as evidence_services
from oversight.extensions import db
from oversight.status import lights as status_lights
from oversight.vendors import services as vendor_services
from oversight.vendors.models import Vendor


def _files_by_item(evaluation: Evaluation) -> dict[int, list]:
    files = evidence_services.files_for_many("evaluation_answer", [answer.id for answer in evaluation.answers])
    return {answer.item_id: files.get(answer.id, []) for answer in evaluation.answers}


def _sorted_answers(evaluation: Evaluation) -> list:
    return sorted(evaluation.answers, key=lambda answer: (answer.item.position, answer.item.id))


def detail_context(evaluation: Evaluation, *, user: Any, today: date) -> dict[str, Any]:
    """Values for the detail page, including which actions ``user`` may take."""
    awaiting = evaluation.status == SUBMITTED and user.has_role(*permissions.DECIDERS)
    return {
        "evaluation": evaluation,
        "answers": _sorted_answers(evaluation),
        "assessment": services.assess(evaluation),
        "files": _files_by_item(evaluation),
        "answer_labels": ANSWER_LABELS,
        "result_labels": services.RESULT_LABELS,
        "can_edit": permissions.can_edit(user, evaluation),
        "can_decide": permissions.can_decide(user, evaluation),
        "is_own_submission": awaiting and permissions.is_own_submission(user, evaluation),
        "selection_light": status_lights.duty_lights("selection", [evaluation.vendor_id], today)[evaluation.vendor_id],
    }


def edit_context(evaluation: Evaluation, form, upload_form=None) -> dict[str, Any]:
    """Values for the answer form page."""
    return {
        "evaluation": evaluation,
        "answers": _sorted_answers(evaluation),
        "unanswered": len(filling.unanswered(evaluation.answers, "answer")),
        "form": form,
        "upload_form": upload_form or EvaluationEvidenceForm(formdata=None, evaluation=evaluation),
        "files": _files_by_item(evaluation),
        "assessment": services.assess(evaluation),
        "result_labels": services.RESULT_LABELS,
        "answer_labels": ANSWER_LABELS,
    }


def submit_context(evaluation: Evaluation, form) -> dict[str, Any]:
    """Values for the submission page."""
    return {
        "evaluation": evaluation,
        "form": form,
        "assessment": services.assess(evaluation),
        "result_labels": services.RESULT_LABELS,
        "answer_labels": ANSWER_LABELS,
        "decision_labels": DECISION_LABELS,
    }


SORTS = {
    "number": (),
    "vendor": (vendor_services.KANA_ORDER,),
    "status": (listed_order(Evaluation.status, STATUS_LABELS),),
    "decision": (Evaluation.proposed_decision,),
    "submitted": (Evaluation.submitted_at,),
    "valid_until": (Evaluation.valid_until,),
}
SORTING = Sorting(SORTS, default="number", descending_first=("number", "submitted", "valid_until"))


def list_query(*, status: str = "", sort: Sort | None = None) -> Select:
    """Evaluations, newest first unless sorted otherwise, with vendor and submitter; not their answers
    (30 per evaluation, loaded by default for the evaluation page), which the list never shows."""
    query = (
        db.select(Evaluation)
        .join(Vendor, Vendor.id == Evaluation.vendor_id)
        .options(joinedload(Evaluation.submitted_by), lazyload(Evaluation.answers))
    )
    if status in STATUS_LABELS:
        query = query.where(Evaluation.status == status)
    return query.order_by(*order_by(SORTING.coerce(sort), SORTS, Evaluation.id))


def list_rows(query: Select) -> Select:
    """``list_query`` as the list page reads it: only the columns its table shows, the vendor's name from
    the join the query already makes (not a second join loading every column of the vendor), the
    submitter's name; an attribute the page does not read raises (the export keeps ``list_query``'s loading)."""
    return query.options(
        load_only(
            Evaluation.vendor_id, Evaluation.status, Evaluation.proposed_decision, Evaluation.submitted_by_id,
            Evaluation.submitted_at, Evaluation.valid_until, Evaluation.version,
            raiseload=True,
        ),
        contains_eager(Evaluation.vendor).load_only(Vendor.name, raiseload=True).raiseload("*"),
        joinedload(Evaluation.submitted_by).load_only(User.name, raiseload=True).raiseload("*"),
        raiseload("*"),
    )


def list_context() -> dict[str, Any]:
    """The rows' labels in the current locale (translated once, not per row) and the status colours."""
    return {
        "status_labels": labels(STATUS_LABELS),
        "decision_labels": labels(DECISION_LABELS),
        "status_colours": STATUS_COLOURS,
    }

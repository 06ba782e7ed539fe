"""``/api/v1/evaluations``: selection evaluations (選定評価) with their answers, read as on their pages."""

from __future__ import annotations

from flask_babel import get_locale
from spectree import Response

from oversight.api import saving
from oversight.api import schemas as s
from oversight.api.access import api_access
from oversight.api.blueprint import bp
from oversight.api.pagination import page
from oversight.api.problems import Problem
from oversight.api.spec import spec
from oversight.api.vendors import NOT_FOUND, READ_ERRORS
from oversight.evaluations import pages, services
from oversight.evaluations.models import Evaluation


def _summary(record: Evaluation) -> s.EvaluationSummary:
    fields = {name: getattr(record, name) for name in s.EvaluationSummary.model_fields if name != "vendor_name"}
    return s.EvaluationSummary(**fields, vendor_name=record.vendor.name)


def _document(record: Evaluation, english: bool) -> s.Evaluation:
    answers = sorted(record.answers, key=lambda answer: (answer.item.position, answer.item.id))
    return s.Evaluation(
        **_summary(record).model_dump(),
        answers=[
            s.Answer(
                code=answer.item.code,
                text=(answer.item.text_en or answer.item.text_ja) if english else answer.item.text_ja,
                answer=answer.answer, comment=answer.comment, exception_reason=answer.exception_reason,
                vendor_answer=answer.vendor_answer, vendor_comment=answer.vendor_comment,
            )
            for answer in answers
        ],
    )


@bp.get("/evaluations")
@api_access()
@spec.validate(query=s.EvaluationFilters, resp=Response(HTTP_200=s.EvaluationPage, HTTP_400=s.Problem, **READ_ERRORS),
               tags=["evaluations"], operation_id="listEvaluations")
def evaluations(query: s.EvaluationFilters):
    """Selection evaluations with the list page's status filter, in cursor pages (answers: one evaluation)."""
    rows, next_cursor = page(pages.list_query(status=query.status), Evaluation.id, cursor=query.cursor,
                             limit=query.limit)
    return s.EvaluationPage(items=[_summary(row) for row in rows], next_cursor=next_cursor)


@bp.get("/evaluations/<int:evaluation_id>")
@api_access()
@spec.validate(resp=Response(HTTP_200=s.Evaluation, HTTP_404=s.Problem, **READ_ERRORS), tags=["evaluations"],
               operation_id="getEvaluation")
def evaluation(evaluation_id: int):
    """One selection evaluation with its answer per checklist item and the decision."""
    found = services.load_evaluation(evaluation_id)
    if found is None:
        raise Problem(404, NOT_FOUND)
    return _document(found, str(get_locale()) == "en"), 200, {"ETag": saving.etag(found)}

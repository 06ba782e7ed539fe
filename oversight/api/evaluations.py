"""``/api/v1/evaluations``: selection evaluations (選定評価) with their answers, read as on their pages; a
manager's decision on a submitted one as on its page (the same forms, services and predicate); confirming
is refused while its page asks for a new second-factor code (step-up, ``access.mirrors``)."""

from __future__ import annotations

from flask_babel import get_locale
from spectree import Response

from oversight.api import saving
from oversight.api import schemas as s
from oversight.api.access import actor, api_access, mirrors, refused_on_the_page
from oversight.api.blueprint import bp
from oversight.api.pagination import page
from oversight.api.problems import Problem
from oversight.api.spec import spec
from oversight.api.vendors import NOT_FOUND, READ_ERRORS, WRITE_ERRORS
from oversight.evaluations import pages, permissions, services
from oversight.evaluations.forms import ReturnForm
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


@bp.post("/evaluations/<int:evaluation_id>/decision")
@api_access(*permissions.DECIDERS, write=True)
@mirrors(decision={"confirm": "evaluations.approve", "return": "evaluations.return_to_procurement"})
@spec.validate(
    json=s.EvaluationDecisionInput,
    resp=Response(HTTP_200=s.Evaluation, HTTP_404=s.Problem, HTTP_412=s.Problem, HTTP_428=s.Problem, **WRITE_ERRORS),
    tags=["evaluations"], operation_id="decideEvaluation",
)
def decide_evaluation(evaluation_id: int, json: s.EvaluationDecisionInput):
    """A manager confirms the proposed decision of a submitted evaluation (approved ones get their validity
    period and move the vendor to 選定済) or returns it to procurement with the reason, as the evaluation page
    does. ``confirm`` is refused (403): on the page it asks for a new code from the manager's authenticator
    app (step-up), which a token cannot give. Separation of duties as on the page
    (``evaluations.permissions.can_decide``): the manager who submitted it may not decide (422 with the
    reason). Send the evaluation's ETag in If-Match: a stale one is refused (412)."""
    if json.decision == "confirm":
        refused_on_the_page()
    found = services.load_evaluation(evaluation_id)
    if found is None:
        raise Problem(404, NOT_FOUND)
    version = saving.matched_version(found)
    values = {**json.model_dump(exclude={"decision"}), "version": version}
    form = ReturnForm(formdata=saving.form_data(values), meta={"csrf": False})
    saving.validated(form)
    saving.commit(lambda: services.return_evaluation(found, actor=actor(), note=form.note.data),
                  record=found, version=version)
    found = services.load_evaluation(evaluation_id)
    return _document(found, str(get_locale()) == "en"), 200, {"ETag": saving.etag(found)}

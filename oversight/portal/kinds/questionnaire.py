"""The selection questionnaire (自己評価): the vendor answers the selection checklist's items marked
``vendor_answerable``, with evidence per item; accepted, the answers and files prefill procurement's
evaluation draft of the vendor, where procurement confirms or overrides each answer (both are kept)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from oversight.auth.roles import PROCUREMENT
from oversight.checklists.models import SELECTION, ChecklistItem
from oversight.evaluations import services as evaluation_services
from oversight.portal.errors import PortalRuleError
from oversight.portal.kinds.base import copy_file, request_files
from oversight.portal.kinds.checklist import ChecklistKind
from oversight.portal.models import QUESTIONNAIRE, PortalRequest, PortalSubmission


def evidence_by_item(request: PortalRequest) -> dict[str, list[int]]:
    """``{item code: [evidence ids]}`` of the files the vendor attached to an item."""
    grouped: dict[str, list[int]] = {}
    for evidence_id, code in sorted((request.file_items or {}).items(), key=lambda pair: int(pair[0])):
        grouped.setdefault(code, []).append(int(evidence_id))
    return grouped


class Questionnaire(ChecklistKind):
    name = QUESTIONNAIRE
    checklist = SELECTION
    reviewers = (PROCUREMENT,)
    evidence_per_item = True
    accepted_message = _l("The questionnaire was accepted: its answers prefill the vendor's evaluation draft.")

    def answerable(self, item: ChecklistItem) -> bool:
        return item.vendor_answerable

    def prepare(self, request: PortalRequest, *, subject_id: int | None, today: date) -> None:
        super().prepare(request, subject_id=subject_id, today=today)
        if not self.items(request):
            raise PortalRuleError(
                _l("No item of the selection checklist in use is marked for the vendor to answer.")
            )

    def complete(self, request: PortalRequest, answers: dict[str, Any], *, today: date) -> dict[str, Any]:
        answers = super().complete(request, answers, today=today)
        answers["evidence"] = evidence_by_item(request)
        return answers

    def accept(
        self, request: PortalRequest, submission: PortalSubmission, *, actor: Any, today: date, now: datetime
    ) -> Any:
        source = str(_l("Selection questionnaire, request %(id)d version %(number)d", id=request.id,
                        number=submission.number))
        evaluation = evaluation_services.take_vendor_answers(
            request.vendor, submission.answers.get("items", {}), source=source, actor=actor, now=now
        )
        answer_of = {row.item.code: row for row in evaluation.answers}
        files = {evidence.id: evidence for evidence in request_files(request)}
        for code, evidence_ids in (submission.answers.get("evidence") or {}).items():
            row = answer_of.get(code)
            for evidence_id in evidence_ids:
                if row is not None and evidence_id in files:
                    copy_file(files[evidence_id], ("evaluation_answer", row.id), actor)
        request.evaluation_id = evaluation.id
        return evaluation


KIND = Questionnaire()

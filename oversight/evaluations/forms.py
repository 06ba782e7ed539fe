"""Forms of the selection evaluation: answers, evidence, submission, decision."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from oversight.core.baseform import Form
from oversight.core.forms import VersionField, choices
from oversight.core.mynumber import MyNumberGuardMixin
from oversight.evaluations.models import ANSWER_LABELS, APPROVE_WITH_CONDITIONS, DECISION_LABELS
from oversight.evidence.forms import EvidenceUploadForm


class AnswersFormBase(MyNumberGuardMixin, Form):
    """Answer, comment and exception fields per item are added by :func:`answers_form`."""

    version = VersionField()
    item_ids: tuple[int, ...] = ()

    def field_for(self, name: str, item_id: int):
        return self[f"{name}_{item_id}"]

    def values(self) -> dict[int, dict[str, Any]]:
        """``{item_id: {answer, comment, exception_reason}}`` as the service takes it."""
        return {
            item_id: {
                "answer": self.field_for("answer", item_id).data or None,
                "comment": self.field_for("comment", item_id).data or "",
                "exception_reason": self.field_for("exception", item_id).data or "",
            }
            for item_id in self.item_ids
        }


def answers_form(evaluation, **kwargs) -> AnswersFormBase:
    """A form with one answer/comment/exception trio per item of the evaluation's checklist."""
    answer_choices = choices([("", _l("Not answered")), *ANSWER_LABELS.items()])
    fields: dict[str, Any] = {}
    item_ids = []
    for answer in evaluation.answers:
        item_ids.append(answer.item_id)
        code = answer.item.code
        fields[f"answer_{answer.item_id}"] = SelectField(
            _l("Result for %(code)s", code=code), choices=answer_choices, validators=[Optional()]
        )
        fields[f"comment_{answer.item_id}"] = TextAreaField(
            _l("Comment for %(code)s", code=code), validators=[Optional(), Length(max=4000)]
        )
        fields[f"exception_{answer.item_id}"] = TextAreaField(
            _l("Exception for %(code)s", code=code), validators=[Optional(), Length(max=4000)]
        )
    form_class = type("AnswersForm", (AnswersFormBase,), {**fields, "item_ids": tuple(item_ids)})
    data = {"version": evaluation.version}
    for answer in evaluation.answers:
        data[f"answer_{answer.item_id}"] = answer.answer or ""
        data[f"comment_{answer.item_id}"] = answer.comment
        data[f"exception_{answer.item_id}"] = answer.exception_reason
    return form_class(data=data, **kwargs)


class EvaluationEvidenceForm(EvidenceUploadForm):
    """An evidence file for one item of the evaluation."""

    item_id = SelectField(_l("Checklist item"), validators=[DataRequired(message=_l("Choose a checklist item."))])

    def __init__(self, *args, evaluation=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        answers = evaluation.answers if evaluation is not None else []
        # A required select starts with an empty option: nothing is attached to an item by default.
        items = [(str(answer.item_id), f"{answer.item.code} {answer.item.text[:40]}") for answer in answers]
        self.item_id.choices = choices([("", _l("Choose an item")), *items])


class SubmitForm(MyNumberGuardMixin, Form):
    decision = SelectField(_l("Proposed decision"), choices=choices(DECISION_LABELS.items()))
    conditions = TextAreaField(_l("Conditions"), validators=[Length(max=4000)])
    note = TextAreaField(_l("Note for the approver"), validators=[Optional(), Length(max=4000)])
    version = VersionField()

    def validate_conditions(self, field) -> None:
        if self.decision.data == APPROVE_WITH_CONDITIONS and not (field.data or "").strip():
            raise ValidationError(_l("A conditional approval needs its conditions."))


class DecisionForm(MyNumberGuardMixin, Form):
    note = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=4000)])
    version = VersionField()


class ReturnForm(MyNumberGuardMixin, Form):
    note = TextAreaField(_l("Why it is returned"), validators=[DataRequired(), Length(max=4000)])
    version = VersionField()

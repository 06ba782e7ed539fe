"""Forms of the audit pages: audit header, checklist results, submission, sign-off, findings, triggers, filters."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from oversight.audits.models import (
    DECISION_LABELS,
    FINDING_STATUS_LABELS,
    KIND_LABELS,
    RATING_LABELS,
    RESULT_LABELS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    TRIGGER_LABELS,
)
from oversight.auth.roles import AUDITOR
from oversight.core.baseform import Form
from oversight.core.forms import MultiCheckboxField, RequiredWhen, VersionField, choices
from oversight.core.mynumber import MyNumberGuardMixin
from oversight.evidence.forms import EvidenceUploadForm
from oversight.units.forms import VendorUnitMixin, unit_field
from oversight.vendors.models import RISK_LABELS


def _int_or_none(value: Any) -> int | None:
    return int(value) if value not in (None, "") and str(value).isdigit() else None


class AuditForm(VendorUnitMixin, MyNumberGuardMixin, Form):
    """Plan an audit or change its header: vendor, kind, dates, auditors, indirect supervision; when planning,
    the business unit the audit and its findings belong to (``offer_units``; not changed afterwards)."""

    unit_roles = (AUDITOR,)
    vendor_id = SelectField(_l("Vendor audited"), validators=[DataRequired()])
    unit_id = unit_field(_l("The audit and its findings belong to this unit: one of the vendor's units."))
    kind = SelectField(_l("Kind of audit"), choices=choices(KIND_LABELS.items()))
    planned_on = DateField(_l("Planned date"), validators=[Optional()])
    period_start_on = DateField(_l("Period covered from"), validators=[Optional()])
    period_end_on = DateField(_l("Period covered to"), validators=[Optional()])
    conducted_on = DateField(_l("Conducted on"), validators=[Optional()])
    conducted_end_on = DateField(
        _l("Last day (if several days)"), validators=[Optional()], description=_l("Leave empty for a one-day audit.")
    )
    auditor_ids = MultiCheckboxField(
        _l("Auditors"), validators=[DataRequired(message=_l("Choose at least one auditor."))]
    )
    is_indirect = BooleanField(
        _l("Indirect supervision: the contractor audited its subcontractor and we record its audit")
    )
    performed_by_vendor_id = SelectField(
        _l("Audit performed by (contractor)"),
        validators=[
            RequiredWhen(
                lambda form: form.is_indirect.data and not (form.performed_by_name.data or "").strip(),
                _l("Say which contractor performed the audit."),
            ),
            Optional(),
        ],
    )
    performed_by_name = StringField(_l("Person who performed it"), validators=[Optional(), Length(max=200)])
    scope_note = TextAreaField(_l("Scope and purpose"), validators=[Optional(), Length(max=4000)])

    def __init__(self, *args, vendors=(), auditors=(), planning: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not planning:
            del self.unit_id
        vendor_choices = [(str(vendor.id), vendor.name) for vendor in vendors]
        self.vendor_id.choices = choices([("", _l("Choose a vendor")), *vendor_choices])
        self.performed_by_vendor_id.choices = choices([("", "—"), *vendor_choices])
        self.auditor_ids.choices = choices((str(user.id), user.name) for user in auditors)

    def validate_period_end_on(self, field) -> None:
        if field.data and self.period_start_on.data and field.data < self.period_start_on.data:
            raise ValidationError(_l("The end of the period cannot be before its start."))

    def validate_conducted_end_on(self, field) -> None:
        if field.data and self.conducted_on.data and field.data < self.conducted_on.data:
            raise ValidationError(_l("The last day cannot be before the first day."))

    def validate_performed_by_vendor_id(self, field) -> None:
        if field.data and field.data == self.vendor_id.data:
            raise ValidationError(_l("The contractor must be another vendor than the one audited."))

    def validate(self, extra_validators=None) -> bool:
        is_valid = super().validate(extra_validators=extra_validators)
        return self.check_unit() and is_valid

    def values(self) -> dict[str, Any]:
        """The values as ``services.plan_audit`` / ``update_audit`` take them."""
        is_indirect = bool(self.is_indirect.data)
        return {
            **({"unit_id": self.resolved_unit_id} if self.resolved_unit_id is not None else {}),
            "kind": self.kind.data,
            "planned_on": self.planned_on.data,
            "period_start_on": self.period_start_on.data,
            "period_end_on": self.period_end_on.data,
            "conducted_on": self.conducted_on.data,
            "conducted_end_on": self.conducted_end_on.data,
            "is_indirect": is_indirect,
            "performed_by_vendor_id": _int_or_none(self.performed_by_vendor_id.data) if is_indirect else None,
            "performed_by_name": (self.performed_by_name.data or "").strip() if is_indirect else "",
            "scope_note": (self.scope_note.data or "").strip(),
            "auditor_ids": [int(value) for value in self.auditor_ids.data or [] if str(value).isdigit()],
        }


class AuditEditForm(AuditForm):
    version = VersionField()


class ResultsFormBase(MyNumberGuardMixin, Form):
    """Result and note fields per item are added by :func:`results_form`."""

    version = VersionField()
    item_ids: tuple[int, ...] = ()

    def values(self) -> dict[int, dict[str, Any]]:
        """``{item_id: {result, note}}`` as the service takes it."""
        return {
            item_id: {"result": self[f"result_{item_id}"].data or None, "note": self[f"note_{item_id}"].data or ""}
            for item_id in self.item_ids
        }


def results_form(audit, results, **kwargs) -> ResultsFormBase:
    """A form with one result/note pair per checklist item of the audit."""
    result_choices = choices([("", _l("No result yet")), *RESULT_LABELS.items()])
    fields: dict[str, Any] = {}
    data: dict[str, Any] = {"version": audit.version}
    for row in results:
        code = row.item.code
        fields[f"result_{row.item_id}"] = SelectField(
            _l("Result for %(code)s", code=code), choices=result_choices, validators=[Optional()]
        )
        fields[f"note_{row.item_id}"] = TextAreaField(
            _l("Note for %(code)s", code=code), validators=[Optional(), Length(max=4000)]
        )
        data[f"result_{row.item_id}"] = row.result or ""
        data[f"note_{row.item_id}"] = row.note
    form_class = type("ResultsForm", (ResultsFormBase,), {**fields, "item_ids": tuple(row.item_id for row in results)})
    return form_class(data=data, **kwargs)


class AuditEvidenceForm(EvidenceUploadForm):
    """An evidence file (a photo, a report…) for the whole audit or one checklist item."""

    item_id = SelectField(_l("Attach to"), validators=[Optional()])

    def __init__(self, *args, results=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.item_id.choices = choices(
            [("", _l("The whole audit"))]
            + [(str(row.item_id), f"{row.item.code} {row.item.text[:40]}") for row in results]
        )


class SubmitForm(MyNumberGuardMixin, Form):
    overall_rating = SelectField(
        _l("Overall rating"),
        choices=choices([("", "—"), *RATING_LABELS.items()]),
        validators=[DataRequired(message=_l("Choose an overall rating."))],
    )
    decision = SelectField(
        _l("Decision"),
        choices=choices([("", "—"), *DECISION_LABELS.items()]),
        validators=[DataRequired(message=_l("Choose a decision."))],
    )
    decision_conditions = TextAreaField(_l("Conditions"), validators=[Optional(), Length(max=4000)])
    summary = TextAreaField(_l("Summary for the manager"), validators=[Optional(), Length(max=8000)])
    version = VersionField()

    def validate_decision_conditions(self, field) -> None:
        if self.decision.data == "conditional" and not (field.data or "").strip():
            raise ValidationError(_l("A conditional continuation needs its conditions."))


class SignOffForm(MyNumberGuardMixin, Form):
    note = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=4000)])
    version = VersionField()


class ReturnForm(MyNumberGuardMixin, Form):
    note = TextAreaField(_l("Why it is returned"), validators=[DataRequired(), Length(max=4000)])
    version = VersionField()


class CancelForm(MyNumberGuardMixin, Form):
    reason = TextAreaField(_l("Why it is cancelled"), validators=[DataRequired(), Length(max=4000)])
    version = VersionField()


class FindingForm(MyNumberGuardMixin, Form):
    """A finding with the corrective action requested in writing (是正要求)."""

    item_id = SelectField(_l("Checklist item"), validators=[Optional()])
    severity = SelectField(_l("Severity"), choices=choices(SEVERITY_LABELS.items()), default="moderate")
    description = TextAreaField(_l("What was found"), validators=[DataRequired(), Length(max=4000)])
    requested_action = TextAreaField(
        _l("Corrective action requested in writing (是正要求)"), validators=[DataRequired(), Length(max=4000)]
    )
    requested_on = DateField(_l("Requested on"), validators=[DataRequired()])
    due_on = DateField(_l("Corrective action due"), validators=[DataRequired()])

    def __init__(self, *args, results=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.item_id.choices = choices(
            [("", "—")] + [(str(row.item_id), f"{row.item.code} {row.item.text[:40]}") for row in results]
        )

    def validate_due_on(self, field) -> None:
        if field.data and self.requested_on.data and field.data < self.requested_on.data:
            raise ValidationError(_l("The due date cannot be before the request date."))

    def values(self) -> dict[str, Any]:
        return {
            "item_id": _int_or_none(self.item_id.data),
            "severity": self.severity.data,
            "description": self.description.data,
            "requested_action": self.requested_action.data,
            "requested_on": self.requested_on.data,
            "due_on": self.due_on.data,
        }


class PlanForm(MyNumberGuardMixin, Form):
    """The vendor's corrective plan and response, entered by the auditor on its behalf."""

    plan_text = TextAreaField(
        _l("The vendor's corrective plan and response"), validators=[DataRequired(), Length(max=8000)]
    )
    received_on = DateField(_l("Received on"), validators=[DataRequired()])
    version = VersionField()


VERIFY_OUTCOMES = {
    "effective": _l("Effective: the corrective action is confirmed"),
    "ineffective": _l("Not effective: reopen the finding"),
}


class VerifyForm(MyNumberGuardMixin, Form):
    outcome = SelectField(_l("Outcome"), choices=choices(VERIFY_OUTCOMES.items()))
    note = TextAreaField(_l("What was checked"), validators=[DataRequired(), Length(max=4000)])
    verified_on = DateField(_l("Verified on"), validators=[DataRequired()])
    version = VersionField()


class CloseForm(Form):
    version = VersionField()


class TriggerForm(MyNumberGuardMixin, Form):
    """Why an extra audit is needed."""

    reason_kind = SelectField(_l("Reason"), choices=choices(TRIGGER_LABELS.items()))
    reason_text = TextAreaField(_l("Details"), validators=[DataRequired(), Length(max=4000)])


class ScheduleFilterForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    risk_tier = SelectField(
        _l("Risk tier"), choices=choices([("", _l("All")), *RISK_LABELS.items()]), validators=[Optional()]
    )
    when = SelectField(
        _l("Due"),
        choices=choices(
            [("all", _l("All")), ("overdue", _l("Overdue")), ("30", _l("Within 30 days")), ("90", _l("Within 90 days"))]
        ),
        validators=[Optional()],
    )


class RecordsFilterForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    status = SelectField(
        _l("Status"), choices=choices([("", _l("All")), *STATUS_LABELS.items()]), validators=[Optional()]
    )
    kind = SelectField(_l("Kind"), choices=choices([("", _l("All")), *KIND_LABELS.items()]), validators=[Optional()])


class FindingsFilterForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    status = SelectField(
        _l("Status"),
        choices=choices([("", _l("All")), ("unresolved", _l("Not yet verified")), *FINDING_STATUS_LABELS.items()]),
        validators=[Optional()],
    )
    severity = SelectField(
        _l("Severity"), choices=choices([("", _l("All")), *SEVERITY_LABELS.items()]), validators=[Optional()]
    )
    overdue = BooleanField(_l("Overdue only"))

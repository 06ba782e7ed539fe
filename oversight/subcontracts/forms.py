"""Forms of the subcontract pages: a chain node, the consent request (§5.2), review, decision, revocation, notice."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from oversight.core.baseform import Form
from oversight.core.forms import RequiredWhen, VersionField, choices
from oversight.core.mynumber import MyNumberGuardMixin
from oversight.core.timeutil import local_today
from oversight.subcontracts.models import (
    ADVANCE,
    CONSENT_TYPE_LABELS,
    LOCATION_LABELS,
    RECOMMENDATION_LABELS,
    STAGE_LABELS,
)

REQUIRED_TEXT = _l("This field is required.")
APPROVE, REFUSE = "approve", "refuse"
DECISION_LABELS = {APPROVE: _l("Grant consent (許諾)"), REFUSE: _l("Refuse (不許諾)")}


class _HandlingFields:
    """What is subcontracted and where (shared by the node and the request)."""

    scope_of_work = TextAreaField(
        _l("Work subcontracted"), validators=[DataRequired(message=REQUIRED_TEXT), Length(max=4000)]
    )
    data_scope = TextAreaField(
        _l("Data handled"),
        validators=[DataRequired(message=REQUIRED_TEXT), Length(max=4000)],
        description=_l("The kinds of data, never the numbers themselves."),
    )
    handling_method = TextAreaField(_l("Handling method"), validators=[Optional(), Length(max=4000)])
    handling_location = SelectField(
        _l("Where the data is handled"), choices=choices(LOCATION_LABELS.items()), default="domestic"
    )
    handling_country = StringField(_l("Country (if abroad)"), validators=[Optional(), Length(max=100)])

    def validate_handling_country(self, field) -> None:
        if self.handling_location.data == "abroad" and not (field.data or "").strip():
            raise ValidationError(_l("Name the country where the data is handled abroad."))


class NodeForm(MyNumberGuardMixin, _HandlingFields, Form):
    parent = SelectField(_l("Subcontracted by"), validators=[Optional()])
    vendor = SelectField(
        _l("Subcontractor"),
        validators=[DataRequired(message=_l("Choose the subcontractor from the vendor register."))],
        description=_l("Every subcontractor is a vendor in the register; register it first if it is missing."),
    )

    stage = RadioField(
        _l("Entrustment"),
        choices=choices([("planned", STAGE_LABELS[False]), ("entrusted", STAGE_LABELS[True])]),
        validators=[DataRequired(message=_l("Say whether the work is only planned or already entrusted."))],
        description=_l(
            "Consent must come before entrustment: a subcontractor already handling the data without consent "
            "is a violation even while a request awaits a decision."
        ),
    )

    def __init__(self, *args, parents=(), vendors=(), contractor_name: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.parent.choices = choices(
            [("", _l("%(name)s (the contractor)", name=contractor_name))]
            + [(str(node.id), f"{'　' * node.level}{node.vendor.name} ({node.level_label})") for node in parents]
        )
        self.vendor.choices = choices([("", _l("Choose…"))] + [(str(vendor.id), vendor.name) for vendor in vendors])

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            name: self[name].data
            for name in ("scope_of_work", "data_scope", "handling_method", "handling_location", "handling_country")
        }
        values["is_entrusted"] = self.stage.data == "entrusted"
        return values


class ConsentRequestForm(MyNumberGuardMixin, _HandlingFields, Form):
    evaluation = SelectField(
        _l("Selection evaluation of the subcontractor"),
        validators=[Optional()],
        description=_l("Consent needs an approved evaluation; you can start one from the request."),
    )
    supervision_plan = TextAreaField(
        _l("How the parent supervises the subcontractor"),
        validators=[DataRequired(message=REQUIRED_TEXT), Length(max=4000)],
    )
    has_c04 = BooleanField(_l("C04 Conditions for re-subcontracting"))
    has_c14 = BooleanField(_l("C14 Subcontracting conditions and notice duty flowed down"))
    has_c16 = BooleanField(_l("C16 Subcontractor told that the principal consented"))
    consent_type = RadioField(
        _l("Type of consent"),
        choices=choices(CONSENT_TYPE_LABELS.items()),
        default="per_event",
        validators=[InputRequired(message=_l("Choose the type of consent."))],
    )
    advance_identified = BooleanField(
        _l("(a) The subcontractor was specifically identified when the main contract was signed")
    )
    advance_ability_confirmed = BooleanField(
        _l("(b) Its ability to protect the data was confirmed from appropriate documents")
    )
    advance_reporting_agreed = BooleanField(
        _l("(c) It is agreed that the principal is told when the subcontracting happens and receives periodic reports")
    )
    report_schedule = StringField(_l("Periodic report schedule"), validators=[Optional(), Length(max=500)])
    request_note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=4000)])

    def __init__(self, *args, evaluations=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.evaluation.choices = choices(
            [("", _l("None yet"))]
            + [(str(e.id), f"#{e.id} {e.status_label} {e.valid_until or ''}".strip()) for e in evaluations]
        )

    def validate(self, extra_validators=None) -> bool:
        is_valid = super().validate(extra_validators=extra_validators)
        if self.consent_type.data == ADVANCE:
            for field in (self.advance_identified, self.advance_ability_confirmed, self.advance_reporting_agreed):
                if not field.data:
                    field.errors = [*field.errors, _l("Advance consent needs this condition (Q&A 3-9).")]
                    is_valid = False
            if not (self.report_schedule.data or "").strip():
                self.report_schedule.errors = [*self.report_schedule.errors, _l("Give the report schedule.")]
                is_valid = False
        return is_valid

    def values(self) -> dict[str, Any]:
        names = (
            "scope_of_work",
            "data_scope",
            "handling_method",
            "handling_location",
            "handling_country",
            "supervision_plan",
            "has_c04",
            "has_c14",
            "has_c16",
            "consent_type",
            "advance_identified",
            "advance_ability_confirmed",
            "advance_reporting_agreed",
            "report_schedule",
            "request_note",
        )
        values = {name: self[name].data for name in names}
        values["evaluation_id"] = int(self.evaluation.data) if (self.evaluation.data or "").isdigit() else None
        return values


class ReviewForm(MyNumberGuardMixin, Form):
    recommendation = SelectField(
        _l("Recommendation"),
        choices=choices([("", _l("Choose…")), *RECOMMENDATION_LABELS.items()]),
        validators=[DataRequired(message=_l("Choose a recommendation."))],
    )
    note = TextAreaField(_l("Legal's note"), validators=[Optional(), Length(max=4000)])
    version = VersionField()


class DecisionForm(MyNumberGuardMixin, Form):
    decision = RadioField(
        _l("Decision"),
        choices=choices(DECISION_LABELS.items()),
        validators=[InputRequired(message=_l("Choose grant or refuse."))],
    )
    conditions = TextAreaField(_l("Conditions"), validators=[Optional(), Length(max=4000)])
    expires_on = DateField(
        _l("Consent valid until"),
        validators=[
            RequiredWhen(
                lambda form: form.decision.data == APPROVE, _l("Give the date the consent expires (YYYY-MM-DD).")
            ),
            Optional(),
        ],
    )
    reason = TextAreaField(
        _l("Reason for refusing"),
        validators=[
            RequiredWhen(lambda form: form.decision.data == REFUSE, _l("Give the reason for refusing.")),
            Optional(),
            Length(max=4000),
        ],
    )
    version = VersionField()

    def validate_expires_on(self, field) -> None:
        # services.approve keeps the same guard; the form puts the message next to the field.
        if self.decision.data == APPROVE and field.data is not None and field.data <= local_today():
            raise ValidationError(_l("Give an expiry date after today."))


class RevokeForm(MyNumberGuardMixin, Form):
    reason = TextAreaField(
        _l("Reason for revoking"), validators=[DataRequired(message=REQUIRED_TEXT), Length(max=4000)]
    )
    version = VersionField()


class NotifiedForm(MyNumberGuardMixin, Form):
    notified_on = DateField(
        _l("Date the subcontractor was told"), validators=[InputRequired(message=_l("Enter a date (YYYY-MM-DD)."))]
    )
    note = StringField(_l("How (e.g. letter, e-mail)"), validators=[Optional(), Length(max=500)])
    version = VersionField()


class EntrustedForm(Form):
    """Record that a planned subcontractor now handles the data."""

    version = VersionField()

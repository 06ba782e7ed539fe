"""Forms of the contract pages: the contract, the clause review, decisions, signing, changes, the end."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from oversight.contracts import numbering, services
from oversight.contracts.models import (
    AMENDMENT,
    DEFAULT_DISPOSAL_DAYS,
    DOCUMENT_KIND_LABELS,
    END_HANDLING_LABELS,
    RENEWAL,
    RESULT_LABELS,
    ROUND_KIND_LABELS,
    STATUS_LABELS,
    TYPE_LABELS,
)
from oversight.core.baseform import Form
from oversight.core.forms import VersionField, choices
from oversight.core.mynumber import MyNumberGuardMixin
from oversight.core.timeutil import local_today
from oversight.evidence.forms import EvidenceUploadForm
from oversight.evidence.validation import ACCEPT_ATTRIBUTE, AllowedUpload
from oversight.units.forms import unit_label
from oversight.vendors.forms import VendorFilterMixin

ENDING_CHOICES = ((30, _l("30 days")), (90, _l("90 days")), (180, _l("180 days")))


class ContractForm(MyNumberGuardMixin, Form):
    my_number_exempt = ("number",)

    number = StringField(_l("Contract number"), validators=[DataRequired(), Length(max=50)])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    contract_type = SelectField(_l("Type"), choices=choices(TYPE_LABELS.items()))
    scope = TextAreaField(_l("Entrusted work"), validators=[DataRequired(), Length(max=4000)])
    data_scope = TextAreaField(_l("Data in scope"), validators=[DataRequired(), Length(max=4000)])
    start_on = DateField(_l("Start date"), validators=[InputRequired(message=_l("Enter a date (YYYY-MM-DD)."))])
    end_on = DateField(_l("End date"), validators=[InputRequired(message=_l("Enter a date (YYYY-MM-DD)."))])
    auto_renewal = BooleanField(_l("Renews automatically"))
    notice_days = IntegerField(
        _l("Notice period against renewal (days)"), validators=[Optional(), NumberRange(min=0, max=3650)]
    )
    incident_notice_hours = IntegerField(
        _l("Incident notice deadline (hours)"),
        validators=[Optional(), NumberRange(min=1, max=24 * 30)],
        description=_l("How soon the vendor must tell you about a leak; for example 24."),
    )
    end_handling = SelectField(
        _l("At the end, the data is"), choices=choices(END_HANDLING_LABELS.items()), default="delete"
    )
    disposal_days = IntegerField(
        _l("Days after the end for the return/deletion"),
        default=DEFAULT_DISPOSAL_DAYS,
        validators=[InputRequired(message=_l("Enter a number of days.")), NumberRange(min=0, max=365)],
    )

    # The business unit the contract belongs to (docs/units.md); only on the drafting page, where the units
    # the user may draft in are offered (the API and the import: the vendor's first unit).
    unit_id = SelectField(_l("Business unit"), validators=[Optional()])

    editing_contract = None

    def __init__(self, *args, contract=None, units=None, **kwargs) -> None:
        super().__init__(*args, obj=contract, **kwargs)
        self.editing_contract = contract
        if units is None:
            del self.unit_id
        else:
            self.unit_id.choices = choices(
                [("", _l("The vendor's unit"))] + [(str(unit.id), unit_label(unit)) for unit in units]
            )

    def validate_number(self, field) -> None:
        other = services.find_by_number(field.data or "")
        if other is not None and other is not self.editing_contract:
            raise ValidationError(
                _l(
                    "Another contract already has this number (%(title)s). The next free number is %(number)s.",
                    title=other.title,
                    number=numbering.next_number(local_today()),
                )
            )

    def validate_end_on(self, field) -> None:
        if field.data and self.start_on.data and field.data < self.start_on.data:
            raise ValidationError(_l("The end date must be on or after the start date."))

    def validate(self, extra_validators=None) -> bool:
        is_valid = super().validate(extra_validators=extra_validators)
        if self.auto_renewal.data and self.notice_days.data is None and not self.notice_days.errors:
            self.notice_days.errors = [
                *self.notice_days.errors,
                _l("An automatically renewing contract needs its notice period."),
            ]
            return False
        return is_valid

    def values(self) -> dict[str, Any]:
        return {
            **({"unit_id": int(self.unit_id.data)} if "unit_id" in self._fields and self.unit_id.data else {}),
            **self._fact_values(),
        }

    def _fact_values(self) -> dict[str, Any]:
        return {
            name: self[name].data
            for name in (
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
        }


class ContractEditForm(ContractForm):
    version = VersionField()


class ContractFilterForm(VendorFilterMixin, Form):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    status = SelectField(
        _l("Status"), choices=choices([("", _l("All")), *STATUS_LABELS.items()]), validators=[Optional()]
    )
    contract_type = SelectField(
        _l("Type"), choices=choices([("", _l("All")), *TYPE_LABELS.items()]), validators=[Optional()]
    )
    ending_within = SelectField(
        _l("Ending within"),
        choices=choices([("", _l("Any time")), *((str(days), label) for days, label in ENDING_CHOICES)]),
        validators=[Optional()],
    )
    clauses = SelectField(
        _l("Required clauses"),
        choices=choices([
            ("", _l("All")),
            ("missing", _l("Missing")),
            ("unreviewed", _l("Not reviewed")),
            ("incomplete", _l("Missing or not reviewed")),
        ]),
        validators=[Optional()],
    )


class SubmitForm(MyNumberGuardMixin, Form):
    note = TextAreaField(_l("Note for legal"), validators=[Optional(), Length(max=4000)])
    version = VersionField()


class ReviewFormBase(MyNumberGuardMixin, Form):
    """Result, clause number, quote, note and waiver per clause are added by :func:`review_form`."""

    my_number_exempt: tuple[str, ...] = ()
    version = VersionField()
    item_ids: tuple[int, ...] = ()

    def field_for(self, name: str, item_id: int):
        return self[f"{name}_{item_id}"]

    def values(self) -> dict[int, dict[str, Any]]:
        return {
            item_id: {
                name: self.field_for(name, item_id).data
                for name in ("result", "clause_number", "quote", "note", "waiver_reason")
            }
            for item_id in self.item_ids
        }


def review_form(review, results, **kwargs) -> ReviewFormBase:
    """A form with one set of fields per clause of the round's checklist."""
    result_choices = choices([("", _l("Not judged yet")), *RESULT_LABELS.items()])
    fields: dict[str, Any] = {}
    data: dict[str, Any] = {"version": review.version}
    for result in results:
        item_id, code = result.item_id, result.item.code
        fields[f"result_{item_id}"] = SelectField(
            _l("Result for %(code)s", code=code), choices=result_choices, validators=[Optional()]
        )
        fields[f"clause_number_{item_id}"] = StringField(_l("Clause number"), validators=[Length(max=50)])
        fields[f"quote_{item_id}"] = TextAreaField(_l("Quote"), validators=[Length(max=4000)])
        fields[f"note_{item_id}"] = TextAreaField(_l("Note"), validators=[Length(max=4000)])
        fields[f"waiver_reason_{item_id}"] = TextAreaField(_l("Waiver reason"), validators=[Length(max=4000)])
        data.update(
            {
                f"result_{item_id}": result.result or "",
                f"clause_number_{item_id}": result.clause_number,
                f"quote_{item_id}": result.quote,
                f"note_{item_id}": result.note,
                f"waiver_reason_{item_id}": result.waiver_reason,
            }
        )
    exempt = tuple(f"clause_number_{result.item_id}" for result in results)
    form_class = type(
        "ReviewForm",
        (ReviewFormBase,),
        {
            **fields,
            "item_ids": tuple(result.item_id for result in results),
            "my_number_exempt": exempt,
        },
    )
    return form_class(data=data, **kwargs)


class ReviewDecisionForm(MyNumberGuardMixin, Form):
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=4000)])
    version = VersionField()


class ReviewReturnForm(MyNumberGuardMixin, Form):
    comment = TextAreaField(_l("What procurement must change"), validators=[DataRequired(), Length(max=4000)])
    version = VersionField()


class WaiverApprovalForm(Form):
    version = VersionField()


class ApproveForm(MyNumberGuardMixin, Form):
    note = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=4000)])
    version = VersionField()


class ManagerReturnForm(MyNumberGuardMixin, Form):
    note = TextAreaField(_l("Why it is returned"), validators=[DataRequired(), Length(max=4000)])
    version = VersionField()


SIGNED_DOCUMENT_KINDS = ("signed", "amendment", "memorandum")


class SignForm(MyNumberGuardMixin, Form):
    """The signature: its date, the kind of document and the signed file (read by the My Number guard)."""

    signed_on = DateField(_l("Date signed"), validators=[InputRequired(message=_l("Enter a date (YYYY-MM-DD)."))])
    kind = SelectField(
        _l("Document"), choices=choices((kind, DOCUMENT_KIND_LABELS[kind]) for kind in SIGNED_DOCUMENT_KINDS)
    )
    file = FileField(
        _l("Signed document"), validators=[AllowedUpload(required=True)], render_kw={"accept": ACCEPT_ATTRIBUTE}
    )
    version = VersionField()


class DocumentForm(EvidenceUploadForm):
    kind = SelectField(_l("Kind of document"), choices=choices(DOCUMENT_KIND_LABELS.items()))


class ChangeForm(MyNumberGuardMixin, Form):
    kind = SelectField(_l("Change"), choices=choices((kind, ROUND_KIND_LABELS[kind]) for kind in (AMENDMENT, RENEWAL)))
    note = TextAreaField(_l("What changes"), validators=[DataRequired(), Length(max=4000)])
    version = VersionField()


class TerminateForm(MyNumberGuardMixin, Form):
    ended_on = DateField(
        _l("Early termination date"), validators=[InputRequired(message=_l("Enter a date (YYYY-MM-DD)."))]
    )
    reason = TextAreaField(_l("Reason for the early termination"), validators=[DataRequired(), Length(max=4000)])
    version = VersionField()

"""The portal's forms for what a vendor starts itself: consent to a new subcontractor, notice of an incident.

Both carry the My Number guard over every text field and the optional file (``AllowedUpload`` inspects it:
type sniffing, size limit, 12-digit numbers in its name or text).
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from oversight.core.baseform import Form
from oversight.core.forms import choices
from oversight.core.mynumber import MyNumberGuardMixin
from oversight.core.timeutil import app_timezone
from oversight.evidence.validation import ACCEPT_ATTRIBUTE, AllowedUpload
from oversight.incidents.models import KIND_LABELS as INCIDENT_KINDS
from oversight.subcontracts.models import LOCATION_LABELS
from oversight.vendors.forms import CorporateNumber

REQUIRED = _l("This field is required.")


def _evidence_field() -> FileField:
    return FileField(
        _l("Evidence (optional)"),
        validators=[AllowedUpload()],
        render_kw={"accept": ACCEPT_ATTRIBUTE},
        description=_l("PDF, PNG, JPEG, DOCX, XLSX, TXT or CSV. A file must be chosen again after an error."),
    )


class ConsentRequestForm(MyNumberGuardMixin, Form):
    """A vendor asks for consent to entrust part of the work to a new subcontractor."""

    my_number_exempt = ("corporate_number",)  # 13 digits with a check digit: never a 12-digit 個人番号

    placement = SelectField(
        _l("Contract"), validators=[DataRequired(message=_l("Choose the contract the subcontractor would work under."))]
    )
    name = StringField(_l("Subcontractor's legal name"), validators=[DataRequired(message=REQUIRED), Length(max=200)])
    corporate_number = StringField(
        _l("Subcontractor's corporate number (法人番号)"),
        validators=[DataRequired(message=REQUIRED), Length(max=40), CorporateNumber()],
        description=_l("13 digits, as published by the National Tax Agency."),
    )
    scope_of_work = TextAreaField(
        _l("Work to subcontract"), validators=[DataRequired(message=REQUIRED), Length(max=4000)]
    )
    data_scope = TextAreaField(
        _l("Data the subcontractor would handle"),
        validators=[DataRequired(message=REQUIRED), Length(max=4000)],
        description=_l("The kinds of data, never the numbers themselves."),
    )
    handling_location = SelectField(
        _l("Where the data would be handled"), choices=choices(LOCATION_LABELS.items()), default="domestic"
    )
    handling_country = StringField(_l("Country (if abroad)"), validators=[Optional(), Length(max=100)])
    safety_measures = TextAreaField(
        _l("The subcontractor's safety measures"),
        validators=[DataRequired(message=REQUIRED), Length(max=4000)],
        description=_l("Organisational, personnel, physical and technical measures; certifications (Pマーク, ISMS)."),
    )
    evidence = _evidence_field()

    def __init__(self, *args, placements=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        offered = [(placement.key, placement.label) for placement in placements]
        self.placement.choices = choices(offered if len(offered) == 1 else [("", _l("Choose…")), *offered])

    def validate_handling_country(self, field) -> None:
        if self.handling_location.data == "abroad" and not (field.data or "").strip():
            raise ValidationError(_l("Name the country where the data is handled abroad."))

    def values(self) -> dict[str, Any]:
        names = ("placement", "name", "corporate_number", "scope_of_work", "data_scope", "handling_location",
                 "handling_country", "safety_measures")
        return {name: self[name].data or "" for name in names}


class IncidentNoticeForm(MyNumberGuardMixin, Form):
    """A vendor tells us of a leak, loss or damage (or a suspected one)."""

    title = StringField(
        _l("What happened, in a few words"), validators=[DataRequired(message=REQUIRED), Length(max=200)]
    )
    kind = SelectField(_l("Kind"), choices=choices(INCIDENT_KINDS.items()), default="leak")
    is_suspected = BooleanField(_l("Suspected, not confirmed yet"))
    description = TextAreaField(
        _l("What happened"),
        validators=[DataRequired(message=REQUIRED), Length(max=8000)],
        description=_l("How it happened, how it was found, what has been done to stop it."),
    )
    knew_at = DateTimeLocalField(
        _l("When your company learned of it"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        validators=[InputRequired(message=_l("Enter the date and time (YYYY-MM-DD HH:MM)."))],
        description=_l("Japan time. The legal deadlines count from this moment."),
    )
    people = IntegerField(
        _l("How many people are affected"),
        validators=[Optional(), NumberRange(min=0, max=100_000_000)],
        description=_l("The largest possible number if not known exactly; leave empty if it cannot be estimated yet."),
    )
    data_items = TextAreaField(
        _l("What data"),
        validators=[DataRequired(message=REQUIRED), Length(max=4000)],
        description=_l("The kinds of data (name, address, My Number…), never the numbers themselves."),
    )
    contract = SelectField(_l("Contract concerned"), validators=[Optional()])
    evidence = _evidence_field()

    def __init__(self, *args, contracts=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.contract.choices = choices(
            [("", _l("Not sure / several"))] + [(str(c.id), f"{c.number} {c.title}") for c in contracts]
        )

    def values(self) -> dict[str, Any]:
        knew_at = self.knew_at.data
        return {
            "title": self.title.data or "",
            "kind": self.kind.data,
            "is_suspected": bool(self.is_suspected.data),
            "description": self.description.data or "",
            # The form's moment is Japan time; the record keeps the instant.
            "knew_at": knew_at.replace(tzinfo=app_timezone()).astimezone(UTC) if knew_at else None,
            "people": self.people.data,
            "data_items": self.data_items.data or "",
            "contract_id": int(self.contract.data) if (self.contract.data or "").isdigit() else None,
        }

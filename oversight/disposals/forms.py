"""Forms of the return/deletion pages: the certificate (guideline-reference §6.3) and the confirmation."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from oversight.core.baseform import Form
from oversight.core.forms import VersionField, choices
from oversight.core.mynumber import MyNumberGuardMixin
from oversight.disposals.models import CERTIFICATE_FIELDS, METHOD_LABELS
from oversight.disposals.services import STATES
from oversight.evidence.validation import ACCEPT_ATTRIBUTE, AllowedUpload
from oversight.vendors.forms import VendorFilterMixin

STATE_FILTER_LABELS = {
    "overdue": _l("Overdue"),
    "open": _l("Awaiting certificate"),
    "certified": _l("Awaiting confirmation"),
    "confirmed": _l("Confirmed"),
}


class CertificateForm(MyNumberGuardMixin, Form):
    method = SelectField(
        _l("Method"),
        choices=choices([("", _l("Choose…")), *METHOD_LABELS.items()]),
        validators=[DataRequired(message=_l("Choose the method."))],
    )
    method_detail = TextAreaField(
        _l("Method in detail"),
        validators=[Length(max=2000)],
        description=_l("For example the erasure software used, or the shredding standard."),
    )
    completed_on = DateField(
        _l("Date of return/deletion"), validators=[InputRequired(message=_l("Enter a date (YYYY-MM-DD)."))]
    )
    certificate_number = StringField(_l("Certificate no."), validators=[Length(max=100)])
    data_items = TextAreaField(
        _l("Data covered"),
        validators=[DataRequired(), Length(max=4000)],
        description=_l("Which data or files; never write My Numbers here."),
    )
    media = TextAreaField(
        _l("Media"),
        validators=[DataRequired(), Length(max=2000)],
        description=_l("Media type and serial numbers, e.g. HDD ×2 (S/N …), paper forms."),
    )
    media_quantity = IntegerField(_l("Quantity"), validators=[Optional(), NumberRange(min=0, max=10_000_000)])
    responsible_person = StringField(_l("Responsible person"), validators=[DataRequired(), Length(max=200)])
    operator = StringField(_l("Operator"), validators=[Length(max=200)])
    witness = StringField(
        _l("Witness"), validators=[Length(max=200)], description=_l("Who attended for the principal, if anyone.")
    )
    location = StringField(_l("Location"), validators=[Length(max=300)])
    covers_backups = BooleanField(_l("Backups, logs and replicas are covered"))
    backup_note = TextAreaField(_l("Backups and replicas"), validators=[Length(max=2000)])
    irrecoverable = BooleanField(_l("The certificate states that the data cannot be recovered"))
    irrecoverable_statement = TextAreaField(_l("Statement of irrecoverability"), validators=[Length(max=2000)])
    file = FileField(
        _l("Certificate"),
        validators=[AllowedUpload()],
        render_kw={"accept": ACCEPT_ATTRIBUTE},
        description=_l("The signed certificate (PDF or scan)."),
    )
    version = VersionField()

    my_number_exempt = ("certificate_number",)

    def validate_irrecoverable(self, field) -> None:
        if self.method.data and self.method.data != "return" and not field.data:
            raise ValidationError(_l("A deletion certificate must state that the data cannot be recovered."))

    def values(self) -> dict[str, Any]:
        return {name: self[name].data for name in CERTIFICATE_FIELDS}


class ConfirmForm(MyNumberGuardMixin, Form):
    note = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=4000)])
    version = VersionField()


class ReturnForm(MyNumberGuardMixin, Form):
    """A manager sends the certificate back (差戻し) with the reason."""

    note = TextAreaField(
        _l("Why the certificate is returned"),
        validators=[DataRequired(message=_l("Say why the certificate is returned.")), Length(max=4000)],
    )
    version = VersionField()


class DisposalFilterForm(VendorFilterMixin, Form):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    state = SelectField(
        _l("State"),
        choices=choices([("", _l("All")), *((s, STATE_FILTER_LABELS[s]) for s in STATES)]),
        validators=[Optional()],
    )

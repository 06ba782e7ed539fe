"""Forms of the vendor register."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from oversight.core.baseform import Form
from oversight.core.forms import MultiCheckboxField, VersionField, choices
from oversight.core.mynumber import MyNumberGuardMixin
from oversight.core.query import bounded_int
from oversight.corporate_numbers import services as corporate_data
from oversight.units.forms import unit_label
from oversight.vendors import corporate_number
from oversight.vendors import services as vendor_services
from oversight.vendors.models import (
    CERTIFICATION_LABELS,
    LOCATION_LABELS,
    RISK_LABELS,
    SITE_LABELS,
    STATUS_LABELS,
)

ENTRUSTMENT_CHOICES = (
    ("", _l("Not decided yet")),
    ("yes", _l("Yes: a 委託先 under the My Number Act")),
    ("no", _l("No")),
)
LIGHT_LABELS = {"green": _l("Valid"), "amber": _l("Expiring soon"), "red": _l("Missing or expired")}
GRASP_LIGHT_LABELS = {
    "green": _l("Audited"),
    "amber": _l("Audit due soon or serious finding"),
    "red": _l("Audit overdue or overdue finding"),
    "grey": _l("No audit cycle"),
}
CONTRACT_LIGHT_LABELS = {
    "green": _l("In force"),
    "amber": _l("Ending soon or under review"),
    "red": _l("None or clause missing"),
}
TERMINATION_LIGHT_LABELS = {"green": _l("Nothing overdue"), "amber": _l("Due within 7 days"), "red": _l("Overdue")}
SUBCONTRACT_LIGHT_LABELS = {
    "green": _l("Every subcontractor consented"),
    "amber": _l("Pending or expiring consent"),
    "red": _l("Violation"),
    "grey": _l("No subcontractors"),
}


def _user_choices(users, empty_label) -> list:
    return choices([("", empty_label)] + [(str(user.id), user.name) for user in users])


def _optional_id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


class CorporateNumber:
    """Validates a 法人番号 typed in any common notation (full-width digits, hyphens, spaces)."""

    def __call__(self, form, field) -> None:
        number = corporate_number.normalise(field.data)
        if not number:
            return
        if len(number) != corporate_number.LENGTH or not number.isdigit():
            raise ValidationError(_l("A corporate number has 13 digits."))
        if not corporate_number.is_valid(number):
            raise ValidationError(_l("This corporate number's check digit is wrong; check for a typing mistake."))


class VendorForm(MyNumberGuardMixin, Form):
    my_number_exempt = ("corporate_number",)

    name = StringField(_l("Legal name"), validators=[DataRequired(), Length(max=200)])
    name_kana = StringField(_l("Name in kana"), validators=[Optional(), Length(max=200)])
    corporate_number = StringField(
        _l("Corporate number (法人番号)"), validators=[Optional(), Length(max=40), CorporateNumber()]
    )
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    representative = StringField(_l("Representative"), validators=[Optional(), Length(max=100)])
    entrusted_work = TextAreaField(
        _l("My Number work entrusted (事務の範囲)"), validators=[Optional(), Length(max=4000)]
    )
    data_scope = TextAreaField(_l("Data in scope (特定個人情報等の範囲)"), validators=[Optional(), Length(max=4000)])
    data_subject_count = IntegerField(
        _l("Approximate number of data subjects"), validators=[Optional(), NumberRange(min=0, max=1_000_000_000)]
    )
    handling_location = SelectField(_l("Where the data is handled"), choices=choices(LOCATION_LABELS.items()))
    handling_country = StringField(_l("Country"), validators=[Length(max=100)])
    handling_site = SelectField(_l("Handling site"), choices=choices(SITE_LABELS.items()))
    risk_tier = SelectField(_l("Risk tier"), choices=choices(RISK_LABELS.items()), default="medium")
    is_entrustment = SelectField(
        _l("Is this vendor a 委託先 under the My Number Act?"), choices=choices(ENTRUSTMENT_CHOICES)
    )
    entrustment_reason = TextAreaField(_l("Reason for this answer"), validators=[Length(max=4000)])
    owner_id = SelectField(_l("Owner"), validators=[Optional()])
    manager_id = SelectField(_l("Responsible manager"), validators=[Optional()])
    # The units whose register shows the vendor (docs/units.md); left out where no units are given (the API,
    # the import: the default unit).
    unit_ids = MultiCheckboxField(_l("Business units"))

    editing_vendor = None
    kept_unit_ids: tuple[int, ...] = ()
    fallback_unit_id: int | None = None

    def __init__(
        self, *args, users=(), vendor=None, units=None, current_unit_ids=(), fallback_unit_id=None, **kwargs
    ) -> None:
        super().__init__(*args, obj=vendor, **kwargs)
        self.editing_vendor = vendor
        if units is None:
            del self.unit_ids
        else:
            offered = {unit.id for unit in units}
            self.fallback_unit_id = fallback_unit_id
            self.unit_ids.choices = choices((str(unit.id), unit_label(unit)) for unit in units)
            # Units this user may not act in stay as they are, whatever is ticked.
            self.kept_unit_ids = tuple(unit_id for unit_id in current_unit_ids if unit_id not in offered)
            if not self.is_submitted():
                self.unit_ids.data = [str(unit_id) for unit_id in current_unit_ids if unit_id in offered] or (
                    [str(units[0].id)] if len(units) == 1 else []
                )
        self.owner_id.choices = _user_choices(users, _l("Nobody"))
        self.manager_id.choices = _user_choices(users, _l("Nobody"))
        if vendor is not None and not self.is_submitted():
            self.owner_id.data = str(vendor.owner_id or "")
            self.manager_id.data = str(vendor.manager_id or "")
            self.is_entrustment.data = {True: "yes", False: "no"}.get(vendor.is_entrustment, "")

    def validate_corporate_number(self, field) -> None:
        existing = vendor_services.find_by_corporate_number(field.data or "")
        if existing is not None and existing is not self.editing_vendor:
            link = url_for("vendors.detail", vendor_id=existing.id)
            raise ValidationError(
                Markup('{} <a href="{}">{}</a>').format(
                    _l("Another vendor already has this corporate number:"), link, existing.name
                )
            )

    def fill_from_corporate_data(self) -> list[str]:
        """Fill the blank name, kana and address from the NTA's corporate-number data loaded for this
        法人番号; the labels of the fields filled (none when nothing is loaded for it)."""
        record = corporate_data.lookup(self.corporate_number.data)
        values = {name: getattr(self, name).data for name in corporate_data.FILLED_FIELDS}
        filled = corporate_data.fill_blanks(values, record)
        for name in filled:
            getattr(self, name).data = values[name]
        return [str(getattr(self, name).label.text) for name in filled]

    def validate_handling_country(self, field) -> None:
        if self.handling_location.data == "abroad" and not (field.data or "").strip():
            raise ValidationError(_l("Name the country where the data is handled."))

    def validate_entrustment_reason(self, field) -> None:
        if self.is_entrustment.data and not (field.data or "").strip():
            raise ValidationError(_l("Give the reason for the scoping answer."))

    def _unit_ids(self) -> list[int]:
        """The ticked units plus those the user may not change; none ticked: the first unit offered
        (the default unit when the user may act in it), so that the vendor stays in the user's sight."""
        ticked = {int(value) for value in self.unit_ids.data or ()} | set(self.kept_unit_ids)
        if not ticked and self.unit_ids.choices:
            offered = [int(choice.value) for choice in self.unit_ids.choices]
            ticked = {self.fallback_unit_id if self.fallback_unit_id in offered else offered[0]}
        return sorted(ticked)

    def values(self) -> dict[str, Any]:
        """The submitted data in the shape the service takes."""
        return {
            "name": self.name.data,
            "name_kana": self.name_kana.data or "",
            "corporate_number": self.corporate_number.data or "",
            "address": self.address.data or "",
            "representative": (self.representative.data or "").strip(),
            "entrusted_work": (self.entrusted_work.data or "").strip(),
            "data_scope": (self.data_scope.data or "").strip(),
            "data_subject_count": self.data_subject_count.data,
            "handling_location": self.handling_location.data,
            "handling_country": self.handling_country.data or "",
            "handling_site": self.handling_site.data,
            "risk_tier": self.risk_tier.data,
            "is_entrustment": {"yes": True, "no": False}.get(self.is_entrustment.data),
            "entrustment_reason": (self.entrustment_reason.data or "").strip(),
            "owner_id": _optional_id(self.owner_id.data),
            "manager_id": _optional_id(self.manager_id.data),
            **(
                {"unit_ids": self._unit_ids()} if "unit_ids" in self._fields else {}
            ),
        }


class VendorEditForm(VendorForm):
    version = VersionField()


class StatusForm(MyNumberGuardMixin, Form):
    status = SelectField(_l("New status"))
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])

    def __init__(self, *args, vendor=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        targets = vendor_services.allowed_moves(vendor.status) if vendor is not None else []
        self.status.choices = choices((code, STATUS_LABELS[code]) for code in targets)


class ContactForm(MyNumberGuardMixin, Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    department = StringField(_l("Department"), validators=[Optional(), Length(max=100)])
    email = StringField(_l("Email address"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    role = StringField(_l("Role"), validators=[Optional(), Length(max=100)])


class ContactEditForm(ContactForm):
    version = VersionField()


class CertificationForm(MyNumberGuardMixin, Form):
    kind = SelectField(_l("Kind"), choices=choices(CERTIFICATION_LABELS.items()))
    name = StringField(_l("Name (for other kinds)"), validators=[Length(max=100)])
    number = StringField(_l("Certificate number"), validators=[Optional(), Length(max=100)])
    issuer = StringField(_l("Issuer"), validators=[Optional(), Length(max=200)])
    expires_on = DateField(_l("Expiry date"), validators=[Optional()])

    def validate_name(self, field) -> None:
        if self.kind.data == "other" and not (field.data or "").strip():
            raise ValidationError(_l("Name the certification."))


class CertificationEditForm(CertificationForm):
    version = VersionField()


class VendorFilterForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    status = SelectField(
        _l("Status"),
        choices=choices([("", _l("All except archived")), *STATUS_LABELS.items()]),
        validators=[Optional()],
    )
    risk_tier = SelectField(
        _l("Risk tier"), choices=choices([("", _l("All")), *RISK_LABELS.items()]), validators=[Optional()]
    )
    owner = SelectField(_l("Owner"), validators=[Optional()])
    selection = SelectField(
        _l("Selection"), choices=choices([("", _l("All")), *LIGHT_LABELS.items()]), validators=[Optional()]
    )
    grasp = SelectField(
        _l("Monitoring"), choices=choices([("", _l("All")), *GRASP_LIGHT_LABELS.items()]), validators=[Optional()]
    )
    contract = SelectField(
        _l("Contract"), choices=choices([("", _l("All")), *CONTRACT_LIGHT_LABELS.items()]), validators=[Optional()]
    )
    termination = SelectField(
        _l("Return/deletion"),
        choices=choices([("", _l("All")), *TERMINATION_LIGHT_LABELS.items()]),
        validators=[Optional()],
    )
    subcontract = SelectField(
        _l("Subcontracting"),
        choices=choices([("", _l("All")), *SUBCONTRACT_LIGHT_LABELS.items()]),
        validators=[Optional()],
    )

    def __init__(self, *args, users=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.owner.choices = _user_choices(users, _l("Everyone"))


VENDOR_NOT_FOUND = _l("The vendor asked for is not among the vendors you can see. Search for it by name.")


class VendorFilterMixin:
    """A list's vendor filter (contracts, return/deletion, incidents): ``vendor``, a text matched as the
    register's search matches it (name, kana reading, 法人番号: ``vendor_services.search_condition``), or
    ``vendor_id``, one vendor (a vendor's page links to its records with it; a suggestion chosen while typing
    sets it). A vendor id the reader does not see is refused next to the field, like a deleted one; after
    validation ``chosen_vendor`` holds the ``(id, name)`` of a valid one. Put it before ``Form``."""

    vendor = StringField(_l("Vendor"), validators=[Length(max=100)])
    vendor_id = HiddenField()
    chosen_vendor = None

    def validate_vendor(self, _field) -> None:
        raw = (self.vendor_id.data or "").strip()
        if not raw:
            return
        vendor_id = bounded_int(raw)
        found = vendor_services.filter_vendor(vendor_id) if vendor_id is not None else None
        if found is None:
            raise ValidationError(VENDOR_NOT_FOUND)
        self.chosen_vendor = found

    def vendor_filter(self) -> dict[str, Any]:
        """The list query's ``vendor_id`` and ``vendor_text`` (the chosen vendor wins over the text)."""
        if self.chosen_vendor is not None:
            return {"vendor_id": self.chosen_vendor.id, "vendor_text": ""}
        return {"vendor_id": None, "vendor_text": (self.vendor.data or "").strip()}

    def filters(self) -> dict[str, Any]:
        """The list's filters: the form's values with :meth:`vendor_filter`'s, or none at all when a value is
        invalid (its message is shown next to its field and the list is not filtered)."""
        return {**self.data, **self.vendor_filter()} if self.validate() else {}


class SuggestForm(Form):
    """The vendor filter's suggestions while typing (``vendors.suggest``): the text typed so far."""

    class Meta:
        csrf = False

    q = StringField(_l("Vendor"), validators=[Length(max=100)])

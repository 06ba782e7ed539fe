"""Forms of the incident pages: the record, a response step, closing, and the list filter."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from oversight.core.baseform import Form
from oversight.core.forms import MultiCheckboxField, VersionField, choices
from oversight.core.mynumber import MyNumberGuardMixin
from oversight.evidence.validation import ACCEPT_ATTRIBUTE, AllowedUpload
from oversight.incidents import clocks
from oversight.incidents.clocks import CATEGORY_LABELS, Category
from oversight.incidents.models import CAUSE_PARTY_LABELS, KIND_LABELS, STATUS_LABELS
from oversight.incidents.permissions import MOVE_REFUSAL, RECORDERS
from oversight.units.forms import VendorUnitMixin, unit_field, unit_label
from oversight.vendors.forms import VendorFilterMixin

MAX_PEOPLE = 1_000_000_000
PLAIN_FIELDS = (
    "title", "kind", "is_suspected", "occurred_on", "vendor_knew_on", "vendor_notified_on", "department_knew_on",
    "is_highly_encrypted", "is_improper_purpose", "people_min", "people_max", "people_final", "cause_party",
)  # fmt: skip
TEXT = [Optional(), Length(max=8000)]


def _id_or_none(value: Any) -> int | None:
    return int(value) if value and str(value).isdigit() else None


def _count(label):
    return IntegerField(label, validators=[Optional(), NumberRange(min=0, max=MAX_PEOPLE)])


class IncidentForm(VendorUnitMixin, MyNumberGuardMixin, Form):
    """The facts of an incident (new record). When recording one, its business unit: the contract's unit when
    a contract is named (a different unit chosen is refused next to the field), else the one chosen among the
    vendor's units where the user may record incidents (blank: the first of them)."""

    unit_roles = RECORDERS
    unit_blank_label = _l("The contract's unit, else the vendor's first unit where you may act")
    preselect_unit = False
    vendor_id = SelectField(_l("Vendor (direct contractor)"), validators=[DataRequired()])
    contract_id = SelectField(_l("Contract"), validators=[Optional()])
    unit_id = unit_field(_l("An incident under a contract belongs to the contract's unit."))
    chain_level = IntegerField(
        _l("Where in the chain"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=9)],
        description=_l("0 = the vendor itself, 1 = its subcontractor (再委託先), 2 = 再々委託先 …"),
    )
    where_vendor_id = SelectField(_l("Company where it happened (if not the vendor)"), validators=[Optional()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=choices(KIND_LABELS.items()))
    is_suspected = BooleanField(_l("Suspected only (おそれ)"))
    description = TextAreaField(_l("What happened"), validators=TEXT)
    discovered_by = StringField(_l("Discovered by"), validators=[Optional(), Length(max=200)])
    occurred_on = DateField(_l("Occurred on"), validators=[Optional()])
    vendor_knew_on = DateField(_l("Vendor knew on"), validators=[Optional()])
    vendor_notified_on = DateField(_l("Vendor notified us on"), validators=[Optional()])
    department_knew_on = DateField(
        _l("One of our departments knew on"),
        validators=[Optional()],
        description=_l("The earliest day any department learned of it, if before the vendor's notice."),
    )
    categories = MultiCheckboxField(
        _l("Report categories (規則第2条)"), choices=choices((c.value, label) for c, label in CATEGORY_LABELS.items())
    )
    is_highly_encrypted = BooleanField(_l("The data was protected by high-grade encryption (excluded from reporting)"))
    is_improper_purpose = BooleanField(_l("Possibly done for an improper purpose (不正の目的)"))
    finding_override_reason = TextAreaField(
        _l("Reason for setting aside the app's finding"),
        validators=TEXT,
        description=_l(
            "The app finds R4 from the kind of event and the number of people. It applies unless you give the "
            "reason it does not; the reason is kept with the incident and in the activity log."
        ),
    )
    people_min = _count(_l("People affected: at least"))
    people_max = _count(_l("People affected: at most"))
    people_final = _count(_l("People affected: final count"))
    data_items = TextAreaField(_l("Data items"), validators=TEXT)
    media = TextAreaField(_l("Media"), validators=TEXT)
    cause = TextAreaField(_l("Cause"), validators=TEXT)
    cause_party = SelectField(
        _l("Where the cause lies"), choices=choices(CAUSE_PARTY_LABELS.items()), default="unknown"
    )
    secondary_harm = TextAreaField(_l("Secondary harm (or risk of it)"), validators=TEXT)
    containment = TextAreaField(_l("Containment actions"), validators=TEXT)
    other_notes = TextAreaField(_l("Other useful information"), validators=TEXT)
    owner_id = SelectField(_l("Owner (manager)"), validators=[Optional()])

    def __init__(
        self, *args, vendors=(), contracts=(), managers=(), recording: bool = False, current_unit_id: int | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.current_unit_id = current_unit_id  # editing: the incident's unit (the field then moves it)
        if not recording and current_unit_id is None:
            del self.unit_id
        self.contract_unit = {str(c.id): c.unit_id for c in contracts}
        self.vendor_id.choices = choices([("", _l("Choose…"))] + [(str(v.id), v.name) for v in vendors])
        self.where_vendor_id.choices = choices([("", _l("The vendor itself"))] + [(str(v.id), v.name) for v in vendors])
        self.contract_id.choices = choices(
            [("", _l("None"))] + [(str(c.id), f"{c.number} {c.title} ({c.vendor.name})") for c in contracts]
        )
        self.contract_vendor = {str(c.id): c.vendor_id for c in contracts}
        self.owner_id.choices = choices([("", _l("Not assigned"))] + [(str(u.id), u.name) for u in managers])

    def validate(self, extra_validators=None) -> bool:
        is_valid = super().validate(extra_validators=extra_validators)
        facts = self.check_facts()
        return self.check_unit() and facts and is_valid

    def check_unit(self) -> bool:
        """An incident under a contract follows the contract's unit; else as ``VendorUnitMixin.check_unit``
        (editing: blank keeps the unit, another one needs the role in both units)."""
        unit_id = self.contract_unit.get(self.contract_id.data or "")
        if self.current_unit_id is not None:
            return self._check_move(unit_id)
        if "unit_id" not in self._fields or self._unit_user is None or unit_id is None:
            return super().check_unit()
        from oversight.units import services as unit_services

        chosen = _id_or_none(self.unit_id.data)
        if chosen is not None and chosen != unit_id:
            return self._unit_error(
                _l("An incident under a contract belongs to the contract's unit: choose that unit or leave this blank.")
            )
        if not unit_services.has_role_in(self._unit_user, unit_id, *self.unit_roles):
            return self._unit_error(_l("You may not do this in the contract's unit."))
        self.resolved_unit_id = unit_id
        return True

    def _check_move(self, contract_unit_id: int | None) -> bool:
        """Editing: the unit stays (blank, or the current one chosen) or moves to the contract's unit or the unit
        chosen, which must be one of the vendor's and where the user records incidents, as in the current one."""
        if "unit_id" not in self._fields or self._unit_user is None:
            return True
        from oversight.units import services as unit_services

        chosen = _id_or_none(self.unit_id.data)
        target = contract_unit_id
        # Under a contract the unit follows it: blank, the contract's unit or the current one left as it was.
        if contract_unit_id is not None and chosen not in (None, contract_unit_id, self.current_unit_id):
            return self._unit_error(
                _l("An incident under a contract belongs to the contract's unit: choose that unit or leave this blank.")
            )
        if target is None:
            target = chosen if chosen is not None else self.current_unit_id
            vendor_id = self._chosen_vendor_id()
            if target != self.current_unit_id and vendor_id is not None:
                refusal = unit_services.unit_refusal(self._unit_user, vendor_id, target, *self.unit_roles)
                if refusal is not None:
                    return self._unit_error(refusal)
        if target != self.current_unit_id and not (
            unit_services.has_role_in(self._unit_user, self.current_unit_id, *self.unit_roles)
            and unit_services.has_role_in(self._unit_user, target, *self.unit_roles)
        ):
            return self._unit_error(MOVE_REFUSAL)
        self.resolved_unit_id = target
        return True

    def offer_units(self, user) -> None:
        """The units offered; editing: the incident's own unit stays among them, and is chosen unless the unit
        follows a contract (blank)."""
        if self.current_unit_id is None or "unit_id" not in self._fields:
            super().offer_units(user)
            return
        from oversight.units import services as unit_services

        self._unit_user = user
        units = unit_services.units_for_vendor_record(user, self._chosen_vendor_id(), *self.unit_roles)
        if all(unit.id != self.current_unit_id for unit in units):
            units += [unit for unit in unit_services.all_units() if unit.id == self.current_unit_id]
        self.unit_id.choices = choices(
            [("", self.unit_blank_label)] + [(str(unit.id), unit_label(unit)) for unit in units]
        )
        if not self.is_submitted():
            self.unit_id.data = "" if self.contract_id.data else str(self.current_unit_id)

    def _fail(self, field, message) -> bool:
        field.errors = [*field.errors, message]
        return False

    def check_facts(self) -> bool:
        """Rules across fields: dates in order, counts in order, contract of the vendor, R2 ⇔ 不正の目的."""
        ok = True
        occurred = self.occurred_on.data
        for field in (self.vendor_knew_on, self.vendor_notified_on, self.department_knew_on):
            if occurred and field.data and field.data < occurred:
                ok = self._fail(
                    field, _l("Cannot be before the day it occurred (%(date)s).", date=occurred.isoformat())
                )
        if (
            self.vendor_knew_on.data
            and self.vendor_notified_on.data
            and self.vendor_notified_on.data < self.vendor_knew_on.data
        ):
            ok = self._fail(self.vendor_notified_on, _l("The vendor cannot notify us before it knew."))
        low, high, final = self.people_min.data, self.people_max.data, self.people_final.data
        if low is not None and high is not None and low > high:
            ok = self._fail(self.people_max, _l("The maximum cannot be below the minimum."))
        if final is not None and low is not None and final < low:
            ok = self._fail(self.people_final, _l("The final count cannot be below the minimum."))
        if final is not None and high is not None and final > high:
            ok = self._fail(self.people_final, _l("The final count exceeds the maximum; raise the maximum first."))
        contract = self.contract_id.data
        if contract and self.contract_vendor.get(contract) not in (None, _id_or_none(self.vendor_id.data)):
            ok = self._fail(self.contract_id, _l("This contract belongs to another vendor."))
        has_r2 = any(Category(code).group == "R2" for code in self.categories.data or () if code in set(Category))
        if self.is_improper_purpose.data and not has_r2:
            ok = self._fail(self.categories, _l("不正の目的 is ticked: choose the R2 category that applies."))
        if has_r2 and not self.is_improper_purpose.data:
            ok = self._fail(self.is_improper_purpose, _l("An R2 category is chosen: tick 不正の目的 as well."))
        if (self.finding_override_reason.data or "").strip() and not self.finding_to_override():
            message = _l("The app has no finding to set aside for these facts: clear the reason.")
            ok = self._fail(self.finding_override_reason, message)
        if (self.chain_level.data or 0) > 0 and not self.where_vendor_id.data:
            ok = self._fail(self.where_vendor_id, _l("Name the company in the chain where it happened."))
        return ok

    def finding(self) -> tuple[str, ...]:
        """The app's finding (``clocks.derived_categories``) for the facts entered in the form."""
        people = clocks.people_for_threshold(self.people_min.data, self.people_max.data, self.people_final.data)
        return clocks.derived_categories(
            self.kind.data, people=people, is_highly_encrypted=bool(self.is_highly_encrypted.data)
        )

    def finding_to_override(self) -> tuple[str, ...]:
        """The categories of the finding that are not ticked: what a reason would set aside."""
        return tuple(code for code in self.finding() if code not in (self.categories.data or ()))

    def values(self) -> dict[str, Any]:
        """The form's data as model values."""
        data = {name: self[name].data for name in PLAIN_FIELDS}
        for name in (
            "description",
            "discovered_by",
            "data_items",
            "media",
            "cause",
            "secondary_harm",
            "containment",
            "other_notes",
            "finding_override_reason",
        ):
            data[name] = (self[name].data or "").strip()
        for name in ("vendor_id", "contract_id", "where_vendor_id", "owner_id"):
            data[name] = _id_or_none(self[name].data)
        data["chain_level"] = self.chain_level.data or 0
        data["categories"] = [c.value for c in Category if c.value in (self.categories.data or ())]
        if self.resolved_unit_id is not None:
            data["unit_id"] = self.resolved_unit_id
        return data


class IncidentEditForm(IncidentForm):
    """The facts of a recorded incident, and its business unit: it follows the contract when one is named, else
    it may move to another of the vendor's units where the user records incidents, as in the current one."""

    unit_blank_label = _l("The contract's unit, else unchanged")
    version = VersionField()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "unit_id" in self._fields:
            self.unit_id.description = _l(
                "An incident under a contract belongs to the contract's unit (changing the contract moves it). "
                "Moving an incident to another unit needs your role in both units."
            )


class StepForm(MyNumberGuardMixin, Form):
    """Record a step: done (date, reference, note), saved, or waived with a reason."""

    done_on = DateField(_l("Done on"), validators=[Optional()])
    reference = StringField(_l("Reference number (受付番号)"), validators=[Optional(), Length(max=100)])
    due_on = DateField(_l("Due on"), validators=[Optional()])
    note = TextAreaField(_l("Note (who did what)"), validators=TEXT)
    waiver_reason = TextAreaField(_l("Reason for waiving"), validators=TEXT)
    file = FileField(
        _l("Vendor's plan (file)"), validators=[AllowedUpload(required=False)], render_kw={"accept": ACCEPT_ATTRIBUTE}
    )
    version = VersionField()
    my_number_exempt = ("reference",)


class CloseForm(MyNumberGuardMixin, Form):
    note = TextAreaField(_l("Closing note"), validators=[DataRequired(), Length(max=8000)])
    version = VersionField()


class FilterForm(VendorFilterMixin, Form):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    status = SelectField(
        _l("Status"), choices=choices([("", _l("All")), *list(STATUS_LABELS.items())]), validators=[Optional()]
    )

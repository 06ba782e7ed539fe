"""Forms of the unit administration and the unit fields of the vendor and contract forms."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from oversight.auth.roles import ADMIN, ALL_ROLES, ROLE_LABELS
from oversight.core.baseform import Form
from oversight.core.forms import VersionField, choices
from oversight.units.models import KIND_LABELS
from oversight.units.services import UNDER_ITSELF, with_descendants

CODE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def unit_label(unit) -> str:
    return f"{'　' * getattr(unit, 'depth', 0)}{unit.name}"


class UnitForm(Form):
    code = StringField(_l("Code"), filters=[_strip], validators=[DataRequired(), Length(max=30)])
    name = StringField(_l("Unit name"), filters=[_strip], validators=[DataRequired(), Length(max=100)])
    kind = SelectField(_l("Kind"), choices=choices(KIND_LABELS.items()), default="department")
    parent_id = SelectField(_l("Parent unit"), coerce=str, validate_choice=False)  # validate_parent_id

    def __init__(self, units, *args, editing=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # An edited unit cannot go under itself or one of its sub-units (the service refuses it too).
        below = with_descendants([editing.id]) if editing is not None else frozenset()
        self._below = below
        self.parent_id.choices = choices(
            [("", _l("None (top of the group)"))]
            + [(str(unit.id), unit_label(unit)) for unit in units if unit.id not in below]
        )

    def validate_parent_id(self, field) -> None:
        if field.data and field.data.isdigit() and int(field.data) in self._below:
            raise ValidationError(UNDER_ITSELF)
        if not any(choice.selected for choice in field.iter_choices()):
            raise ValidationError(field.gettext("Not a valid choice."))

    def validate_code(self, field) -> None:
        if not CODE.match(field.data or ""):
            raise ValidationError(_l("Use lower-case letters, digits, hyphens and underscores."))

    def values(self) -> dict:
        return {
            "code": self.code.data,
            "name": self.name.data,
            "kind": self.kind.data,
            "parent_id": int(self.parent_id.data) if self.parent_id.data else None,
            "is_archived": bool(getattr(self, "is_archived", None) and self.is_archived.data),
        }


class UnitEditForm(UnitForm):
    is_archived = BooleanField(_l("Archived (no new records, kept for the existing ones)"))
    version = VersionField()

    def __init__(self, units, unit, *args, **kwargs) -> None:
        super().__init__(units, *args, editing=unit, obj=unit, **kwargs)
        if not self.is_submitted():
            self.parent_id.data = str(unit.parent_id or "")


class MemberForm(Form):
    """A role of a user in the unit (and the units below it). Administrators are group-wide."""

    user_id = SelectField(_l("User"), coerce=str, validators=[DataRequired(message=_l("Choose a user."))])
    role = SelectField(
        _l("Role"),
        choices=choices([("", _l("Choose…"))] + [(role, ROLE_LABELS[role]) for role in ALL_ROLES if role != ADMIN]),
        validators=[DataRequired(message=_l("Choose a role."))],
    )

    def __init__(self, users, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user_id.choices = choices([("", _l("Choose…"))] + [(str(user.id), user.name) for user in users])


def _id(value) -> int | None:
    return int(value) if value not in (None, "") and str(value).isdigit() else None


def unit_field(description) -> SelectField:
    """The business-unit select of a new audit or incident (choices set by ``VendorUnitMixin.offer_units``)."""
    return SelectField(_l("Business unit"), validate_choice=False, description=description)


class VendorUnitMixin:
    """The business unit of a new record of a vendor (an audit, an incident; docs/units.md).

    The choices are the vendor's units in which the user may act with ``unit_roles`` (every unit of the
    vendor for a group-wide role; without a chosen vendor, every unit the user may act in); the vendor's
    first such unit is preselected, and a blank choice means that unit. ``check_unit`` validates the choice on
    the server with the message next to the field and sets ``resolved_unit_id``.
    """

    unit_roles: tuple[str, ...] = ()
    unit_blank_label = _l("The vendor's first unit where you may act")
    preselect_unit = True
    resolved_unit_id: int | None = None
    _unit_user = None

    def _chosen_vendor_id(self) -> int | None:
        """The vendor chosen, when it is one of the vendor field's choices (else the vendor field refuses it)."""
        listed = self.vendor_id.choices
        pairs = getattr(listed, "pairs", None) or (listed() if callable(listed) else listed or ())
        offered = {str(getattr(pair, "value", None) if hasattr(pair, "value") else pair[0]) for pair in pairs}
        return _id(self.vendor_id.data) if str(self.vendor_id.data or "") in offered else None

    def offer_units(self, user) -> None:
        if "unit_id" not in self._fields:
            return
        from oversight.units import services as unit_services

        self._unit_user = user
        vendor_id = self._chosen_vendor_id()
        units = unit_services.units_for_vendor_record(user, vendor_id, *self.unit_roles)
        self.unit_id.choices = choices(
            [("", self.unit_blank_label)] + [(str(unit.id), unit_label(unit)) for unit in units]
        )
        if self.preselect_unit and not self.is_submitted() and vendor_id is not None and units:
            self.unit_id.data = self.unit_id.data or str(units[0].id)

    def _unit_error(self, message) -> bool:
        self.unit_id.errors = [*self.unit_id.errors, message]
        return False

    def check_unit(self) -> bool:
        """Whether the chosen unit (or the default one, for a blank choice) may take the record."""
        if "unit_id" not in self._fields or self._unit_user is None:
            return True
        from oversight.units import services as unit_services

        vendor_id = self._chosen_vendor_id()
        if vendor_id is None:
            return True  # the vendor field says what is missing
        chosen = _id(self.unit_id.data)
        if chosen is None:
            units = unit_services.units_for_vendor_record(self._unit_user, vendor_id, *self.unit_roles)
            if not units:
                return self._unit_error(_l("You may not do this in any unit of this vendor."))
            self.resolved_unit_id = units[0].id
            return True
        refusal = unit_services.unit_refusal(self._unit_user, vendor_id, chosen, *self.unit_roles)
        if refusal is not None:
            return self._unit_error(refusal)
        self.resolved_unit_id = chosen
        return True

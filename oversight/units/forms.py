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

CODE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def unit_label(unit) -> str:
    return f"{'　' * getattr(unit, 'depth', 0)}{unit.name}"


class UnitForm(Form):
    code = StringField(_l("Code"), filters=[_strip], validators=[DataRequired(), Length(max=30)])
    name = StringField(_l("Unit name"), filters=[_strip], validators=[DataRequired(), Length(max=100)])
    kind = SelectField(_l("Kind"), choices=choices(KIND_LABELS.items()), default="department")
    parent_id = SelectField(_l("Parent unit"), coerce=str)

    def __init__(self, units, *args, editing=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.parent_id.choices = choices(
            [("", _l("None (top of the group)"))]
            + [(str(unit.id), unit_label(unit)) for unit in units if editing is None or unit.id != editing.id]
        )

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

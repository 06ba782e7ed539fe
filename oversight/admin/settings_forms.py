"""The settings form, built from the registered setting definitions."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Field, HiddenField, IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from oversight.admin.settings import BOOLEAN, INTEGER, TIME, SettingDefinition
from oversight.core.baseform import Form


def field_name(key: str) -> str:
    """A form field name for a setting key (dots are not allowed in field names)."""
    return key.replace(".", "__")


def _field(definition: SettingDefinition) -> Field:
    required = Optional() if definition.optional else InputRequired(message=_l("Enter a value."))
    if definition.kind == BOOLEAN:
        return BooleanField(definition.label)
    if definition.kind == INTEGER:
        return IntegerField(
            definition.label,
            validators=[required, NumberRange(min=definition.min_value, max=definition.max_value)],
        )
    if definition.kind == TIME:
        return StringField(
            definition.label,
            validators=[required, Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", message=_l("Use the 24-hour format HH:MM."))],
        )
    validators = [required, Length(max=500)]
    if definition.check is not None:
        validators.append(_Checked(definition.check))
    return StringField(definition.label, validators=validators)


class _Checked:
    """A text setting's own check (``SettingDefinition.check``) as a field validator."""

    def __init__(self, check) -> None:
        self.check = check

    def __call__(self, form, field) -> None:
        problem = self.check(field.data) if field.data else None
        if problem is not None:
            raise ValidationError(problem)


class SettingsFormBase(Form):
    state = HiddenField()

    definitions: tuple[SettingDefinition, ...] = ()

    def setting_fields(self) -> list[tuple[SettingDefinition, Field]]:
        return [(definition, self[field_name(definition.key)]) for definition in self.definitions]

    def values(self) -> dict[str, Any]:
        """The submitted value of every setting, by key."""
        return {definition.key: field.data or ("" if definition.optional else field.data)
                for definition, field in self.setting_fields()}


def build_settings_form(
    definitions: list[SettingDefinition], current: dict[str, Any], state: str, **kwargs: Any
) -> SettingsFormBase:
    """A form with one field per setting, filled with the current values (or what was submitted)."""
    form_class = type(
        "SettingsForm",
        (SettingsFormBase,),
        {field_name(definition.key): _field(definition) for definition in definitions}
        | {"definitions": tuple(definitions)},
    )
    form = form_class(data={field_name(key): value for key, value in current.items()}, **kwargs)
    if not form.is_submitted():  # a save must carry the state its page was read with
        form.state.data = state
    return form

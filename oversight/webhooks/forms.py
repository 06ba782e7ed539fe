"""The endpoint form (field-level validation, translated) and the small button forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from oversight.core.baseform import Form
from oversight.core.forms import MultiCheckboxField, VersionField, choices
from oversight.events import types as event_types
from oversight.webhooks.services import DUPLICATE_NAME, allow_http, name_taken
from oversight.webhooks.urls import MAX_LENGTH, url_refusal


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class EndpointForm(Form):
    name = StringField(_l("Endpoint name"), filters=[_strip], validators=[
        DataRequired(message=_l("Give the endpoint a name.")), Length(max=100)])
    url = StringField(_l("URL"), filters=[_strip], validators=[
        DataRequired(message=_l("Enter the URL.")), Length(max=MAX_LENGTH)])
    event_types = MultiCheckboxField(
        _l("Event types"), choices=choices(event_types.LABELS.items()),
        validators=[DataRequired(message=_l("Choose at least one event type."))],
    )
    is_enabled = BooleanField(_l("Enabled"), default=True)

    def __init__(self, *args, endpoint=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._endpoint = endpoint  # the edited endpoint: its own name is not a duplicate

    def validate_name(self, field) -> None:
        if field.data and name_taken(field.data, self._endpoint):
            raise ValidationError(str(DUPLICATE_NAME))

    def validate_url(self, field) -> None:
        refusal = url_refusal(field.data or "", allow_http=allow_http())
        if refusal is not None:
            raise ValidationError(str(refusal))

    def values(self) -> dict:
        return {"name": self.name.data, "url": self.url.data, "event_types": self.event_types.data,
                "is_enabled": self.is_enabled.data}


class EndpointEditForm(EndpointForm):
    version = VersionField()


class ButtonForm(Form):
    """A POST button (CSRF only)."""

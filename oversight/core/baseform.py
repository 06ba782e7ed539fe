"""The base of every form: Flask-WTF (CSRF) plus the checks every form needs.

A single-line field that people type into (a name, a title, an address line) never holds a control
character: a line break pasted into a user's name broke every e-mail header built from it, and a
tab or NUL is never meant. Multi-line fields (``TextAreaField``) may hold line breaks and tabs,
but no other control characters. Hidden fields are the views' business (``next`` is checked where it
is used) and passwords are whatever their owner typed.

Several forms on one page never share an id: every field's id starts with the form's own prefix
(``DecisionForm`` → ``decision-note``, ``ReturnForm`` → ``return-note``), so each label names its own
field; a page that shows one form class more than once passes ``id_prefix=`` itself. Hidden inputs
(the CSRF token, the record version) have no label and are rendered without an id. A field that failed
validation is rendered with ``aria-invalid="true"`` and ``aria-describedby`` naming its error text
(``<field id>-error``, written by ``_macros/forms.html`` ``field_errors``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, FieldList, FormField, HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import StopValidation
from wtforms.widgets import HiddenInput, Select

from oversight.core.forms import LongSelect

# C0 controls, DEL, C1 controls and the Unicode line and paragraph separators.
SINGLE_LINE_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
MULTI_LINE_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

CONTROL_CHARACTER_MESSAGE = _l("Remove the line break, tab or other control character from this field.")


def _string_fields(fields) -> Iterator[Field]:
    for field in fields:
        if isinstance(field, FormField):
            yield from _string_fields(field.form)
        elif isinstance(field, FieldList):
            yield from _string_fields(field.entries)
        elif isinstance(field, StringField) and not isinstance(field, (HiddenField, PasswordField)):
            yield field


def has_control_characters(field: Field) -> bool:
    value = field.data
    if not isinstance(value, str):
        return False
    pattern = MULTI_LINE_FORBIDDEN if isinstance(field, TextAreaField) else SINGLE_LINE_FORBIDDEN
    return bool(pattern.search(value))


def _refuse_control_characters(_form) -> None:
    raise StopValidation(CONTROL_CHARACTER_MESSAGE)


def default_id_prefix(form_class: type) -> str:
    """``ReviewReturnForm`` → ``review-return-``: the class name in lower case, words joined by hyphens."""
    name = form_class.__name__.removesuffix("Form") or form_class.__name__
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", name).lower() + "-"


def error_id(field: Field) -> str:
    """The id of the element that holds ``field``'s error messages."""
    return f"{field.id}-error"


def accessible_render_kw(field: Field, render_kw: dict) -> dict:
    """Hidden inputs without an id; an invalid field marked and described by its error text."""
    if isinstance(field.widget, HiddenInput):
        return {**render_kw, "id": False}
    if not field.errors:
        return render_kw
    described = render_kw.pop("aria_describedby", None) or render_kw.pop("aria-describedby", None)
    described_by = " ".join(filter(None, (described, error_id(field))))
    return {**render_kw, "aria-invalid": "true", "aria-describedby": described_by}


_ONE_PASS_SELECT = LongSelect()


class Form(FlaskForm):
    """Every Oversight form: refuses control characters where they don't belong, next to the field;
    ids of its own (``id_prefix``), so that several forms can share a page."""

    class Meta:
        def render_field(self, field, render_kw):
            render_kw = accessible_render_kw(field, dict(render_kw))
            if type(field.widget) is Select and not field.widget.multiple:
                # The same HTML as WTForms' select, without a Choice and an attribute dict per option
                # (this bound field only: the form's own, built for this request).
                field.widget = _ONE_PASS_SELECT
            return super().render_field(field, render_kw)

    def __init__(self, *args, id_prefix: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        prefix = default_id_prefix(type(self)) if id_prefix is None else id_prefix
        for field in self:
            field.id = prefix + field.id
            field.label.field_id = field.id

    def validate(self, extra_validators=None) -> bool:
        # A field holding a control character is refused before its own validators run: they may look the
        # value up in the database, and PostgreSQL refuses a NUL in any text parameter (a 500, not a message).
        for field in _string_fields(self):
            if has_control_characters(field):
                field.pre_validate = _refuse_control_characters  # this bound field only
        return super().validate(extra_validators=extra_validators)

"""The base of every form: Flask-WTF (CSRF) plus the checks every form needs.

A single-line field that people type into (a name, a title, an address line) never holds a control
character: a line break pasted into a user's name broke every e-mail header built from it, and a
tab or NUL is never meant. Multi-line fields (``TextAreaField``) may hold line breaks and tabs,
but no other control characters. Hidden fields are the views' business (``next`` is checked where it
is used) and passwords are whatever their owner typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, FieldList, FormField, HiddenField, PasswordField, StringField, TextAreaField

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


class Form(FlaskForm):
    """Every Oversight form: refuses control characters where they don't belong, next to the field."""

    def validate(self, extra_validators=None) -> bool:
        is_valid = super().validate(extra_validators=extra_validators)
        for field in _string_fields(self):
            if has_control_characters(field):
                field.errors = [*field.errors, CONTROL_CHARACTER_MESSAGE]
                is_valid = False
        return is_valid

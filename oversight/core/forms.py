"""Form pieces shared by features."""

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectMultipleField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired


class MultiCheckboxField(SelectMultipleField):
    """A set of checkboxes for a multiple choice."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class VersionField(HiddenField):
    """The record version the form was loaded with (optimistic locking)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(validators=[InputRequired(message=_l("The form is incomplete; reload the page."))], **kwargs)


def choices(pairs: Iterable[tuple[str, object]]) -> list[SelectChoice]:
    """Select options from ``(value, label)`` pairs (WTForms 3.3 no longer takes tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]

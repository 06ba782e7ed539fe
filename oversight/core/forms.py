"""Form pieces shared by features."""

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
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


class LongSelect(widgets.Select):
    """WTForms' single select, rendered in one pass: the same HTML, for lists of thousands of options.

    A filter listing every vendor has 5,000 options at our largest size; the standard widget builds
    a ``Choice`` and an attribute dictionary per option, which costs more than the rest of the page.
    Grouped or multiple selects, and options with their own attributes, use the standard rendering.
    """

    def __call__(self, field, **kwargs):
        choices = field._choices_from_input(field.choices) or []
        if self.multiple or any(choice.optgroup is not None or choice.render_kw for choice in choices):
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for key in dir(flags):
            if key in self.validation_attrs and key not in kwargs:
                kwargs[key] = getattr(flags, key)
        html = [f"<select {widgets.html_params(name=field.name, **kwargs)}>"]
        coerce, data = field.coerce, field.data
        for choice in choices:
            value = str(choice.value) if isinstance(choice.value, bool) else choice.value
            selected = " selected" if coerce(choice.value) == data else ""
            html.append(f'<option{selected} value="{escape(value)}">{escape(choice.label or choice.value)}</option>')
        html.append("</select>")
        return Markup("".join(html))

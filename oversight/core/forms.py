"""Form pieces shared by features."""

from collections.abc import Callable, Iterable

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape
from wtforms import HiddenField, SelectField, SelectMultipleField, ValidationError, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, StopValidation


class MultiCheckboxField(SelectMultipleField):
    """A set of checkboxes for a multiple choice."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class RequiredWhen:
    """A field required only when ``condition(form)`` holds (an indirect audit names its contractor; a refusal
    gives its reason). Put it before ``Optional()``: ``Optional`` ends the validation of an empty field, so a
    ``validate_<field>`` method never sees the empty value it should refuse. A value that was typed but could
    not be read (a date like 2026-13-01) keeps its own message instead."""

    field_flags = {"optional": True}

    def __init__(self, condition: Callable[[object], bool], message: object) -> None:
        self.condition = condition
        self.message = message

    def __call__(self, form, field) -> None:
        typed = any(str(value).strip() for value in field.raw_data or ())
        empty = field.data is None or (isinstance(field.data, str) and not field.data.strip())
        if typed or not empty or not self.condition(form):
            return
        field.errors[:] = []  # e.g. a select's "Not a valid choice." for a value left out
        raise StopValidation(self.message)


class VersionField(HiddenField):
    """The record version the form was loaded with (optimistic locking)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(validators=[InputRequired(message=_l("The form is incomplete; reload the page."))], **kwargs)


class LocalisedChoices:
    """Select options from ``(value, label)`` pairs, their labels translated once per locale.

    Labels are mostly lazy strings: translating them again for every option of every filter on every
    page cost a list page ~190 catalogue look-ups. WTForms calls this (a ``choices`` callable) when a
    field first reads its choices; the translated list is kept per locale for this object's lifetime
    (a form class's static list for the process, a per-request list such as the users for the request).
    """

    def __init__(self, pairs: Iterable[tuple[str, object]]) -> None:
        self.pairs = tuple(pairs)
        self._by_locale: dict[str, list[SelectChoice]] = {}

    def __call__(self) -> list[SelectChoice]:
        locale = str(get_locale() or "")
        found = self._by_locale.get(locale)
        if found is None:
            found = [SelectChoice(value, _text(label)) for value, label in self.pairs]
            self._by_locale[locale] = found
        return found


def _text(label: object) -> object:
    # Lazy strings become the current locale's text; plain strings and markup stay as they are.
    return str(label) if isinstance(label, LazyString) else label


def choices(pairs: Iterable[tuple[str, object]]) -> LocalisedChoices:
    """Select options from ``(value, label)`` pairs (WTForms 3.3 no longer takes tuples), translated once per locale."""
    return LocalisedChoices(pairs)


class LongSelect(widgets.Select):
    """WTForms' single select, rendered in one pass: the same HTML, for lists of thousands of options.

    A filter listing every vendor has 5,000 options at our largest size; the standard widget builds
    a ``Choice`` and an attribute dictionary per option, which costs more than the rest of the page.
    Grouped or multiple selects, and options with their own attributes, use the standard rendering.
    """

    def __call__(self, field, **kwargs):
        pairs = field.option_pairs() if isinstance(field, LongSelectField) else None
        if pairs is not None:
            return self._render(field, pairs, **kwargs)
        choices = field._choices_from_input(field.choices) or []
        if self.multiple or any(choice.optgroup is not None or choice.render_kw for choice in choices):
            return super().__call__(field, **kwargs)
        return self._render(field, ((choice.value, choice.label) for choice in choices), **kwargs)

    def _render(self, field, pairs, **kwargs):
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for key in dir(flags):
            if key in self.validation_attrs and key not in kwargs:
                kwargs[key] = getattr(flags, key)
        head = f"<select {widgets.html_params(name=field.name, **kwargs)}>"
        pairs = list(pairs)
        options = _plain_options(field, pairs)
        if options is None:
            options = [_option(field, raw, label) for raw, label in pairs]
        return Markup("".join((head, *options, "</select>")))


def _option(field, raw: object, label: object) -> str:
    value = str(raw) if isinstance(raw, bool) else raw
    selected = " selected" if field.coerce(raw) == field.data else ""
    return f'<option{selected} value="{escape(value)}">{escape(_text(label) or value)}</option>'


_PLAIN_VALUES = frozenset((str, int, bool))
_SEP = "\x00"


def _plain_options(field, pairs: list) -> list[str] | None:
    """The options of :func:`_option`, escaped in two calls of the escaper rather than two per option.

    For plain values (str, int, bool) and plain-text labels (str or lazy strings); None otherwise
    (markup, other objects, or a NUL inside a text), and the caller renders option by option.
    """
    if not set(map(type, (raw for raw, _label in pairs))) <= _PLAIN_VALUES:
        return None
    values = [raw if type(raw) is str else str(raw) for raw, _label in pairs]
    labels = [
        (str(label) if isinstance(label, LazyString) else label) or value
        for (_raw, label), value in zip(pairs, values, strict=True)
    ]
    if not set(map(type, labels)) <= {str}:
        return None
    escaped_values, escaped_labels = _escape_all(values), _escape_all(labels)
    if escaped_values is None or escaped_labels is None:
        return None
    data = field.data
    if field.coerce is str:
        chosen = [value == data for value in values]
    else:
        chosen = [field.coerce(raw) == data for raw, _label in pairs]
    return [
        f'<option{" selected" if selected else ""} value="{value}">{label}</option>'
        for selected, value, label in zip(chosen, escaped_values, escaped_labels, strict=True)
    ]


def _escape_all(texts: list[str]) -> list[str] | None:
    """Each text HTML-escaped, by one call of the escaper on the texts joined by NUL; None if a text holds a NUL."""
    joined = _SEP.join(texts)
    if joined.count(_SEP) != max(len(texts) - 1, 0):
        return None
    return str(escape(joined)).split(_SEP) if texts else []


class LongSelectField(SelectField):
    """A single select of thousands of options (every vendor): rendered by :class:`LongSelect`, and the
    submitted value checked against a set of the values rather than by building a ``Choice`` per option."""

    widget = LongSelect()

    def option_pairs(self) -> tuple[tuple[str, object], ...] | None:
        """The ``(value, label)`` pairs given through :func:`choices` (no ``SelectChoice`` built); None otherwise."""
        source = getattr(self, "_choices_callable", None)
        return source.pairs if isinstance(source, LocalisedChoices) else None

    def pre_validate(self, form) -> None:
        if self.process_errors or not self.validate_choice:
            return
        pairs = self.option_pairs()
        if pairs is None:
            pairs = [(choice.value, choice.label) for choice in self._choices_from_input(self.choices) or []]
        values = {self.coerce(value) for value, _label in pairs}
        if self.data not in values:
            raise ValidationError(self.invalid_choice_message or self.gettext("Not a valid choice."))

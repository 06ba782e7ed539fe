"""Shared form pieces."""

import pytest
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import Form, SelectField

from oversight.core.forms import LongSelect, LongSelectField, _escape_all, _plain_options, choices

OPTIONS = [("", "All"), ("1", "A & B <株式会社>"), ("2", 'say "hi"'), ("3", Markup("<b>bold</b>")), ("4", "")]


class _Pair(Form):
    standard = SelectField("Vendor", choices=choices(OPTIONS))
    long = SelectField("Vendor", choices=choices(OPTIONS), widget=LongSelect())


@pytest.mark.parametrize("value", [None, "", "2", "4", "99"])
def test_long_select_renders_the_standard_html(value):
    data = {} if value is None else {"standard": value, "long": value}
    form = _Pair(MultiDict(data))
    standard = str(form.standard(class_="form-select")).replace("standard", "FIELD")
    long = str(form.long(class_="form-select")).replace("long", "FIELD")
    assert long == standard


PLAIN = [("", "All"), ("1", "A & B <株式会社>"), ("2", 'say "hi"'), ("3", "O'Brien"), ("4", "")]


class _PlainPair(Form):
    standard = SelectField("Vendor", choices=choices(PLAIN))
    long = SelectField("Vendor", choices=choices(PLAIN), widget=LongSelect())


@pytest.mark.parametrize("value", [None, "", "1", "4", "99"])
def test_plain_options_are_escaped_in_one_pass_to_the_same_html(value):
    data = {} if value is None else {"standard": value, "long": value}
    form = _PlainPair(MultiDict(data))
    assert _plain_options(form.long, PLAIN) is not None  # the one-pass path, not the per-option one
    standard = str(form.standard()).replace("standard", "FIELD")
    assert str(form.long()).replace("long", "FIELD") == standard
    assert "A &amp; B &lt;株式会社&gt;" in standard and "say &#34;hi&#34;" in standard


def test_markup_or_a_nul_falls_back_to_escaping_option_by_option():
    form = _PlainPair()
    assert _plain_options(form.long, [("1", Markup("<b>x</b>"))]) is None
    assert _plain_options(form.long, [("1", "a\x00b")]) is None
    assert _escape_all(["a\x00b", "c"]) is None
    assert _escape_all(["<a>", "", "&"]) == ["&lt;a&gt;", "", "&amp;"]


class _Rows(Form):
    standard = SelectField("Vendor", choices=choices([("", "All"), ("7", "Acme <K.K.>"), ("12", "Beta")]))
    long = LongSelectField("Vendor", choices=choices([("", "All"), (7, "Acme <K.K.>"), (12, "Beta")]))


@pytest.mark.parametrize("value", [None, "7", "12", "8"])
def test_a_long_select_of_id_rows_renders_and_validates_like_string_ids(value):
    data = {} if value is None else {"standard": value, "long": value}
    form = _Rows(MultiDict(data))
    assert str(form.long()).replace("long", "FIELD") == str(form.standard()).replace("standard", "FIELD")
    form.validate()
    assert form.long.errors == form.standard.errors
    assert bool(form.long.errors) == (value in (None, "8"))


def test_every_form_renders_its_single_selects_in_one_pass(app):
    from oversight.core.baseform import Form as OversightForm

    class Filter(OversightForm):
        class Meta:
            csrf = False

        status = SelectField("Status", choices=choices(PLAIN), render_kw={"data-x": "1"})

    with app.test_request_context("/?status=1"):
        form = Filter(MultiDict({"status": "1"}))
        html = str(form.status(class_="form-select"))
    assert isinstance(form.status.widget, LongSelect)
    reference = _PlainPair(MultiDict({"standard": "1"})).standard
    expected = str(reference(class_="form-select", **{"data-x": "1"})).replace('"standard"', '"status"')
    assert html == expected.replace('id="status"', f'id="{form.status.id}"')

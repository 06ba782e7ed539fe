"""Shared form pieces."""

import pytest
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import Form, SelectField

from oversight.core.forms import LongSelect, choices

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

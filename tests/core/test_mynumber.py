import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import FieldList, FormField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired

from oversight.core.mynumber import MY_NUMBER_MESSAGE, MyNumberGuardMixin, check_digit, find_my_numbers


@pytest.mark.parametrize("number", ["123456789018", "000000000019", "987654321093"])
def test_reference_vectors_are_found(number):
    assert find_my_numbers(number) == [number]


@pytest.mark.parametrize(
    "text",
    [
        "担当者の番号は 1234-5678-9018 です",
        "1234 5678 9018",
        "１２３４５６７８９０１８",
        "１２３４－５６７８－９０１８",
        "1234　5678　9018",
        "番号123456789018を記入",
    ],
)
def test_grouped_full_width_and_embedded_numbers_are_found(text):
    assert find_my_numbers(text) == ["123456789018"]


# How people actually paste a 個人番号 (issue #17 item 6: 13 of these 20 got through before).
PASTED = [
    "1234\t5678\t9018",  # three cells copied from Excel
    "1234\n5678\n9018",
    "1234\r\n5678\r\n9018",
    "1234.5678.9018",
    "1234  5678  9018",  # double spaces
    "１２３４-5678-９０１８",  # full-width mixed with half-width
    "1234‐5678‐9018",  # U+2010 hyphen
    "1234−5678−9018",  # U+2212 minus sign
    "1234―5678―9018",  # U+2015 horizontal bar
    "1234ー5678ー9018",  # katakana prolonged sound mark typed for a dash
    "(1234)5678-9018",
    "（１２３４）５６７８－９０１８",  # full-width brackets
    "1234 - 5678 - 9018",
    "1234/5678/9018",
    "1234・5678・9018",
    "1234-5678 9018",  # mixed separators
    "番号：1234 5678 9018（本人）",
    "1234-5678-9018",
    "１２３４５６７８９０１８",
    "個人番号123456789018を記入",
]


@pytest.mark.parametrize("text", PASTED)
def test_what_people_paste_is_found(text):
    assert find_my_numbers(text) == ["123456789018"]


@pytest.mark.parametrize(
    "text",
    [
        "12345678901",  # 11 digits
        "1234567890180",  # 13 digits
        "123456789017",  # wrong check digit
        "7123456789012",  # a valid 法人番号 (13 digits)
        "4011001098993",  # another 法人番号
        "03-1234-5678",  # phone number
        "090-1234-5678",  # mobile phone number
        "+81 90 1234 5678",
        "1234-5678-9018-1234",  # part of a longer grouped run (card-like)
        "1234 5678 9018 1234",
        "0120-1234-5678-9",
        "7123-4567-89012",  # a 法人番号 written in groups
        "2026.12.06 1234",
        "TEL 03 1234 5678 / FAX 03 1234 5679",
        "契約番号 2026-0001",
        "",
        None,
    ],
)
def test_other_numbers_are_not_flagged(text):
    assert find_my_numbers(text) == []


def test_check_digit_matches_the_vectors():
    assert check_digit("12345678901") == 8
    assert check_digit("00000000001") == 9
    assert check_digit("98765432109") == 3


def test_several_numbers_are_returned_in_order():
    assert find_my_numbers("987654321093 と 000000000019") == ["987654321093", "000000000019"]


class NoteForm(MyNumberGuardMixin, FlaskForm):
    title = StringField("Title", validators=[DataRequired()])
    note = TextAreaField("Note")
    password = PasswordField("Password")


class LineForm(FlaskForm):
    class Meta:
        csrf = False

    comment = StringField("Comment")


class NestedForm(MyNumberGuardMixin, FlaskForm):
    lines = FieldList(FormField(LineForm), min_entries=1)


def make_form(app, form_class, **data):
    with app.test_request_context(method="POST", data=data):
        form = form_class(formdata=MultiDict(data))
        valid = form.validate()
        return form, valid


def test_form_without_numbers_passes(app):
    form, valid = make_form(app, NoteForm, title="委託先A", note="契約番号 2026-0001")
    assert valid
    assert not form.my_number_suspected


def test_form_with_a_my_number_is_refused_with_a_field_error(app):
    form, valid = make_form(app, NoteForm, title="委託先A", note="個人番号 1234 5678 9018 を受領")
    assert not valid
    assert form.my_number_suspected
    assert MY_NUMBER_MESSAGE in form.note.errors
    assert form.title.errors == []


def test_confirmation_lets_the_form_pass(app):
    form, valid = make_form(app, NoteForm, title="委託先A", note="注文番号 123456789018", confirm_not_my_number="y")
    assert valid
    assert form.my_number_confirmed


def test_confirmation_does_not_hide_other_errors(app):
    _form, valid = make_form(app, NoteForm, title="", note="123456789018", confirm_not_my_number="y")
    assert not valid


def test_password_fields_are_not_checked(app):
    _form, valid = make_form(app, NoteForm, title="x", password="123456789018")
    assert valid


def test_nested_fields_are_checked(app):
    form, valid = make_form(app, NestedForm, **{"lines-0-comment": "000000000019"})
    assert not valid
    assert MY_NUMBER_MESSAGE in form.lines.entries[0].form.comment.errors


def test_warning_checkbox_is_rendered_only_after_a_match(app):
    from flask import render_template_string

    template = '{% from "_macros/forms.html" import render_fields %}{{ render_fields(form) }}'
    with app.test_request_context():
        clean, _ = make_form(app, NoteForm, title="x", note="nothing")
        flagged, _ = make_form(app, NoteForm, title="x", note="123456789018")
        assert "confirm_not_my_number" not in render_template_string(template, form=clean)
        html = render_template_string(template, form=flagged)
        assert 'name="confirm_not_my_number"' in html
        assert "これは個人番号ではありません" in html or "This is not a My Number" in html

"""The My Number guard: Oversight never stores a 個人番号, so free text that looks like one is flagged.

A match is 12 digits whose last digit is the valid check digit (総務省令第85号 第5条, see
``shared/domain/identifiers.md``), written either as 12 contiguous digits or as three groups of
four with separators between them — the way people paste them: hyphens of every kind (‐ − ― ー),
spaces (also doubled), tabs and line breaks (cells copied from Excel), dots, slashes, middle dots
and parentheses. The text is NFKC-normalised first, so full-width digits, brackets and spaces
count as their ASCII forms. Digits that are part of a longer run do not match: a 13-digit 法人番号,
a 16-digit card number written 4-4-4-4, or phone numbers (2-4-4, 3-4-4).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Field, FieldList, FormField, HiddenField, PasswordField, StringField

# What may stand between two groups of four digits (after NFKC): dashes of every kind, the
# katakana prolonged sound mark IMEs put for a dash, white space, dots, slashes, middle dots and
# brackets — at most three such characters ("1234 - 5678", "(1234) 5678").
_SEPARATORS = "\\s.\\-/()\\[\\]・･\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff70"
_SEPARATOR = f"[{_SEPARATORS}]{{1,3}}"
_CANDIDATE = re.compile(rf"(?<!\d)(\d{{4}})({_SEPARATOR})?(\d{{4}})({_SEPARATOR})?(\d{{4}})(?!\d)")
_SEPARATOR_CHARS = re.compile(f"[{_SEPARATORS}]")


def normalise(text: str) -> str:
    """NFKC: full-width digits, brackets, hyphen-minus and spaces become ASCII."""
    return unicodedata.normalize("NFKC", text)


def check_digit(first_eleven: str) -> int:
    """The check digit of a 個人番号 whose first 11 digits are given."""
    total = 0
    for n, digit in enumerate(reversed(first_eleven), start=1):
        weight = n + 1 if n <= 6 else n - 5
        total += int(digit) * weight
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


def is_valid_my_number(digits: str) -> bool:
    """True for 12 ASCII digits whose last digit is the correct check digit."""
    return len(digits) == 12 and digits.isascii() and digits.isdigit() and check_digit(digits[:11]) == int(digits[11])


def find_my_numbers(text: str | None) -> list[str]:
    """The 12-digit strings in ``text`` that could be a 個人番号 (separators removed), in order."""
    if not text:
        return []
    normalised = normalise(text)
    found = []
    for match in _CANDIDATE.finditer(normalised):
        if bool(match.group(2)) != bool(match.group(4)):
            continue  # 8 contiguous digits and a group of 4 (e.g. a date and a number): not a grouping people use
        digits = match.group(1) + match.group(3) + match.group(5)
        if is_valid_my_number(digits) and not _continues_group(normalised, match):
            found.append(digits)
    return found


def _continues_group(text: str, match: re.Match) -> bool:
    """True when the match is one part of a longer run of digit groups (``1234-5678-9012-3456``)."""
    before = text[max(match.start() - 3, 0) : match.start()]
    after = text[match.end() : match.end() + 3]
    stripped_before = before.rstrip("".join(_SEPARATOR_CHARS.findall(before)))
    stripped_after = after.lstrip("".join(_SEPARATOR_CHARS.findall(after)))
    grouped = bool(match.group(2))
    return grouped and (
        (stripped_before != before and stripped_before[-1:].isdigit())
        or (stripped_after != after and stripped_after[:1].isdigit())
    )


def mask(digits: str) -> str:
    """A 12-digit number shown without revealing it (``********9018``)."""
    return "*" * (len(digits) - 4) + digits[-4:]


MY_NUMBER_MESSAGE = _l(
    "This entry contains a 12-digit number that looks like a My Number (個人番号). "
    "Oversight must not hold My Numbers: remove it, or tick “This is not a My Number” below if it is something else."
)

FILE_MY_NUMBER_MESSAGE = _l(
    "The file or its name contains a 12-digit number that looks like a My Number (個人番号). Remove it from "
    "the file, or tick “This is not a My Number” below if it is something else."
)


class MyNumberGuardMixin:
    """Refuse free text that looks like a 個人番号 until the user removes it or confirms it is not one.

    Put it before ``Form``: ``class VendorForm(MyNumberGuardMixin, Form)``. Every StringField
    and TextAreaField is checked, also inside FormField and FieldList; password and hidden fields and the
    field names listed in ``my_number_exempt`` are not. Templates show the confirmation checkbox with
    ``my_number_confirmation(form)`` from ``_macros/mynumber.html`` (``render_fields`` does it already).

    Uploads are checked too: a file field whose validator (``evidence.validation.AllowedUpload``) kept
    the accepted file on ``field.inspected`` is flagged when that inspection found ``my_numbers`` in
    the file's name or text.
    """

    confirm_not_my_number = BooleanField(_l("This is not a My Number"))
    my_number_exempt: tuple[str, ...] = ()

    def validate(self, extra_validators=None) -> bool:
        is_valid = super().validate(extra_validators=extra_validators)  # type: ignore[misc]
        return self.check_my_numbers() and is_valid

    def check_my_numbers(self) -> bool:
        """Flag each text field holding a likely 個人番号; True when none does or the user confirmed."""
        text_fields = [
            field
            for field in _text_fields(self)  # type: ignore[arg-type]
            if field.short_name not in self.my_number_exempt and find_my_numbers(field.data)
        ]
        file_fields = [field for field in self if _file_has_my_number(field)]  # type: ignore[attr-defined]
        self.my_number_fields = text_fields + file_fields
        if not self.my_number_fields or self.confirm_not_my_number.data:
            return True
        for field in self.my_number_fields:
            if not isinstance(field.errors, list):
                field.errors = list(field.errors)
            field.errors.append(FILE_MY_NUMBER_MESSAGE if field in file_fields else MY_NUMBER_MESSAGE)
        return False

    @property
    def my_number_suspected(self) -> bool:
        """True after validation found a likely 個人番号 (the template then shows the checkbox)."""
        return bool(getattr(self, "my_number_fields", None))

    @property
    def my_number_confirmed(self) -> bool:
        """True when a likely 個人番号 was found and the user confirmed it is something else."""
        return self.my_number_suspected and bool(self.confirm_not_my_number.data)


def _file_has_my_number(field: Field) -> bool:
    """True for an upload field whose accepted file was found to hold a likely 個人番号."""
    return bool(getattr(getattr(field, "inspected", None), "my_numbers", ()))


def _text_fields(fields: Iterable[Field]) -> Iterator[Field]:
    """The free-text fields among ``fields``, descending into FormField and FieldList."""
    for field in fields:
        if isinstance(field, FormField):
            yield from _text_fields(field.form)
        elif isinstance(field, FieldList):
            yield from _text_fields(field.entries)
        elif _is_free_text(field):
            yield field


def _is_free_text(field: Field) -> bool:
    return (
        isinstance(field, StringField)
        and not isinstance(field, (PasswordField, HiddenField))
        and isinstance(field.data, str)
    )

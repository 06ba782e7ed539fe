"""What every kind of import (vendors, contracts, subcontracts) shares: a row's plan and outcome, reading its
cells, the context loaded once per file (choice lookups, users, one form of each class), the register's
vendors and contracts by number and name, and how a value is shown in the preview.

Each kind's module (``vendors``, ``contracts``, ``subcontracts``) has its ``COLUMNS``, a ``Context`` built on
:class:`Context` or :class:`RegisterContext`, ``plan_row()`` and ``apply_rows()`` (``services.KIND_MODULES``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import SelectField

from oversight.auth import services as auth_services
from oversight.auth.models import User
from oversight.contracts.models import Contract
from oversight.core.mynumber import MY_NUMBER_MESSAGE, find_my_numbers
from oversight.core.values import comparable, nfkc, parse_date, parse_integer, text_of
from oversight.extensions import db
from oversight.imports.columns import CHOICE, CORPORATE_NUMBER, DATE, EMAIL, INTEGER, KANA, NUMBER, USER, Column
from oversight.vendors import corporate_number
from oversight.vendors.models import Vendor

CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"

CELL_MY_NUMBER_MESSAGE = _l(
    "This cell contains a 12-digit number that looks like a My Number (個人番号). Oversight must not hold "
    "My Numbers: remove it from the file."
)
DATE_MESSAGE = _l("Not a date. Write it as 2025-04-01, 2025/4/1, 2025年4月1日, 令和7年4月1日 or R7.4.1.")
INTEGER_MESSAGE = _l("Enter a whole number, e.g. 1200.")
REQUIRED_MESSAGE = _l("Required.")
TOO_LONG_MESSAGE = _l("At most %(max)d characters.")
CHOICE_MESSAGE = _l("“%(value)s” is not one of the values of this column: %(allowed)s.")
NO_USER_MESSAGE = _l("No user has this e-mail address or name: %(value)s.")
AMBIGUOUS_USER_MESSAGE = _l("Several users have this name: %(value)s. Use the e-mail address.")
EXAMPLE_ROW_MESSAGE = _l("This is the template's example row: delete it from the file.")
UNKNOWN_VENDOR_NUMBER = _l("No registered vendor has this corporate number: %(value)s. Import the vendor first.")
UNKNOWN_VENDOR_NAME = _l("No registered vendor has this name: %(value)s. Import the vendor first.")
AMBIGUOUS_VENDOR_NAME = _l("Several registered vendors have this name: %(value)s. Give the corporate number.")
BAD_NUMBER_MESSAGE = _l("Not a valid corporate number (13 digits with a correct check digit): %(value)s.")
UNKNOWN_CONTRACT_NUMBER = _l("No registered contract has this number: %(value)s. Import the contract first.")


@dataclass(slots=True)
class Change:
    column: str
    old: str
    new: str


@dataclass(slots=True)
class RowPlan:
    """What importing one row would do, and why.

    A preview keeps one per row (10,000 at most): slotted, and the vendor import's plans hold no ORM object
    (the matched vendor, contact and certifications by id; the contract and subcontract imports keep theirs)."""

    line: int
    name: str = ""
    outcome: str = CREATE
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column header, message)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # shown, never blocking (the NTA data's findings)
    changes: list[Change] = field(default_factory=list)
    vendor: Vendor | None = None  # the registered vendor a row names (the contract and subcontract imports)
    vendor_id: int | None = None  # the registered vendor a vendor row updates
    values: dict[str, Any] = field(default_factory=dict)
    contact: tuple[int | None, dict[str, Any]] | None = None  # (registered contact's id or None, values)
    certifications: list[tuple[int | None, dict[str, Any]]] = field(default_factory=list)  # the vendor import
    contract: Any = None  # the registered contract a row matches or names (the contract and subcontract imports)

    def error(self, column: str, message: object) -> None:
        entry = (column, str(message))
        if entry not in self.errors:
            self.errors.append(entry)

    def check_example(self, column: Column, value: object) -> None:
        """The template's example row left in the file is an error."""
        if value and value == column.example:
            self.error(column.header, EXAMPLE_ROW_MESSAGE)

    def conclude(self, existing: object | None) -> RowPlan:
        """The outcome: an error, a new record (``existing`` None), an update (changes) or unchanged."""
        if self.errors:
            self.outcome = ERROR
        elif existing is None:
            self.outcome = CREATE
        else:
            self.outcome = UPDATE if self.changes else UNCHANGED
        return self


class Context:
    """What every row of a file is compared with, loaded once: the columns' choice lookups, the users (where
    the columns name users), and one form of each class for every row."""

    def __init__(self, columns: Iterable[Column], *, users: bool = False) -> None:
        self.users = auth_services.selectable_users() if users else []
        self.user_by_email = {user.email.casefold(): user for user in self.users}
        self.users_by_name: dict[str, list[User]] = {}
        for user in self.users:
            self.users_by_name.setdefault(comparable(user.name), []).append(user)
        self.user_names = {user.id: user.name for user in self.users}
        self.choice_lookups = {column.key: column.choice_lookup() for column in columns if column.kind == CHOICE}
        self.forms: dict[type, Any] = {}

    def validated(self, form_class, data: dict[str, str], **kwargs):
        """``form_class`` filled with ``data`` and validated: (form, valid).

        One form of each class serves every row (re-processed with the row's data): building a form binds
        every field and translates its choices, which cost more than the validation itself at 10,000 rows.
        The form's data and errors are read before the next row is validated.
        """
        form = self.forms.get(form_class)
        if form is None:
            form = form_class(formdata=MultiDict(data), meta={"csrf": False}, **kwargs)
            for form_field in form:
                if isinstance(form_field, SelectField):
                    # Read once and kept as a list: a choices callable is called again after every process.
                    form_field.choices = list(form_field.choices or [])
                    # The row's choice and user cells were read through the column's own lookups, so the
                    # value is always one of the choices: not walked again for every row.
                    form_field.validate_choice = False
            self.forms[form_class] = form
        else:
            form.process(formdata=MultiDict(data))
            form.form_errors = []
        return form, form.validate()


class RegisterContext(Context):
    """A context that also holds the registered vendors (by id, 法人番号 and name) and contracts (by number):
    the rows of the contract and subcontract imports name them."""

    def __init__(self, columns: Iterable[Column]) -> None:
        super().__init__(columns)
        registered = db.session.scalars(db.select(Vendor)).all()
        self.vendor_by_id = {vendor.id: vendor for vendor in registered}
        self.vendor_by_number = {vendor.corporate_number: vendor for vendor in registered if vendor.corporate_number}
        self.vendors_by_name: dict[str, list[Vendor]] = {}
        for vendor in registered:
            self.vendors_by_name.setdefault(comparable(vendor.name), []).append(vendor)
        self.contract_by_number = {contract.number: contract for contract in db.session.scalars(db.select(Contract))}

    def registered_vendor(
        self,
        plan: RowPlan,
        read: Mapping[str, str],
        number_column: Column,
        name_column: Column,
        *,
        ambiguous: object,
        bad_number: object | None = None,
    ) -> Vendor | None:
        """The registered vendor a pair of cells names, by 法人番号, else by name (None: both blank, or an
        error recorded under the column that named it: ``bad_number`` for a number that cannot be one, when
        given; ``ambiguous`` for a name several vendors have)."""
        number = read.get(number_column.key, "")
        if number:
            if bad_number is not None and not corporate_number.is_valid(number):
                plan.error(number_column.header, bad_number % {"value": number})
                return None
            vendor = self.vendor_by_number.get(number)
            if vendor is None:
                plan.error(number_column.header, UNKNOWN_VENDOR_NUMBER % {"value": number})
            return vendor
        name = read.get(name_column.key, "")
        if not name:
            return None
        matches = self.vendors_by_name.get(comparable(name), [])
        if len(matches) == 1:
            return matches[0]
        plan.error(name_column.header, (ambiguous if matches else UNKNOWN_VENDOR_NAME) % {"value": name})
        return None


def _user(value: str, context: Context) -> User | str:
    """The user named by ``value`` (e-mail or name), or the error message."""
    text = nfkc(value)
    user = context.user_by_email.get(text.casefold())
    if user is not None:
        return user
    matches = context.users_by_name.get(comparable(text), [])
    if len(matches) == 1:
        return matches[0]
    return str((AMBIGUOUS_USER_MESSAGE if matches else NO_USER_MESSAGE) % {"value": value})


def read_cells(
    plan: RowPlan, cells: dict[str, object], context: Context, columns: Mapping[str, Column]
) -> dict[str, str]:
    """The row's non-blank cells as form strings; cells that cannot be read become errors.

    ``columns``: the kind's columns by key; ``context`` has ``choice_lookups`` for its choice columns and the
    users."""
    read: dict[str, str] = {}
    for key, raw in cells.items():
        column = columns[key]
        text = text_of(raw)
        if not text:
            continue
        if column.kind != CORPORATE_NUMBER and find_my_numbers(text):
            plan.error(column.header, CELL_MY_NUMBER_MESSAGE)
            continue
        if column.kind == DATE:
            try:
                parsed = parse_date(raw)
            except ValueError:
                plan.error(column.header, DATE_MESSAGE)
                continue
            read[key] = parsed.isoformat() if parsed else ""
        elif column.kind == INTEGER:
            try:
                read[key] = str(parse_integer(raw))
            except ValueError:
                plan.error(column.header, INTEGER_MESSAGE)
        elif column.kind == CHOICE:
            code = context.choice_lookups[key].get(comparable(text))
            if code is None:
                allowed = "、".join(column.template_choices())
                plan.error(column.header, CHOICE_MESSAGE % {"value": text, "allowed": allowed})
            else:
                read[key] = code
        elif column.kind == USER:
            user = _user(text, context)
            if isinstance(user, str):
                plan.error(column.header, user)
            else:
                read[key] = str(user.id)
        elif column.kind == CORPORATE_NUMBER:
            read[key] = corporate_number.normalise(text)
        elif column.kind in (KANA, NUMBER, EMAIL):
            read[key] = nfkc(text)
        else:
            read[key] = text
    return read


def form_errors(
    plan: RowPlan, form, column_by_key: Mapping[str, Column], columns: dict[str, str] | None = None
) -> None:
    """The form's messages under the column each belongs to (the My Number guard is the cell check's);
    ``columns`` maps a form field to its column's key where the names differ."""
    for name, messages in form.errors.items():
        key = (columns or {}).get(name, name)
        column = column_by_key.get(key)
        header = column.header if column else str(getattr(getattr(form, name, None), "label", None) or name)
        for message in messages:
            if str(message) != str(MY_NUMBER_MESSAGE):
                plan.error(header, message)


def display(column: Column | None, value: Any, user_names: Mapping[int, str] | None = None) -> str:
    """A value as the preview shows it: a user's name, a choice's label (a yes/no choice from its boolean), a
    date in ISO form; blank for nothing."""
    if value is None or value == "":
        return ""
    if column is not None and column.kind == USER:
        return (user_names or {}).get(value, str(value))
    if column is not None and column.kind == CHOICE:
        code = ("yes" if value else "no") if isinstance(value, bool) else value
        return str(column.choices.get(code, value))
    if isinstance(value, date):
        return value.isoformat()
    return str(value)

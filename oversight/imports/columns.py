"""The columns of an import file: their headers (Japanese, as in the template, or English), how a cell
is read, and the choice values people write (高/中/低, 国内/国外 …)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from oversight.core.values import comparable

TEXT, KANA, NUMBER, INTEGER, CHOICE, DATE, USER, EMAIL, CORPORATE_NUMBER = (
    "text",
    "kana",
    "number",
    "integer",
    "choice",
    "date",
    "user",
    "email",
    "corporate_number",
)


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Japanese header of the template, fixed whatever the user's language
    english: str
    kind: str = TEXT
    note: object = ""
    example: object = ""
    required: bool = False
    choices: Mapping[str, object] = field(default_factory=dict)  # code → label
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # code → other ways to write it

    def names(self) -> set[str]:
        return {comparable(self.header), comparable(self.english), comparable(self.key)}

    def choice_lookup(self) -> dict[str, str]:
        """Every accepted way of writing a choice (code, Japanese and English label, aliases) → code."""
        lookup: dict[str, str] = {}
        for code, label in self.choices.items():
            lookup[comparable(code)] = code
            for locale in ("ja", "en"):
                with force_locale(locale):
                    lookup[comparable(str(label))] = code
            for alias in self.aliases.get(code, ()):
                lookup[comparable(alias)] = code
        return lookup

    def template_choices(self) -> list[str]:
        """The values offered in the template's drop-down list (the first alias of each code)."""
        return [self.aliases[code][0] for code in self.choices if self.aliases.get(code)]


def match_header(header: list[str], columns: tuple[Column, ...]) -> tuple[dict[int, Column], list[str]]:
    """Which column each header cell is (by position) and the header cells that name no column."""
    by_name = {name: column for column in columns for name in column.names()}
    found: dict[int, Column] = {}
    unknown: list[str] = []
    seen: set[str] = set()
    for position, cell in enumerate(header):
        column = by_name.get(comparable(cell))
        if column is None or column.key in seen:
            if cell.strip():
                unknown.append(cell)
            continue
        seen.add(column.key)
        found[position] = column
    return found, unknown


REQUIRED_NOTE = _l("Required.")

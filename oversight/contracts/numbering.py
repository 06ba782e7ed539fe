"""Contract numbers from the admin's pattern (default ``K-{YYYY}-{SEQ:03}`` → K-2026-001).

Tokens: ``{YYYY}`` the year, ``{YY}`` its last two digits, ``{MM}`` the month, ``{SEQ}`` the sequence
number, ``{SEQ:03}`` padded to three digits (1–9). The sequence counts per year: the next number is one
more than the highest sequence among this year's contract numbers that match the pattern (whatever
their month), so it starts again at 1 in January. Numbers typed by hand that do not match the pattern
do not count. The form prefills the next number and leaves it editable; the number stays unique
(``services.DuplicateNumberError``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from oversight.admin.settings import TEXT, get_setting, register_setting
from oversight.contracts.models import Contract
from oversight.extensions import db
from oversight.units import scope as unit_scope

SETTING = "contracts.number_pattern"
DEFAULT_PATTERN = "K-{YYYY}-{SEQ:03}"
_TOKEN = re.compile(r"\{(YYYY|YY|MM|SEQ(?::0([1-9]))?)\}")


@dataclass(frozen=True)
class Pattern:
    """A parsed pattern: literal text and tokens in order."""

    parts: tuple[tuple[str, str], ...]  # ("text", "K-") or ("token", "YYYY") / ("token", "SEQ:3")

    def number(self, today: date, sequence: int) -> str:
        return "".join(self._value(kind, value, today, sequence) for kind, value in self.parts)

    @staticmethod
    def _value(kind: str, value: str, today: date, sequence: int) -> str:
        if kind == "text":
            return value
        if value == "YYYY":
            return f"{today.year:04d}"
        if value == "YY":
            return f"{today.year % 100:02d}"
        if value == "MM":
            return f"{today.month:02d}"
        width = int(value.partition(":")[2] or 1)
        return f"{sequence:0{width}d}"

    def this_years(self, today: date) -> tuple[re.Pattern, str]:
        """A regex matching this year's numbers (the sequence as group 1) and a LIKE prefix to find them."""
        regex, prefix, fixed = [], [], True
        for kind, value in self.parts:
            if kind == "text" or value in ("YYYY", "YY"):
                text = self._value(kind, value, today, 0)
                regex.append(re.escape(text))
                if fixed:
                    prefix.append(text)
            else:
                fixed = False
                regex.append(r"[0-9]{2}" if value == "MM" else r"([0-9]+)")
        like = "".join(prefix).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return re.compile("".join(regex)), like


def parse(pattern: str) -> Pattern | None:
    """``pattern`` parsed, or None when it has no ``{SEQ}``, several, or a brace that is not a token."""
    parts: list[tuple[str, str]] = []
    position = 0
    for match in _TOKEN.finditer(pattern):
        parts.append(("text", pattern[position : match.start()]))
        token = match.group(1)
        parts.append(("token", f"SEQ:{match.group(2)}" if match.group(2) else token))
        position = match.end()
    parts.append(("text", pattern[position:]))
    parts = [part for part in parts if part != ("text", "")]
    literal = "".join(value for kind, value in parts if kind == "text")
    sequences = sum(1 for kind, value in parts if kind == "token" and value.startswith("SEQ"))
    if sequences != 1 or "{" in literal or "}" in literal or len(pattern) > 40:
        return None
    return Pattern(tuple(parts))


def pattern_problem(value: object) -> object | None:
    """Why ``value`` is not a usable number pattern (shown next to the setting), or None."""
    if not isinstance(value, str) or parse(value) is None:
        return _l("Use exactly one {SEQ} (or {SEQ:03}) and only the tokens {YYYY}, {YY}, {MM}; at most 40 characters.")
    return None


register_setting(
    SETTING,
    label=_l("Contract number pattern"),
    help=_l(
        "The number a new contract is given (it stays editable). Tokens: {YYYY} year, {YY} last two digits "
        "of the year, {MM} month, {SEQ} sequence number, {SEQ:03} padded to 3 digits. The sequence starts "
        "again at 1 each year. Example: K-{YYYY}-{SEQ:03} gives K-2026-001."
    ),
    kind=TEXT,
    default=DEFAULT_PATTERN,
    check=pattern_problem,
)


def current_pattern() -> Pattern:
    return parse(get_setting(SETTING)) or parse(DEFAULT_PATTERN)


@unit_scope.reads_whole_group  # numbers run through the whole group
def next_number(today: date) -> str:
    """The next free number of ``today``'s year by the current pattern (one query)."""
    pattern = current_pattern()
    regex, like = pattern.this_years(today)
    numbers = db.session.scalars(db.select(Contract.number).where(Contract.number.like(like, escape="\\")))
    highest = max((int(found.group(1)) for number in numbers if (found := regex.fullmatch(number))), default=0)
    return pattern.number(today, highest + 1)

"""法人番号 (corporate number): normalising what people type and checking the check digit.

The rule is in ``domain/identifiers.md`` (法人番号の指定等に関する省令 第2条): the first of
the 13 digits is ``9 - (Σ P_n × Q_n mod 9)`` over the other twelve, counted from the right,
with weights 1 (odd n) and 2 (even n).
"""

from __future__ import annotations

import unicodedata

LENGTH = 13
_SEPARATORS = str.maketrans("", "", " -‐‑‒–—―−ー－\u3000")


def normalise(raw: str | None) -> str:
    """Half-width digits without hyphens or spaces (full-width ０-９ from IMEs become 0-9)."""
    if not raw:
        return ""
    return unicodedata.normalize("NFKC", raw).translate(_SEPARATORS).strip()


def check_digit(base: str) -> int:
    """The check digit for the 12-digit 基礎番号 ``base``."""
    total = sum(int(digit) * (1 if position % 2 else 2) for position, digit in enumerate(reversed(base), start=1))
    return 9 - total % 9


def is_valid(number: str) -> bool:
    """True when ``number`` (already normalised) is 13 digits with a correct check digit."""
    if len(number) != LENGTH or not number.isascii() or not number.isdigit():
        return False
    return int(number[0]) == check_digit(number[1:])


def with_check_digit(base: str) -> str:
    """The full 13-digit number for a 12-digit 基礎番号 (used for demo data and tests)."""
    return f"{check_digit(base)}{base}"

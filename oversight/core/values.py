"""Reading values the way people write them in spreadsheets: full-width characters, dates in every
common notation (西暦 and 和暦) and Excel serial dates.

Used by the bulk import; generic, so it lives in core. Every parser raises :class:`ValueError` for
text it cannot read, never guesses.

和暦: 令和 (R, from 2019-05-01), 平成 (H, 1989-01-08 – 2019-04-30) and 昭和 (S, 1926-12-25 –
1989-01-07), with 元年 for year 1, written 令和7年4月1日, 令和元年5月1日, R7.4.1, R7/4/1, H31-4-30.
A date outside its era (平成32年, 令和元年4月1日) is refused. The three eras are all a vendor register
needs (certificate expiries, contract dates); 大正 and older are not read.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta

# Era → (first day, last day or None).
ERAS: dict[str, tuple[date, date | None]] = {
    "令和": (date(2019, 5, 1), None),
    "平成": (date(1989, 1, 8), date(2019, 4, 30)),
    "昭和": (date(1926, 12, 25), date(1989, 1, 7)),
}
ERA_LETTERS = {"R": "令和", "H": "平成", "S": "昭和"}

_SEPARATOR = r"\s*[./\-]\s*"
_WESTERN = re.compile(rf"^(\d{{4}}){_SEPARATOR}(\d{{1,2}}){_SEPARATOR}(\d{{1,2}})$")
_WESTERN_KANJI = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_ERA = re.compile(
    r"^(令和|平成|昭和|[RHS])\s*(元|\d{1,2})\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
    rf"|{_SEPARATOR}(\d{{1,2}}){_SEPARATOR}(\d{{1,2}}))$",
    re.IGNORECASE,
)
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
# Excel's day 1 is 1900-01-01, and it counts a 1900-02-29 that never was: from day 61 on, day 0 is 1899-12-30.
_EXCEL_EPOCH = date(1899, 12, 30)
# Serial numbers read as dates: 1950-01-01 … 2199-12-31 (anything else is more likely a count than a date).
_SERIAL_RANGE = (18264, 109572)


def nfkc(text: str) -> str:
    """Full-width digits, letters, spaces and punctuation become their ASCII forms; trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


def text_of(value: object) -> str:
    """A cell as text: None → '', whole floats without '.0' (Excel stores every number as a float)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def from_excel_serial(serial: float) -> date:
    """The date of an Excel (1900 system) serial number; ValueError outside 1950–2199."""
    if not _SERIAL_RANGE[0] <= serial <= _SERIAL_RANGE[1]:
        raise ValueError(f"serial {serial} is not a date")
    return _EXCEL_EPOCH + timedelta(days=int(serial))


def from_era(era: str, year: int, month: int, day: int) -> date:
    """The Gregorian date of a 和暦 date; ValueError when the date does not exist in that era."""
    name = ERA_LETTERS.get(era.upper(), era)
    if name not in ERAS:
        raise ValueError(f"unknown era {era}")
    first, last = ERAS[name]
    if year < 1:
        raise ValueError("era years start at 1")
    result = date(first.year + year - 1, month, day)
    if result < first or (last is not None and result > last):
        raise ValueError(f"{name}{year}年{month}月{day}日 is outside the era")
    return result


def parse_date(value: object) -> date | None:
    """A date from a cell: a date/datetime, an Excel serial number, or text in a common notation.

    None for an empty cell; ValueError for anything else that is not a real date.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise ValueError("not a date")
    if isinstance(value, (int, float)):
        if isinstance(value, int) and 19000101 <= value <= 29991231:
            value = str(value)  # 20250401 typed into a number cell
        else:
            return from_excel_serial(value)
    text = nfkc(str(value))
    if not text:
        return None
    # Excel writes a date cell exported to CSV with a time sometimes: 2025/4/1 0:00.
    text = re.sub(r"\s+0{1,2}:00(:00)?$", "", text)
    for pattern in (_WESTERN, _WESTERN_KANJI, _COMPACT):
        match = pattern.match(text)
        if match:
            year, month, day = (int(group) for group in match.groups())
            return date(year, month, day)
    match = _ERA.match(text)
    if match:
        era, year_text, month_kanji, day_kanji, month_dotted, day_dotted = match.groups()
        year = 1 if year_text == "元" else int(year_text)
        return from_era(era, year, int(month_kanji or month_dotted), int(day_kanji or day_dotted))
    if _SERIAL.match(text):
        return from_excel_serial(float(text))
    raise ValueError(f"not a date: {text}")


def parse_integer(value: object) -> int | None:
    """A whole number from a cell: 1,200 / １２００ / 1200.0 / 約1200人 is refused (not a number)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("not a whole number")
        return int(value)
    text = nfkc(str(value)).replace(",", "").replace("，", "")
    text = re.sub(r"(?<=\d)(人|名|件)$", "", text)
    if not re.fullmatch(r"-?\d+", text):
        raise ValueError(f"not a whole number: {text}")
    return int(text)


def comparable(text: str) -> str:
    """Text reduced for matching: NFKC, case-folded, without spaces, hyphens and 株式会社 forms."""
    reduced = nfkc(text or "").casefold()
    reduced = re.sub(r"[\s\-‐‑‒–—―−ー・.,、。]", "", reduced)
    return re.sub(r"\(株\)|㈱|株式会社|\(有\)|㈲|有限会社", "", reduced)

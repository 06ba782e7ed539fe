"""Reading an uploaded XLSX or CSV file into a header and rows of cell values.

CSV is decoded strictly, in this order: UTF-8 (with or without BOM), then CP932 (what Japanese Excel
writes as "CSV"; a superset of Shift_JIS with 髙, 﨑, ① …). Bytes that are neither are refused with a
message; the encoding is never guessed, so a file is never read as mojibake. XLSX is read with
python-calamine (the cached values, not formulas), from the first sheet or the one named.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from oversight.evidence.scan import decode_text


class ImportFileError(ValueError):
    """The file cannot be read as a table; ``message`` says why, for the user."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass
class Table:
    """A sheet: the header cells and the data rows (each with its line number in the file)."""

    header: list[str]
    rows: list[tuple[int, list[object]]]
    sheet_names: list[str] = field(default_factory=list)
    sheet: str = ""
    encoding: str = ""


def decode_csv(data: bytes) -> tuple[str, str]:
    """The text and the encoding's name; ImportFileError when the bytes are neither UTF-8 nor CP932."""
    text = decode_text(data)
    if text is None:
        raise ImportFileError(
            _l("The CSV file is neither UTF-8 nor Shift_JIS (CP932) text. Save it from Excel as “CSV UTF-8”.")
        )
    encoding = "UTF-8 (BOM)" if data.startswith(b"\xef\xbb\xbf") else "UTF-8"
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        encoding = "Shift_JIS (CP932)"
    return text, encoding


def _blank(row: list[object]) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in row)


def _finish(header: list[object], rows: list[tuple[int, list[object]]], max_rows: int) -> tuple[list[str], list]:
    names = [str(value).strip() if value is not None else "" for value in header]
    while names and not names[-1]:
        names.pop()
    if not any(names):
        raise ImportFileError(_l("The file has no header row."))
    kept = [(line, row) for line, row in rows if not _blank(row)]
    if len(kept) > max_rows:
        raise ImportFileError(
            _l(
                "The file has %(count)d rows; at most %(limit)d can be imported at once. Split it into smaller files.",
                count=len(kept),
                limit=max_rows,
            )
        )
    return names, kept


def read_csv(data: bytes, max_rows: int) -> Table:
    text, encoding = decode_csv(data)
    if "\x00" in text:
        raise ImportFileError(_l("The file is not a CSV text file."))
    try:
        lines = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise ImportFileError(_l("The CSV file could not be read: %(error)s", error=str(error))) from error
    if not lines:
        raise ImportFileError(_l("The file is empty."))
    numbered = [(number, list(row)) for number, row in enumerate(lines[1:], start=2)]
    header, rows = _finish(list(lines[0]), numbered, max_rows)
    return Table(header, rows, encoding=encoding)


def read_xlsx(data: bytes, sheet: str | None, max_rows: int) -> Table:
    """The chosen (or first) sheet's cached values, read with python-calamine (Rust; a 10,000-row sheet in
    about a second, where openpyxl's read-only mode took twelve). Empty cells come back as ``""``, numbers
    as floats and date cells as dates, which the columns read as openpyxl's values were read."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(workbook.sheet_names)
    except Exception as error:  # calamine raises its own errors (and zip or XML ones) for a broken file
        raise ImportFileError(_l("The Excel file could not be read. Save it again as .xlsx.")) from error
    try:
        if not names:
            raise ImportFileError(_l("The sheet is empty."))
        chosen = sheet or names[0]
        if chosen not in names:
            raise ImportFileError(_l("The file has no sheet named “%(sheet)s”.", sheet=chosen))
        try:
            iterator = workbook.get_sheet_by_name(chosen).iter_rows()
            first = next(iterator, None)
            if first is None:
                raise ImportFileError(_l("The sheet is empty."))
            rows = []
            for number, row in enumerate(iterator, start=2):
                rows.append((number, list(row)))
                if len(rows) > max_rows * 2 + 1000:  # blank formatted rows aside, far past the limit
                    break
        except ImportFileError:
            raise
        except Exception as error:
            raise ImportFileError(_l("The Excel file could not be read. Save it again as .xlsx.")) from error
        header, kept = _finish(list(first), rows, max_rows)
        return Table(header, kept, sheet_names=names, sheet=chosen)
    finally:
        workbook.close()


def read_table(data: bytes, kind: str, *, sheet: str | None = None, max_rows: int = 10_000) -> Table:
    """The table in an upload of ``kind`` (``xlsx`` or ``csv``)."""
    if not data:
        raise ImportFileError(_l("The file is empty."))
    if kind == "xlsx":
        return read_xlsx(data, sheet, max_rows)
    if kind == "csv":
        return read_csv(data, max_rows)
    raise ImportFileError(_l("Only XLSX and CSV files can be imported."))

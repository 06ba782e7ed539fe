"""CSV and Excel downloads for list pages, streamed or spooled so a large list never fills memory.

A view builds a header and an iterable of rows (tuples of plain values: str, int, Decimal, bool,
date, datetime, None) and returns ``csv_response(...)`` or ``xlsx_response(...)``.
"""

from __future__ import annotations

import contextvars
import csv
import io
import math
import pickle
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any
from urllib.parse import quote

from flask import Response, has_request_context, stream_with_context
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import Select

from oversight.core.timeutil import local_today, to_local
from oversight.extensions import db

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
_CHUNK = 64 * 1024
# Text a spreadsheet would run as a formula ("CSV injection"); such cells get a leading apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def content_disposition(filename: str, disposition: str = "attachment", *, fallback: str = "") -> str:
    """A Content-Disposition value: an ASCII fallback plus the RFC 5987 UTF-8 name for Japanese names.

    ``disposition`` is ``"attachment"`` (download) or ``"inline"`` (show in the browser, e.g. a PDF).
    ``fallback`` is the name for clients without RFC 5987 (e.g. ``vendor-file_12_2026-12-07.pdf``);
    without it, the ASCII letters of ``filename``.
    """
    fallback = unicodedata.normalize("NFKD", fallback or filename).encode("ascii", "ignore").decode("ascii")
    fallback = re.sub(r"[^A-Za-z0-9._ -]", "", fallback).strip()
    stem, dot, extension = fallback.rpartition(".")
    if not stem.strip(" ._-"):
        fallback = f"download.{extension}" if dot else "download"
    if fallback == filename:
        return f'{disposition}; filename="{filename}"'
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _local_naive(value: datetime) -> datetime:
    """Spreadsheets have no time zones: show aware instants as local wall-clock time."""
    return to_local(value).replace(tzinfo=None) if value.tzinfo else value


def yes_no(value: bool) -> str:
    """A yes/no column as the reader reads it (はい / いいえ), never ``True``/``False``."""
    return _("Yes") if value else _("No")


def _csv_text(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, datetime):
        return _local_naive(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """CSV text in chunks of about 64 KB, starting with a byte-order mark so Excel reads UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_text(value) for value in row])
        if buffer.tell() > _CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _download_headers(filename: str) -> dict[str, str]:
    # The lists hold personal data: no browser or proxy keeps a copy.
    return {"Content-Disposition": content_disposition(filename), "Cache-Control": "no-store"}


def in_view_context(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Iterate ``chunks`` in the context variables the view saw: the body is read after the request's
    teardown, which has reset them (the reader's unit scope, docs/units.md, among them)."""
    context = contextvars.copy_context()  # now, in the view (the generator below starts later)

    def carried() -> Iterator[bytes]:
        iterator = iter(chunks)
        while True:
            try:
                chunk = context.run(next, iterator)
            except StopIteration:
                return
            yield chunk

    return carried()


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Response:
    """Stream ``rows`` as a UTF-8 (with BOM) CSV download named ``filename``."""
    chunks = in_view_context(chunk.encode("utf-8") for chunk in csv_chunks(header, rows))
    if has_request_context():
        chunks = stream_with_context(chunks)
    return Response(chunks, content_type=CSV_MIMETYPE, headers=_download_headers(filename))


def valid_sheet_name(title: str) -> str:
    """A valid worksheet name: at most 31 characters, none of ``[]:*?/\\``."""
    cleaned = _SHEET_TITLE_FORBIDDEN.sub("_", title).strip("'")[:31]
    return cleaned or "Sheet1"


# --- Excel column widths ----------------------------------------------------------------------
# A column's width counts characters of the sheet's default font (Calibri 11, digit "0" = 1). A
# Japanese character is drawn by a fallback font about twice as wide, so widths come from the
# East Asian width of the text (wide, full-width and ambiguous count 2) plus a margin for that
# font. Excel shows "###" for a date or number wider than its column, so every column is at least
# as wide as its header (with the autofilter button) and its longest value; text longer than
# MAX_WIDTH wraps inside its cell instead of giving a column wider than the screen.

MIN_WIDTH = 6
MAX_WIDTH = 80
_FILTER_BUTTON = 3  # the autofilter drop-down covers the right end of each header cell
_WIDE = frozenset("WFA")
_WRAP = Alignment(wrap_text=True, vertical="top")


def display_width(text: str) -> int:
    """Half-width columns ``text`` takes: East Asian wide, full-width and ambiguous characters count 2."""
    return sum(2 if unicodedata.east_asian_width(char) in _WIDE else 1 for char in text)


def shown_text(value: object) -> str:
    """The text Excel shows for a cell value as ``write_xlsx`` stores it (its widest line)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return max(yes_no(True), yes_no(False), key=display_width)
    return max(str(value).split("\n"), key=display_width)


def needed_width(text: str) -> int:
    """The column width that shows ``text`` on one line, with a margin for the wider Japanese font."""
    return math.ceil(display_width(text) * 1.1) + 2


def _column_width(needed: int) -> int:
    return max(MIN_WIDTH, min(MAX_WIDTH, needed))


def _xlsx_value(value: object) -> object:
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, datetime):
        return _local_naive(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _xlsx_cell(sheet, value: object, width: int) -> object:
    if value is None:
        return None
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"  # never a formula or a number, even for "=..." or a 13-digit 法人番号
        if "\n" in value or needed_width(value) > width:
            cell.alignment = _WRAP
        return cell
    return value


def _park_and_measure(header: Sequence[str], rows: Iterable[Sequence[object]], parking: IO[bytes]) -> list[int]:
    """Write ``rows`` (as stored in the sheet) to ``parking`` and return the width each column needs.

    In write-only mode the column widths go out before the first row, so the rows are read once to
    measure them and once more from ``parking`` to write them; a long list stays out of memory.
    """
    widths = [_column_width(needed_width(str(title)) + _FILTER_BUTTON) for title in header]
    for row in rows:
        values = [_xlsx_value(value) for value in row]
        for index, value in enumerate(values):
            width = _column_width(needed_width(shown_text(value)))
            if index >= len(widths):
                widths.append(width)
            elif width > widths[index]:
                widths[index] = width
        pickle.dump(values, parking, protocol=pickle.HIGHEST_PROTOCOL)
    parking.seek(0)
    return widths


def _parked_rows(parking: IO[bytes]) -> Iterator[list[object]]:
    while True:
        try:
            yield pickle.load(parking)  # our own file, written by _park_and_measure
        except EOFError:
            return


def write_xlsx(target: IO[bytes], sheet_name: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Write one worksheet in openpyxl's write-only mode: columns as wide as their contents, the
    header row bold, frozen and with an autofilter."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(valid_sheet_name(sheet_name))
    sheet.freeze_panes = "A2"
    with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as parking:
        widths = _park_and_measure(header, rows, parking)
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        header_cells = []
        for title in header:
            cell = WriteOnlyCell(sheet, str(title))
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDE3EA")
            header_cells.append(cell)
        sheet.append(header_cells)
        count = 0
        for row in _parked_rows(parking):
            sheet.append([_xlsx_cell(sheet, value, widths[index]) for index, value in enumerate(row)])
            count += 1
    if header:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count + 1}"
    workbook.save(target)


def _file_chunks(handle: IO[bytes]) -> Iterator[bytes]:
    try:
        while chunk := handle.read(_CHUNK):
            yield chunk
    finally:
        handle.close()


def xlsx_response(filename: str, sheet_title: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Response:
    """An Excel download of ``rows``; dates and datetimes become real Excel dates.

    The workbook is built in a temporary file (kept in memory only while small), then streamed.
    """
    spool = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115 - closed by _file_chunks
    try:
        write_xlsx(spool, sheet_title, header, rows)
    except BaseException:
        spool.close()
        raise
    size = spool.tell()
    spool.seek(0)
    response = Response(
        _file_chunks(spool),
        mimetype=XLSX_MIMETYPE,
        headers=_download_headers(filename),
        direct_passthrough=True,
    )
    response.content_length = size
    return response


# --- list downloads ---------------------------------------------------------------------------
# One convention everywhere: each list has an ``export`` route beside it taking the list's own query
# string plus ``format=csv`` (default) or ``format=xlsx``. The view builds the list's query as the
# page does and calls ``download(FEATURE_EXPORT, query, format)``; each feature defines its
# ``ListExport`` in its ``exports.py``. Rows are read in batches and streamed, so a long list never
# sits in memory.

BATCH = 500


def batched(query: Select, size: int = BATCH) -> Iterator[Any]:
    """The query's rows, fetched ``size`` at a time."""
    yield from db.session.scalars(query.execution_options(yield_per=size))


@dataclass(frozen=True)
class ListExport:
    """What one list exports: a file stem, a sheet title, the header and the rows of a query."""

    stem: str
    title: Callable[[], str]
    header: Callable[[], list[str]]
    rows: Callable[[Select], Iterable[tuple]]


def download(export: ListExport, query: Select, file_format: str | None) -> Response:
    """``export`` of ``query`` as CSV (default) or Excel (``file_format == "xlsx"``)."""
    stem = f"{export.stem}-{local_today().isoformat()}"
    if file_format == "xlsx":
        return xlsx_response(f"{stem}.xlsx", export.title(), export.header(), export.rows(query))
    return csv_response(f"{stem}.csv", export.header(), export.rows(query))

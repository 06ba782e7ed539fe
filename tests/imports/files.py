"""Import files made in the tests: XLSX written by openpyxl, CSV in UTF-8 (with or without BOM) or CP932."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook


def xlsx_bytes(rows: list[list[object]], *, title: str = "台帳", extra_sheets: dict | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for name, extra_rows in (extra_sheets or {}).items():
        other = book.create_sheet(name)
        for row in extra_rows:
            other.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[object]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)

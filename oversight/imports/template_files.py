"""The templates people fill in: XLSX (Japanese header row, an example row, drop-down lists for the
choice columns, a notes sheet explaining each column) and CSV (header and example row, UTF-8 with BOM
so that Excel opens it without mojibake)."""

from __future__ import annotations

import io

from flask import Response
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from oversight.core.exports import content_disposition, csv_response
from oversight.imports import contracts, subcontracts, vendors
from oversight.imports.columns import CHOICE, Column

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_ROWS = 1000  # the drop-down lists reach this row
FILENAMES = {
    "vendors": "委託先取込テンプレート",
    "contracts": "委託契約取込テンプレート",
    "subcontracts": "再委託先取込テンプレート",
}
SHEET_TITLES = {"vendors": "委託先", "contracts": "委託契約", "subcontracts": "再委託先"}


def columns_of(kind: str) -> tuple[Column, ...]:
    return {"vendors": vendors.COLUMNS, "contracts": contracts.COLUMNS, "subcontracts": subcontracts.COLUMNS}[kind]


def workbook(kind: str) -> Workbook:
    """The XLSX template for ``kind``."""
    columns = columns_of(kind)
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_TITLES[kind]
    sheet.append([column.header for column in columns])
    sheet.append([str(column.example) for column in columns])
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for position, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=position)
        cell.font = Font(bold=True, color="C00000" if column.required else "000000")
        cell.fill = header_fill
        letter = get_column_letter(position)
        sheet.column_dimensions[letter].width = max(12, min(40, len(column.header) * 2 + 4))
        if column.kind == CHOICE:
            values = column.template_choices()
            validation = DataValidation(
                type="list",
                formula1='"' + ",".join(values) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=_("Not a value of this column"),
                error=_("Choose one of: %(values)s", values="、".join(values)),
            )
            validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
            sheet.add_data_validation(validation)
        elif column.kind in ("number", "corporate_number", "integer"):
            for row in range(2, 3):
                sheet.cell(row=row, column=position).number_format = "@"
    sheet.freeze_panes = "B2"
    notes = book.create_sheet(_("Notes"))
    notes.append(
        [_("Column"), _("Column (English)"), _("Required"), _("Allowed values"), _("Explanation"), _("Example")]
    )
    for column in columns:
        notes.append(
            [
                column.header,
                column.english,
                _("Yes") if column.required else "",
                "、".join(column.template_choices()) if column.kind == CHOICE else "",
                str(column.note),
                str(column.example),
            ]
        )
    for cell in notes[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
    for letter, width in zip("ABCDEF", (22, 30, 8, 28, 70, 30), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=2):
        row[4].alignment = Alignment(wrap_text=True, vertical="top")
    notes.append([])
    notes.append([_("Delete the example row before importing. A blank cell keeps what the register holds.")])
    return book


def response(kind: str, file_format: str) -> Response:
    """The template as a download."""
    columns = columns_of(kind)
    if file_format == "csv":
        return csv_response(f"{FILENAMES[kind]}.csv", [c.header for c in columns], [[str(c.example) for c in columns]])
    buffer = io.BytesIO()
    workbook(kind).save(buffer)
    return Response(
        buffer.getvalue(),
        content_type=XLSX_MIMETYPE,
        headers={"Content-Disposition": content_disposition(f"{FILENAMES[kind]}.xlsx"), "Cache-Control": "no-store"},
    )

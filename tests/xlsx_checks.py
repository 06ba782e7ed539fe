"""Checks that a generated Excel sheet shows everything: column widths, date formats, filter."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from openpyxl.utils import get_column_letter

from oversight.core.exports import MAX_WIDTH

DATETIME_SHOWN = "yyyy-mm-dd hh:mm"
DATE_SHOWN = "yyyy-mm-dd"


def east_asian_width(text: str) -> int:
    """Half-width columns: East Asian wide (W) and full-width (F) characters count 2."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def column_widths(sheet) -> dict[int, float]:
    """Width of each column 1..max_column (openpyxl reads runs of equal columns as one range)."""
    widths = {}
    for dimension in sheet.column_dimensions.values():
        for index in range(dimension.min, dimension.max + 1):
            widths[index] = dimension.width
    return {index: widths.get(index, 0) for index in range(1, sheet.max_column + 1)}


def _shown(cell) -> str:
    if isinstance(cell.value, datetime):
        assert cell.number_format in (DATETIME_SHOWN, DATE_SHOWN), (cell.coordinate, cell.number_format)
        return cell.number_format  # as wide as the date it shows
    if isinstance(cell.value, bool):
        return "FALSE"
    return max(str(cell.value).split("\n"), key=east_asian_width)


def assert_everything_shows(sheet) -> None:
    """Every column as wide as its header and its longest value (longer text wraps in its cell),
    every date a date format, the autofilter on the header row down to the last row."""
    widths = column_widths(sheet)
    last = f"{get_column_letter(sheet.max_column)}{sheet.max_row}"
    assert sheet.auto_filter.ref == f"A1:{last}", sheet.auto_filter.ref
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            needed = east_asian_width(_shown(cell))
            width = widths[cell.column]
            if cell.row == 1:
                assert cell.font.b and width >= needed, (cell.value, width)
            elif needed > width:
                assert cell.data_type == "s" and cell.alignment.wrap_text and width == MAX_WIDTH, (
                    sheet[f"{cell.column_letter}1"].value,
                    cell.value,
                    width,
                )

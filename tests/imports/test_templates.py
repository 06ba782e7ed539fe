"""The import templates: XLSX with Japanese headers, an example row, drop-down lists and notes; CSV (issue #20)."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from oversight.imports.vendors import COLUMNS


def test_xlsx_template_opens_with_header_example_lists_and_notes(client, login_as):
    login_as("admin")
    response = client.get("/imports/vendors/template.xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    data, notes = book.worksheets
    assert [cell.value for cell in data[1]] == [column.header for column in COLUMNS]
    assert data.cell(row=2, column=1).value == "株式会社さくら給与計算センター"
    lists = {str(validation.sqref): validation.formula1 for validation in data.data_validations.dataValidation}
    assert any("高,中,低" in formula for formula in lists.values())
    assert any("国内,国外" in formula for formula in lists.values())
    assert len(lists) == len([column for column in COLUMNS if column.kind == "choice"])
    note_rows = list(notes.iter_rows(values_only=True))
    assert {row[0] for row in note_rows[1 : len(COLUMNS) + 1]} == {column.header for column in COLUMNS}


def test_csv_template_is_utf8_with_bom(client, login_as):
    login_as("procurement")
    response = client.get("/imports/vendors/template.csv")
    assert response.status_code == 200
    assert response.data.startswith(b"\xef\xbb\xbf")
    header, example = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert header == [column.header for column in COLUMNS] and example[0] == "株式会社さくら給与計算センター"


def test_the_templates_example_row_is_flagged_if_left_in(client, login_as):
    login_as("procurement")
    template = client.get("/imports/vendors/template.xlsx").data
    response = client.post(
        "/imports/vendors",
        data={"file": (io.BytesIO(template), "template.xlsx")},
        content_type="multipart/form-data",
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="import-row-2" data-outcome="error"' in page


def test_unknown_template_format_is_not_found(client, login_as):
    login_as("procurement")
    assert client.get("/imports/vendors/template.pdf").status_code == 404

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import unquote

from openpyxl import load_workbook

from oversight.core.exports import (
    MAX_WIDTH,
    content_disposition,
    csv_response,
    display_width,
    valid_sheet_name,
    xlsx_response,
)
from tests.xlsx_checks import assert_everything_shows, column_widths, east_asian_width

HEADER = ("名称", "期限", "登録日時", "件数", "備考")
ROWS = [
    ("株式会社サンプル", date(2026, 12, 25), datetime(2026, 11, 26, 1, 30, tzinfo=UTC), 3, None),
    ("ＡＢＣ商事", None, None, Decimal("1.5"), '=HYPERLINK("http://evil")'),
]


def _csv_rows(response) -> list[list[str]]:
    body = b"".join(response.response)
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_has_bom_header_and_local_dates(app_ctx):
    response = csv_response("委託先一覧.csv", HEADER, iter(ROWS))
    assert response.mimetype == "text/csv"
    rows = _csv_rows(response)
    assert rows[0] == list(HEADER)
    assert rows[1] == ["株式会社サンプル", "2026-12-25", "2026-11-26 10:30", "3", ""]


def test_csv_neutralises_formulas(app_ctx):
    rows = _csv_rows(csv_response("x.csv", HEADER, ROWS))
    assert rows[2][4].startswith("'=")


def test_csv_streams_in_chunks(app_ctx):
    many = ((f"委託先{i}", date(2026, 1, 1), None, i, "") for i in range(20000))
    response = csv_response("big.csv", HEADER, many)
    chunks = list(response.response)
    assert len(chunks) > 1
    assert len(list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))) == 20001


def test_csv_streams_inside_a_request(app):
    with app.test_request_context("/vendors/export.csv"):
        response = csv_response("委託先一覧.csv", HEADER, iter(ROWS))
        assert len(_csv_rows(response)) == 3


def test_content_disposition_keeps_ascii_names_simple():
    assert content_disposition("vendors-2026-11-26.csv") == 'attachment; filename="vendors-2026-11-26.csv"'


def test_content_disposition_encodes_japanese_names():
    value = content_disposition("委託先一覧 2026-11-26.xlsx")
    fallback, encoded = value.split("; filename*=")
    assert fallback == 'attachment; filename="2026-11-26.xlsx"'
    assert encoded.startswith("UTF-8''")
    assert unquote(encoded.removeprefix("UTF-8''")) == "委託先一覧 2026-11-26.xlsx"


def test_xlsx_round_trip_with_real_dates(app_ctx, tmp_path):
    response = xlsx_response("委託先一覧.xlsx", "委託先/一覧", HEADER, iter(ROWS))
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    body = b"".join(response.response)
    assert response.content_length == len(body)
    path = tmp_path / "out.xlsx"
    path.write_bytes(body)
    sheet = load_workbook(path).active
    assert sheet.title == "委託先_一覧"
    assert [cell.value for cell in sheet[1]] == list(HEADER)
    name, due, created, count, note = sheet[2]
    assert name.value == "株式会社サンプル"
    assert due.is_date and due.value == datetime(2026, 12, 25) and due.number_format == "yyyy-mm-dd"
    assert created.is_date and created.value == datetime(2026, 11, 26, 10, 30)
    assert count.value == 3
    assert note.value is None
    formula = sheet.cell(row=3, column=5)
    assert formula.data_type == "s" and formula.value.startswith("=HYPERLINK")
    assert sheet.freeze_panes == "A2"


def test_xlsx_large_export(app_ctx, tmp_path):
    many = ((f"委託先{i}", date(2026, 1, 1), None, i, "") for i in range(20000))
    body = b"".join(xlsx_response("big.xlsx", "big", HEADER, many).response)
    path = tmp_path / "big.xlsx"
    path.write_bytes(body)
    sheet = load_workbook(path, read_only=True).active
    assert sum(1 for _ in sheet.iter_rows(values_only=True)) == 20001


def test_sheet_names_are_made_valid():
    assert valid_sheet_name("a" * 40) == "a" * 31
    assert valid_sheet_name("[x]:*?/\\") == "_x______"
    assert valid_sheet_name("") == "Sheet1"


def test_content_disposition_falls_back_to_download():
    assert content_disposition("委託先一覧.csv").startswith('attachment; filename="download.csv"; filename*=')


def test_downloads_are_never_stored_and_name_one_charset(app_ctx, tmp_path):
    """CSV and Excel lists hold personal data: ``no-store``, and the CSV's Content-Type names its
    charset once (it said ``charset=utf-8`` twice before)."""
    from oversight.core.exports import csv_response, xlsx_response

    csv = csv_response("a.csv", ["x"], [(1,)])
    assert csv.headers["Cache-Control"] == "no-store"
    assert csv.headers["Content-Type"] == "text/csv; charset=utf-8"
    xlsx = xlsx_response("a.xlsx", "a", ["x"], [(1,)])
    assert xlsx.headers["Cache-Control"] == "no-store"
    assert xlsx.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet(response, tmp_path):
    path = tmp_path / "out.xlsx"
    path.write_bytes(b"".join(response.response))
    return load_workbook(path).active


def test_xlsx_columns_fit_japanese_headers_dates_and_long_values(app_ctx, tmp_path):
    header = ("法人番号", "名称", "登録日時", "期限", "ID", "有効", "備考")
    long_note = "特定個人情報の取扱状況について、" * 10
    signed_up = datetime(2026, 11, 26, 1, 30, tzinfo=UTC)
    rows = [
        ("6070003012278", "株式会社さくら給与計算センター", signed_up, None, 1, True, ""),
        ("0123456789012", "ＡＢＣ", None, date(2026, 12, 25), 123456789, False, "一行目\n二行目がもっと長い行です"),
        (None, "x", None, None, None, None, long_note),
    ]
    sheet = _sheet(xlsx_response("a.xlsx", "a", header, iter(rows)), tmp_path)
    assert_everything_shows(sheet)
    widths = column_widths(sheet)
    assert widths[2] >= east_asian_width("株式会社さくら給与計算センター") == 30
    assert widths[3] >= len("2026-11-26 10:30") and sheet["C2"].number_format == "yyyy-mm-dd hh:mm"
    for cell, digits in ((sheet["A2"], "6070003012278"), (sheet["A3"], "0123456789012")):
        assert cell.data_type == "s" and cell.value == digits
    assert sheet["G3"].alignment.wrap_text  # several lines: shown on several lines
    assert widths[7] == MAX_WIDTH and sheet["G4"].alignment.wrap_text
    assert sheet.auto_filter.ref == "A1:G4"


def test_xlsx_without_rows_still_filters_its_header(app_ctx, tmp_path):
    sheet = _sheet(xlsx_response("a.xlsx", "a", HEADER, iter([])), tmp_path)
    assert sheet.auto_filter.ref == "A1:E1"
    assert_everything_shows(sheet)


def test_display_width_counts_east_asian_wide_characters_twice():
    assert display_width("ID") == 2
    assert display_width("法人番号") == 8
    assert display_width("ＡＢＣ商事") == 10
    assert display_width("返却・廃棄") == 10


def test_yes_no_columns_read_in_the_readers_language_not_true_false(app, tmp_path):
    # issue #18 item 2: booleans were written as True/False (CSV) and TRUE/FALSE (Excel).
    from flask_babel import force_locale

    rows = [("株式会社サンプル", True), ("ＡＢＣ商事", False)]
    with app.test_request_context(), force_locale("ja"):
        csv_rows = _csv_rows(csv_response("x.csv", ("名称", "委託"), rows))
        assert csv_rows[1:] == [["株式会社サンプル", "はい"], ["ＡＢＣ商事", "いいえ"]]
        body = b"".join(xlsx_response("x.xlsx", "x", ("名称", "委託"), rows).response)
    path = tmp_path / "yes.xlsx"
    path.write_bytes(body)
    sheet = load_workbook(path).active
    assert [sheet["B2"].value, sheet["B3"].value] == ["はい", "いいえ"]
    assert_everything_shows(sheet)
    with app.test_request_context(), force_locale("en"):
        assert _csv_rows(csv_response("x.csv", ("name", "entrusted"), rows))[1][1] == "Yes"

"""CSV and Excel exports of every list page: BOM, header, the page's filters applied, Excel read back."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from tests.reports.helpers import seed_demo
from tests.xlsx_checks import assert_everything_shows

# list url, filter, column whose value every filtered row shares (None: just fewer rows), role
LISTS = [
    ("/vendors/export", {"status": "ended"}, 4, "viewer"),
    ("/evaluations/export", {"status": "approved"}, 2, "viewer"),
    ("/disposals/export", {"state": "certified"}, 7, "viewer"),
    ("/audits/records/export", {"status": "signed_off"}, 3, "viewer"),
    ("/audits/findings/export", {"severity": "serious"}, 4, "viewer"),
    ("/incidents/export", {"status": "closed"}, 4, "viewer"),
    ("/admin/users/export", {"role": "legal"}, None, "admin"),
    ("/activity/export", {"action": "vendor.create"}, 3, "admin"),
    ("/subcontracts/export", None, None, "viewer"),
    ("/contracts/export", {"status": "signed"}, 4, "viewer"),
]


def _csv(response) -> list[list[str]]:
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode()), raw[:20]
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def _xlsx(response) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(response.get_data()), read_only=True)
    return [
        tuple("" if value is None else value for value in row) for row in workbook.active.iter_rows(values_only=True)
    ]


@pytest.fixture
def demo(app):
    seed_demo(app)


@pytest.mark.parametrize(("url", "filters", "column", "role"), LISTS)
def test_list_exports_apply_the_filters_and_show_every_column(client, login_as, demo, url, filters, column, role):
    login_as(role)
    every = client.get(url)
    assert every.status_code == 200 and every.mimetype == "text/csv"
    assert "attachment" in every.headers["Content-Disposition"]
    all_rows = _csv(every)
    assert len(set(all_rows[0])) == len(all_rows[0]), all_rows[0]
    assert len(all_rows) > 1 and all(len(row) == len(all_rows[0]) for row in all_rows)
    if filters is None:
        filtered = all_rows
    else:
        filtered = _csv(client.get(url, query_string=filters))
        assert filtered[0] == all_rows[0]
        assert 1 < len(filtered) < len(all_rows)
        if column is not None:
            assert len({row[column] for row in filtered[1:]}) == 1, [row[column] for row in filtered[1:]]
    excel = client.get(url, query_string={**(filters or {}), "format": "xlsx"})
    assert excel.status_code == 200 and excel.mimetype.endswith("spreadsheetml.sheet")
    assert_everything_shows(load_workbook(io.BytesIO(excel.get_data())).active)
    sheet = _xlsx(excel)
    assert list(sheet[0]) == filtered[0]
    assert len(sheet) == len(filtered)
    assert [str(row[0]) for row in sheet[1:]] == [row[0] for row in filtered[1:]]


def test_audit_schedule_csv_names_each_column_once(client, login_as):
    login_as("viewer")
    header = _csv(client.get("/audits/schedule.csv"))[0]
    assert len(set(header)) == len(header), header


def test_excel_keeps_every_digit_of_the_corporate_number_as_text(client, login_as, demo):
    login_as("viewer")
    sheet = load_workbook(io.BytesIO(client.get("/vendors/export?format=xlsx").get_data())).active
    column = [cell.value for cell in sheet[1]].index("法人番号") + 1
    numbers = [sheet.cell(row=row, column=column) for row in range(2, sheet.max_row + 1)]
    filled = [cell for cell in numbers if cell.value is not None]
    assert len(filled) > 5
    assert all(cell.data_type == "s" and re.fullmatch(r"\d{13}", cell.value) for cell in filled), filled


def test_contract_export_names_the_term_end_and_the_actual_end_apart(client, login_as):
    login_as("viewer")
    header = _csv(client.get("/contracts/export"))[0]
    assert "契約期間の終了日" in header and "実際の終了日" in header and "終了日" not in header


def test_vendor_export_has_the_lights_and_japanese_labels(client, login_as, demo):
    login_as("viewer")
    rows = _csv(client.get("/vendors/export"))
    assert rows[0][:3] == ["ID", "名称（法人名）", "名称（カナ）"]
    assert rows[0][-5:] == ["選定", "委託契約", "把握", "再委託", "返却・廃棄"]
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name["株式会社さくら給与計算センター"][-5] == "有効"


@pytest.mark.parametrize("url", ["/admin/users/export", "/activity/export"])
def test_admin_lists_refuse_other_roles(client, login_as, url):
    login_as("viewer")
    assert client.get(url).status_code == 403


def test_list_pages_show_the_export_buttons(client, login_as, demo):
    login_as("admin")
    for page in (
        "/vendors/",
        "/evaluations/",
        "/disposals/",
        "/audits/records",
        "/audits/findings",
        "/incidents/",
        "/admin/users",
        "/activity/",
        "/subcontracts/",
    ):
        html = client.get(page).get_data(as_text=True)
        assert 'data-testid="export-csv"' in html and "format=xlsx" in html, page


def test_export_buttons_keep_filters_but_not_url_options(client, login_as):
    login_as("admin")
    html = client.get("/admin/users?q=abc&role=legal&page=2&_external=1&_anchor=x").get_data(as_text=True)
    assert "/admin/users/export?" in html and "q=abc" in html and "role=legal" in html
    assert "#x" not in html and "http://localhost/admin" not in html
    links = re.findall(r'href="([^"]*/admin/users/export[^"]*)"', html)
    assert len(links) == 2 and all("page=" not in link and "_external" not in link for link in links), links

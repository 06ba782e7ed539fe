"""The vendor form, the vendor page and the import fill and check a vendor from the NTA's data (issue #20)."""

from __future__ import annotations

import io

import pytest

from oversight.corporate_numbers import services
from oversight.extensions import db
from oversight.vendors.models import Vendor
from tests.corporate_numbers.nta_files import NUMBER_CLOSED, NUMBER_SAKURA, full_file, nta_csv
from tests.imports.files import csv_bytes
from tests.vendors.factories import create_vendor


@pytest.fixture
def loaded(app):
    with app.app_context():
        services.load(io.BytesIO(nta_csv(full_file())), "full.csv", actor=None)
        db.session.commit()


def _form(**overrides):
    data = {
        "name": "",
        "name_kana": "",
        "corporate_number": NUMBER_SAKURA,
        "address": "",
        "representative": "",
        "entrusted_work": "",
        "data_scope": "",
        "data_subject_count": "",
        "handling_location": "domestic",
        "handling_country": "",
        "handling_site": "own_site",
        "risk_tier": "medium",
        "is_entrustment": "",
        "entrustment_reason": "",
        "owner_id": "",
        "manager_id": "",
    }
    data.update(overrides)
    return data


def _vendor(app, number: str) -> Vendor | None:
    with app.app_context():
        vendor = db.session.scalar(db.select(Vendor).where(Vendor.corporate_number == number))
        if vendor is not None:
            db.session.expunge(vendor)
        return vendor


def test_the_form_fills_blank_name_kana_and_address_and_shows_them_before_saving(app, client, login_as, loaded):
    login_as("procurement")
    first = client.post("/vendors/new", data=_form())
    body = first.get_data(as_text=True)
    assert first.status_code == 200 and _vendor(app, NUMBER_SAKURA) is None  # shown, not saved yet
    assert "株式会社さくら給与計算センター" in body and "サクラキュウヨケイサンセンター" in body
    assert "東京都千代田区丸の内１丁目１－１" in body and "国税庁" in body
    saved = client.post(
        "/vendors/new",
        data=_form(
            name="株式会社さくら給与計算センター",
            name_kana="サクラキュウヨケイサンセンター",
            address="東京都千代田区丸の内１丁目１－１",
        ),
    )
    assert saved.status_code == 302
    vendor = _vendor(app, NUMBER_SAKURA)
    assert (vendor.name, vendor.name_kana) == ("株式会社さくら給与計算センター", "サクラキュウヨケイサンセンター")


def test_the_form_keeps_what_the_user_wrote(app, client, login_as, loaded):
    login_as("procurement")
    response = client.post(
        "/vendors/new", data=_form(name="さくら給与計算センター", name_kana="サクラ", address="東京都")
    )
    assert response.status_code == 302  # nothing blank: saved at once
    assert _vendor(app, NUMBER_SAKURA).name_kana == "サクラ"


def test_without_loaded_data_the_form_works_as_before(app, client, login_as):
    login_as("procurement")
    response = client.post("/vendors/new", data=_form())
    assert response.status_code == 200 and _vendor(app, NUMBER_SAKURA) is None
    assert "国税庁" not in response.get_data(as_text=True)


def test_the_vendor_page_warns_of_a_different_name_and_a_closed_corporation(app, client, login_as, loaded):
    login_as("viewer")
    with app.app_context():
        same = create_vendor(name="㈱さくら 給与計算センター", corporate_number=NUMBER_SAKURA)  # same once normalised
        closed = create_vendor(name="株式会社ひまわり", corporate_number=NUMBER_CLOSED)
        db.session.commit()
        same_id, closed_id = same.id, closed.id
    assert 'data-testid="corporate-findings"' not in client.get(f"/vendors/{same_id}").get_data(as_text=True)
    body = client.get(f"/vendors/{closed_id}").get_data(as_text=True)
    assert 'data-testid="corporate-findings"' in body
    assert "有限会社ひまわり事務所" in body  # the NTA's name
    assert "2024-03-31" in body and "清算の結了等" in body


def test_saving_a_vendor_whose_corporation_closed_warns_but_saves(app, client, login_as, loaded):
    login_as("procurement")
    response = client.post(
        "/vendors/new",
        data=_form(corporate_number=NUMBER_CLOSED, name="有限会社ひまわり事務所", name_kana="ヒマワリ", address="大阪"),
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert _vendor(app, NUMBER_CLOSED) is not None
    assert "閉鎖" in response.get_data(as_text=True)


def _upload(client, data: bytes, filename: str):
    response = client.post(
        "/imports/vendors", data={"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data"
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    return response.headers["Location"]


def test_the_import_fills_blank_cells_and_warns_without_blocking(app, client, login_as, loaded):
    login_as("procurement")
    rows = [
        ["名称", "フリガナ", "法人番号", "所在地"],
        ["", "", NUMBER_SAKURA, ""],  # filled from the NTA's data
        ["株式会社ひまわり", "ヒマワリ", NUMBER_CLOSED, "大阪府"],  # another name, and closed
    ]
    location = _upload(client, csv_bytes(rows), "台帳.csv")
    page = client.get(location).get_data(as_text=True)
    assert page.count('data-outcome="create"') == 2 and 'data-outcome="error"' not in page
    assert "国税庁" in page and page.count('data-testid="row-warning"') == 2
    path, _, query = location.partition("?")
    assert client.post(f"{path}/confirm?{query}", data={}).status_code == 302
    filled = _vendor(app, NUMBER_SAKURA)
    assert (filled.name, filled.name_kana, filled.address) == (
        "株式会社さくら給与計算センター",
        "サクラキュウヨケイサンセンター",
        "東京都千代田区丸の内１丁目１－１",
    )
    assert _vendor(app, NUMBER_CLOSED).name == "株式会社ひまわり"  # the file's name is kept, only flagged
    again = client.get(location).get_data(as_text=True)  # the same file again: nothing changes
    assert again.count('data-outcome="unchanged"') == 2

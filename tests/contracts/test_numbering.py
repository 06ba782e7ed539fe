"""Contract numbers from the admin's pattern, and the new-contract form prefilled from the vendor."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest

from oversight.admin.settings import get_setting
from oversight.contracts import numbering
from oversight.contracts.models import Contract
from oversight.extensions import db
from tests.vendors.factories import create_vendor


def _add(vendor_id: int, *numbers: str) -> None:
    for number in numbers:
        term = {"start_on": date(2026, 1, 1), "end_on": date(2027, 1, 1)}
        db.session.add(Contract(vendor_id=vendor_id, number=number, title="委託契約", **term))
    db.session.flush()


def _set_pattern(client, login_as, pattern: str):
    login_as("admin")
    page = client.get("/admin/settings").get_data(as_text=True)
    data = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page))
    data.update({name: unescape(value) for name, value in data.items()})
    data["contracts__number_pattern"] = pattern
    return client.post("/admin/settings", data=data)


@pytest.mark.parametrize(
    ("pattern", "valid"),
    [
        ("K-{YYYY}-{SEQ:03}", True),
        ("{YY}{MM}-{SEQ}", True),
        ("契約{YYYY}/{SEQ:05}", True),
        ("K-{YYYY}", False),  # no sequence
        ("{SEQ}-{SEQ}", False),  # two
        ("K-{YEAR}-{SEQ}", False),  # unknown token
        ("K-{SEQ:0}", False),
    ],
)
def test_patterns_need_one_sequence_and_known_tokens(pattern, valid):
    assert (numbering.parse(pattern) is not None) is valid
    assert (numbering.pattern_problem(pattern) is None) is valid


def test_default_pattern_counts_per_year_and_starts_again_in_january(app_ctx):
    vendor = create_vendor()
    today = date(2026, 12, 7)
    assert get_setting(numbering.SETTING) == "K-{YYYY}-{SEQ:03}"
    assert numbering.next_number(today) == "K-2026-001"
    _add(vendor.id, "K-2026-001", "K-2026-009", "K-2025-041", "K-2026-ABC", "X-2026-500", "K-2026-9999-old")
    assert numbering.next_number(today) == "K-2026-010"  # the highest of this year's matching numbers + 1
    assert numbering.next_number(date(2027, 1, 4)) == "K-2027-001"  # year rollover
    assert numbering.next_number(date(2025, 6, 1)) == "K-2025-042"


def test_a_month_in_the_pattern_keeps_one_sequence_per_year(app_ctx):
    from oversight.admin.models import Setting

    db.session.add(Setting(key=numbering.SETTING, value="C{YY}{MM}-{SEQ:02}"))
    vendor = create_vendor()
    _add(vendor.id, "C2611-07", "C2612-03")
    assert numbering.next_number(date(2026, 12, 7)) == "C2612-08"
    assert numbering.next_number(date(2027, 1, 7)) == "C2701-01"


def test_like_wildcards_in_the_pattern_are_literal(app_ctx):
    from oversight.admin.models import Setting

    db.session.add(Setting(key=numbering.SETTING, value="A_%{YYYY}-{SEQ}"))
    vendor = create_vendor()
    _add(vendor.id, "AB12026-5", "A_%2026-2")
    assert numbering.next_number(date(2026, 3, 1)) == "A_%2026-3"


def test_new_contract_form_is_prefilled_from_the_vendor_and_the_pattern(app, client, login_as):
    with app.app_context():
        vendor = create_vendor(entrusted_work="源泉徴収票の作成", data_scope="従業員と扶養親族の個人番号")
        _add(vendor.id, f"K-{date.today().year}-004")
        db.session.commit()
        vendor_id = vendor.id
    login_as("procurement")
    html = client.get(f"/contracts/new/{vendor_id}").get_data(as_text=True)
    assert re.search(rf'name="number"[^>]*value="K-{date.today().year}-005"', html)
    assert re.search(r'name="scope"[^>]*>\s*源泉徴収票の作成</textarea>', html)
    assert re.search(r'name="data_scope"[^>]*>\s*従業員と扶養親族の個人番号</textarea>', html)


def test_a_duplicate_number_says_which_contract_and_the_next_free_number(app, client, login_as):
    year = date.today().year
    with app.app_context():
        vendor = create_vendor()
        _add(vendor.id, f"K-{year}-001")
        db.session.commit()
        vendor_id = vendor.id
    login_as("procurement")
    response = client.post(
        f"/contracts/new/{vendor_id}",
        data={
            "number": f"K-{year}-001",
            "title": "年末調整業務委託",
            "contract_type": "individual",
            "scope": "年末調整",
            "data_scope": "従業員の氏名",
            "start_on": f"{year}-04-01",
            "end_on": f"{year + 1}-03-31",
            "end_handling": "delete",
            "disposal_days": "30",
        },
    )
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert f"K-{year}-002" in html and 'id="contract-number-error"' in response.get_data(as_text=True)


def test_the_settings_page_documents_the_tokens_and_refuses_a_bad_pattern(app, client, login_as):
    response = _set_pattern(client, login_as, "K-{YEAR}-{SEQ}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "{SEQ:03}" in html and "{YYYY}" in html
    assert 'aria-invalid="true"' in html
    response = _set_pattern(client, login_as, "KY-{YY}-{SEQ:04}")
    assert response.status_code == 302
    with app.app_context():
        assert get_setting(numbering.SETTING) == "KY-{YY}-{SEQ:04}"
        assert numbering.next_number(date(2026, 5, 1)) == "KY-26-0001"

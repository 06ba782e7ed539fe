"""Helpers that create vendor-register rows for tests."""

from __future__ import annotations

from itertools import count

from oversight.vendors import services as vendor_services
from oversight.vendors.corporate_number import with_check_digit

_sequence = count(1)


def vendor_values(**overrides) -> dict:
    n = next(_sequence)
    values = {
        "name": f"株式会社テスト給与{n}",
        "name_kana": f"テストキュウヨ{n}",
        "corporate_number": with_check_digit(f"{n:012d}"),
        "address": "東京都千代田区1-1",
        "representative": "代表 太郎",
        "entrusted_work": "給与計算、源泉徴収票作成",
        "data_scope": "従業員の個人番号、氏名、生年月日",
        "data_subject_count": 1200,
        "handling_location": "domestic",
        "handling_country": "",
        "handling_site": "own_site",
        "risk_tier": "high",
        "is_entrustment": True,
        "entrustment_reason": "給与計算で個人番号を取り扱う",
        "owner_id": None,
        "manager_id": None,
    }
    values.update(overrides)
    return values


def create_vendor(**overrides):
    """A committed-ready vendor (the caller commits) created through the service."""
    return vendor_services.create_vendor(vendor_values(**overrides), actor=None)

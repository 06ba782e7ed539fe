"""Helpers that create incidents (and their vendor, contract and users) for tests."""

from __future__ import annotations

from datetime import date
from itertools import count

from oversight.contracts.models import Contract
from oversight.extensions import db
from oversight.incidents import services
from tests.vendors.factories import create_vendor

_sequence = count(1)


def incident_values(vendor_id: int, **overrides) -> dict:
    values = {
        "vendor_id": vendor_id,
        "contract_id": None,
        "chain_level": 0,
        "where_vendor_id": None,
        "title": "給与明細の誤送信",
        "kind": "leak",
        "is_suspected": False,
        "description": "給与明細のPDFを別の顧客に誤って送信した。",
        "discovered_by": "委託先 運用担当",
        "occurred_on": date(2026, 11, 2),
        "vendor_knew_on": date(2026, 11, 2),
        "vendor_notified_on": date(2026, 11, 3),
        "department_knew_on": None,
        "categories": ["R4-i"],
        "is_highly_encrypted": False,
        "is_improper_purpose": False,
        "people_min": 120,
        "people_max": 150,
        "people_final": None,
        "data_items": "氏名、個人番号、給与額",
        "media": "電子メール添付のPDF",
        "cause": "宛先リストの取り違え",
        "cause_party": "vendor",
        "secondary_harm": "現時点で確認されていない",
        "containment": "誤送信先に削除を依頼し、削除報告を受領",
        "other_notes": "",
        "owner_id": None,
    }
    values.update(overrides)
    return values


def create_contract(vendor, **overrides) -> Contract:
    n = next(_sequence)
    contract = Contract(
        vendor_id=vendor.id,
        number=f"C-INC-{n:04d}",
        title="給与計算業務委託契約",
        start_on=date(2026, 1, 1),
        end_on=date(2027, 12, 31),
        **overrides,
    )
    db.session.add(contract)
    db.session.flush()
    return contract


def create_incident(actor, vendor=None, **overrides):
    """An incident recorded through the service (the caller commits)."""
    vendor = vendor or create_vendor()
    return services.create_incident(incident_values(vendor.id, **overrides), actor=actor)

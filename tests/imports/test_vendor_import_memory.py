"""The vendor import's memory: no ORM object per row is kept, in chunks, with the same result (issue #20).

The 10,000-row target (peak RSS <= 300 MB, ``make bench``) is met by holding the register's matching
keys instead of its ORM objects, loading the matched vendors a chunk of rows at a time, keeping ids (not
objects) in the row plans and writing the rows a chunk at a time, each chunk let go after its flush.
"""

from __future__ import annotations

import pytest

from oversight.auth.models import User
from oversight.extensions import db
from oversight.imports import services
from oversight.imports import vendors as vendor_import
from oversight.vendors.corporate_number import with_check_digit
from oversight.vendors.models import Vendor, VendorCertification, VendorContact
from tests.imports.files import csv_bytes
from tests.vendors.factories import create_vendor

HEADER = ["名称", "法人番号", "リスク区分", "窓口担当者", "窓口部署", "Pマーク登録番号", "ISMS認証番号"]


def _number(n: int) -> str:
    return with_check_digit(f"{700_000_000_000 + n:012d}")


def _held(model) -> int:
    return sum(isinstance(instance, model) for instance in db.session.identity_map.values())


@pytest.fixture
def register(app_ctx):
    """Six registered vendors, each with a contact and a Pマーク."""
    for n in range(6):
        vendor = create_vendor(name=f"株式会社登録{n}", corporate_number=_number(n), risk_tier="low")
        db.session.flush()
        from oversight.vendors import services as vendor_services

        vendor_services.add_contacts([(vendor, {"name": f"窓口{n}", "department": "総務部"})], actor=None)
        vendor_services.add_certifications([(vendor, {"kind": "pmark", "number": f"1080{n}"})], actor=None)
    db.session.commit()
    db.session.expunge_all()


def _file() -> bytes:
    rows = [HEADER]
    for n in range(6):  # every registered vendor: a new risk tier, its contact's new department, an ISMS
        rows.append([f"株式会社登録{n}", _number(n), "高", f"窓口{n}", "人事部", f"1080{n}", f"IS {n}"])
    for n in range(6, 11):  # five new vendors
        rows.append([f"株式会社新規{n}", _number(n), "中", f"窓口{n}", "", f"1080{n}", ""])
    return csv_bytes(rows)


def test_the_preview_holds_no_vendor_object_and_plans_have_no_instance_dict(app_ctx, register, monkeypatch):
    monkeypatch.setattr(services, "PLAN_CHUNK", 4)
    data = _file()
    result = services.preview_data("vendors", data, "0" * 64, "register.csv")
    assert result.totals == {"create": 5, "update": 6, "unchanged": 0, "error": 0}
    assert (_held(Vendor), _held(VendorContact), _held(VendorCertification)) == (0, 0, 0)
    row = result.rows[0]
    assert not hasattr(row, "__dict__")  # slots: ten thousand of them stay small
    assert isinstance(row.vendor_id, int) and row.vendor is None
    assert isinstance(row.contact[0], int) and all(isinstance(c, (int, type(None))) for c, _ in row.certifications)


def test_the_import_writes_in_chunks_with_the_same_result_and_lets_each_chunk_go(app_ctx, register, monkeypatch):
    monkeypatch.setattr(services, "PLAN_CHUNK", 4)
    monkeypatch.setattr(vendor_import, "APPLY_CHUNK", 2)
    actor = db.session.scalar(db.select(User)) or _actor()
    data = _file()
    result = services.preview_data("vendors", data, "0" * 64, "register.csv")
    services.run_import(result, actor=actor)
    assert (_held(Vendor), _held(VendorContact), _held(VendorCertification)) == (0, 0, 0)
    db.session.commit()
    vendors = {vendor.name: vendor for vendor in db.session.scalars(db.select(Vendor))}
    assert len(vendors) == 11
    assert {vendor.risk_tier for name, vendor in vendors.items() if "登録" in name} == {"high"}
    contacts = db.session.scalars(db.select(VendorContact)).all()
    assert len(contacts) == 11 and {c.department for c in contacts if c.name in {f"窓口{n}" for n in range(6)}} == {
        "人事部"
    }
    kinds = [c.kind for c in db.session.scalars(db.select(VendorCertification))]
    assert (kinds.count("pmark"), kinds.count("isms")) == (11, 6)
    again = services.preview_data("vendors", data, "0" * 64, "register.csv")
    assert again.totals == {"create": 0, "update": 0, "unchanged": 11, "error": 0}


def _actor() -> User:
    from oversight.auth import services as auth_services

    user = auth_services.create_user(
        email="importer@example.com",
        name="取込 担当",
        password="correct-horse-battery-42",
        roles=["procurement"],
        language="ja",
        actor=None,
    )
    db.session.commit()
    return user

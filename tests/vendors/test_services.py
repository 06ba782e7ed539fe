import pytest

from oversight.activity.models import ActivityLog
from oversight.extensions import db
from oversight.vendors import services as vendor_services
from oversight.vendors.models import ACTIVE, CANDIDATE, ENDED, EVALUATING, REJECTED, SELECTED, TERMINATING, Vendor
from tests.vendors.factories import create_vendor, vendor_values

ALLOWED = [
    (CANDIDATE, EVALUATING),
    (CANDIDATE, REJECTED),
    (SELECTED, ACTIVE),
    (ACTIVE, TERMINATING),
    (TERMINATING, ENDED),
    (REJECTED, CANDIDATE),
]
REFUSED = [
    (CANDIDATE, ACTIVE),
    (CANDIDATE, SELECTED),
    (EVALUATING, ENDED),
    (ACTIVE, CANDIDATE),
    (ENDED, ACTIVE),
    (REJECTED, SELECTED),
    (CANDIDATE, CANDIDATE),
]


def test_new_vendor_is_a_candidate_and_logged(app_ctx):
    vendor = create_vendor(corporate_number="７１２３-４５６７-８９０１２")
    db.session.commit()
    assert vendor.status == CANDIDATE
    assert vendor.corporate_number == "7123456789012"
    log = db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "vendor.create"))
    assert log.object_id == vendor.id and log.changes["name"] == [None, vendor.name]


@pytest.mark.parametrize(("old", "new"), ALLOWED)
def test_allowed_moves(app_ctx, old, new):
    vendor = create_vendor()
    vendor.status = old
    vendor_services.change_status(vendor, new, reason="理由", actor=None)
    assert vendor.status == new
    log = db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "vendor.status"))
    assert log.changes == {"status": [old, new]}
    assert "理由" in log.summary


def test_selected_only_through_an_approved_evaluation(app_ctx):
    vendor = create_vendor()
    vendor.status = EVALUATING
    with pytest.raises(vendor_services.VendorRuleError):
        vendor_services.change_status(vendor, SELECTED, reason="手動", actor=None)
    assert SELECTED not in vendor_services.allowed_moves(EVALUATING)
    vendor_services.change_status(vendor, SELECTED, reason="評価承認", actor=None, by_evaluation=True)
    assert vendor.status == SELECTED


@pytest.mark.parametrize(("old", "new"), REFUSED)
def test_refused_moves_raise_and_change_nothing(app_ctx, old, new):
    vendor = create_vendor()
    vendor.status = old
    with pytest.raises(vendor_services.VendorRuleError):
        vendor_services.change_status(vendor, new, reason="理由", actor=None)
    assert vendor.status == old


def test_move_needs_a_reason(app_ctx):
    vendor = create_vendor()
    with pytest.raises(vendor_services.VendorRuleError):
        vendor_services.change_status(vendor, EVALUATING, reason="  ", actor=None)
    assert vendor.status == CANDIDATE


def test_duplicate_corporate_number_is_refused_in_any_notation(app_ctx):
    first = create_vendor(corporate_number="4011001098993")
    db.session.commit()
    with pytest.raises(vendor_services.DuplicateCorporateNumberError) as error:
        create_vendor(corporate_number="4-0110-0109-8993")
    assert error.value.existing.id == first.id


def test_foreign_vendors_may_have_no_corporate_number(app_ctx):
    create_vendor(corporate_number="", handling_location="abroad", handling_country="Philippines")
    create_vendor(corporate_number="", handling_location="abroad", handling_country="Vietnam")
    db.session.commit()
    assert (
        db.session.scalar(db.select(db.func.count()).select_from(Vendor).where(Vendor.corporate_number.is_(None))) == 2
    )


def test_update_keeps_own_number_and_logs_changes(app_ctx):
    vendor = create_vendor(corporate_number="2120901007402")
    db.session.commit()
    changes = vendor_services.update_vendor(
        vendor, vendor_values(name=vendor.name, corporate_number="2120901007402", risk_tier="low"), actor=None
    )
    assert changes["risk_tier"] == ["high", "low"]
    assert "corporate_number" not in changes


def test_search_finds_by_name_kana_and_number(app_ctx):
    create_vendor(
        name="株式会社さくら給与計算センター",
        name_kana="サクラキュウヨケイサンセンター",
        corporate_number="7123456789012",
    )
    create_vendor(name="ひまわり社労士法人", name_kana="ヒマワリシャロウシホウジン")
    db.session.commit()

    def names(**filters):
        return [v.name for v in db.session.scalars(vendor_services.vendor_query(**filters)).unique()]

    assert names(q="さくら") == ["株式会社さくら給与計算センター"]
    assert names(q="ヒマワリ") == ["ひまわり社労士法人"]
    assert names(q="７１２３-４５６７") == ["株式会社さくら給与計算センター"]


def test_contacts_and_certifications(app_ctx):
    vendor = create_vendor()
    contact = vendor_services.add_contact(vendor, {"name": "窓口 一郎", "email": "a@example.jp"}, actor=None)
    cert = vendor_services.add_certification(vendor, {"kind": "pmark", "number": "10820001(05)"}, actor=None)
    db.session.commit()
    vendor_services.update_contact(contact, {"name": "窓口 二郎"}, actor=None)
    vendor_services.remove_certification(cert, actor=None)
    db.session.commit()
    loaded = vendor_services.load_vendor_detail(vendor.id)
    assert [c.name for c in loaded.contacts] == ["窓口 二郎"]
    assert loaded.certifications == []

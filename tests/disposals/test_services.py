"""Return/deletion items: the certificate, the manager's confirmation, the list order and the 返却・廃棄 light."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from oversight.contracts.models import DISPOSED, ENDED
from oversight.core.lights import AMBER, GREEN, RED
from oversight.disposals import services as disposal_services
from oversight.disposals.services import DisposalRuleError
from oversight.extensions import db
from oversight.status import lights as status_lights
from oversight.vendors.models import Vendor
from tests.contracts.helpers import NOW, TODAY, pdf, people, signed, user
from tests.status.filters import condition as light_filter
from tests.vendors.factories import create_vendor

CERTIFICATE = {
    "method": "erasure",
    "method_detail": "消去ソフト（DoD 5220.22-M）",
    "completed_on": date(2027, 4, 10),
    "certificate_number": "DEL-0001",
    "data_items": "給与計算データ一式（2026年度）",
    "media": "サーバーHDD",
    "media_quantity": 2,
    "responsible_person": "情報システム部長 山田",
    "operator": "作業 太郎",
    "witness": "",
    "location": "委託先データセンター",
    "covers_backups": True,
    "backup_note": "バックアップテープ3本も消去",
    "irrecoverable": True,
    "irrecoverable_statement": "復元できない状態にしたことを証明します。",
}


@pytest.fixture
def ended(app_ctx):
    procurement, legal, manager = people()
    contract = signed(procurement, legal, manager, end_on=date(2027, 3, 31))
    disposal_services.close_ended_contracts(date(2027, 4, 1))
    item = disposal_services.items_of_contract(contract)[0]
    return procurement, manager, contract, item


def test_the_certificate_needs_its_file(ended):
    procurement, _manager, _contract, item = ended
    with pytest.raises(DisposalRuleError):
        disposal_services.record_certificate(
            item, CERTIFICATE, file_storage=None, actor=procurement, now=NOW, today=date(2027, 4, 20)
        )


def test_the_completion_date_cannot_be_in_the_future(ended):
    procurement, _manager, _contract, item = ended
    with pytest.raises(DisposalRuleError):
        disposal_services.record_certificate(
            item, CERTIFICATE, file_storage=pdf("cert.pdf"), actor=procurement, now=NOW, today=date(2027, 4, 9)
        )


def test_a_different_manager_confirms_and_the_contract_becomes_disposed(ended):
    procurement, manager, contract, item = ended
    disposal_services.record_certificate(
        item, CERTIFICATE, file_storage=pdf("cert.pdf"), actor=manager, now=NOW, today=date(2027, 4, 20)
    )
    assert item.state == "certified" and item.method == "erasure" and item.covers_backups
    with pytest.raises(DisposalRuleError):
        disposal_services.confirm(item, actor=manager, note="", now=NOW)
    with pytest.raises(DisposalRuleError):
        disposal_services.confirm(item, actor=procurement, note="", now=NOW)
    other = user("manager", email="manager2@example.com")
    disposal_services.confirm(item, actor=other, note="確認済", now=NOW)
    assert item.state == "confirmed" and contract.status == DISPOSED
    with pytest.raises(DisposalRuleError):
        disposal_services.record_certificate(
            item, CERTIFICATE, file_storage=None, actor=procurement, now=NOW, today=date(2027, 4, 20)
        )


def test_the_contract_stays_ended_until_every_party_is_confirmed(ended):
    procurement, manager, contract, item = ended
    subcontractor = create_vendor()
    db.session.flush()
    second = disposal_services.open_item(
        contract, vendor_id=subcontractor.id, ended_on=contract.ended_on, subcontract_id=5, level=1
    )
    disposal_services.record_certificate(
        item, CERTIFICATE, file_storage=pdf(), actor=procurement, now=NOW, today=date(2027, 4, 20)
    )
    disposal_services.confirm(item, actor=manager, note="", now=NOW)
    assert contract.status == ENDED
    disposal_services.record_certificate(
        second, CERTIFICATE, file_storage=pdf(), actor=procurement, now=NOW, today=date(2027, 4, 20)
    )
    disposal_services.confirm(second, actor=manager, note="", now=NOW)
    assert contract.status == DISPOSED


def test_confirming_needs_a_certificate(ended):
    _procurement, manager, _contract, item = ended
    with pytest.raises(DisposalRuleError):
        disposal_services.confirm(item, actor=manager, note="", now=NOW)


def test_the_list_puts_overdue_first(app_ctx):
    procurement, legal, manager = people()
    late = signed(procurement, legal, manager, end_on=date(2026, 9, 30))
    recent = signed(procurement, legal, manager, end_on=date(2026, 11, 20))
    older_but_fine = signed(procurement, legal, manager, end_on=date(2026, 10, 30), disposal_days=90)
    disposal_services.close_ended_contracts(TODAY)
    order = [item.contract_id for item in db.session.scalars(disposal_services.list_query(today=TODAY))]
    assert order == [late.id, recent.id, older_but_fine.id]
    overdue = db.session.scalars(disposal_services.list_query(state="overdue", today=TODAY)).all()
    assert [item.contract_id for item in overdue] == [late.id]


def test_disposal_light_states_and_filter(app_ctx):
    procurement, legal, manager = people()
    cases = {}
    vendor = create_vendor()
    db.session.flush()
    cases["nothing"] = (vendor.id, GREEN)
    for name, end_on, days, state in (
        ("overdue", TODAY - timedelta(days=40), 30, RED),
        ("due within 7 days", TODAY - timedelta(days=25), 30, AMBER),
        ("due later", TODAY - timedelta(days=5), 30, GREEN),
    ):
        vendor = create_vendor()
        db.session.flush()
        signed(procurement, legal, manager, vendor=vendor, start_on=date(2025, 1, 1), end_on=end_on, disposal_days=days)
        cases[name] = (vendor.id, state)
    disposal_services.close_ended_contracts(TODAY)
    ids = [vendor_id for vendor_id, _state in cases.values()]
    computed = status_lights.duty_lights("disposal", ids, TODAY)
    for name, (vendor_id, expected) in cases.items():
        assert computed[vendor_id].state == expected, name
    for state in (GREEN, AMBER, RED):
        condition = light_filter("disposal", state, TODAY)
        selected = set(db.session.scalars(db.select(Vendor.id).where(condition)))
        assert selected == {vendor_id for vendor_id, expected in cases.values() if expected == state}, state


def test_a_subcontractors_overdue_item_turns_the_contractor_red_too(app_ctx):
    procurement, legal, manager = people()
    contract = signed(procurement, legal, manager, start_on=date(2025, 1, 1), end_on=TODAY - timedelta(days=60))
    disposal_services.close_ended_contracts(TODAY)
    item = disposal_services.items_of_contract(contract)[0]
    disposal_services.record_certificate(
        item, {**CERTIFICATE, "completed_on": TODAY}, file_storage=pdf(), actor=procurement, now=NOW, today=TODAY
    )
    disposal_services.confirm(item, actor=manager, note="", now=NOW)
    subcontractor = create_vendor()
    db.session.flush()
    disposal_services.open_item(contract, vendor_id=subcontractor.id, ended_on=contract.ended_on, level=1)
    result = status_lights.duty_lights("disposal", [contract.vendor_id, subcontractor.id], TODAY)
    assert result[contract.vendor_id].state == RED and result[subcontractor.id].state == RED

"""Helpers for dashboard tests: a world of vendors with contracts, audits and disposals, built through the services."""

from __future__ import annotations

from datetime import date, timedelta

from oversight.audits import services as audit_services
from oversight.disposals import services as disposal_services
from oversight.extensions import db
from tests.audits.helpers import answer_all, finding, recording
from tests.contracts.helpers import NOW, TODAY, pdf, people, signed, user
from tests.vendors.factories import create_vendor

__all__ = ["NOW", "TODAY", "World", "build_world"]

CERTIFICATE = {
    "method": "erasure",
    "method_detail": "消去ソフト",
    "completed_on": TODAY - timedelta(days=2),
    "certificate_number": "DEL-0001",
    "data_items": "給与計算データ一式",
    "media": "サーバーHDD",
    "media_quantity": 1,
    "responsible_person": "情報システム部長 山田",
    "operator": "作業 太郎",
    "witness": "",
    "location": "委託先データセンター",
    "covers_backups": True,
    "backup_note": "",
    "irrecoverable": True,
    "irrecoverable_statement": "復元できない状態にしたことを証明します。",
}


class World:
    """The principal's people (procurement, legal, manager, auditor, a second manager)."""

    def __init__(self) -> None:
        self.procurement, self.legal, self.manager = people()
        self.auditor = user("auditor", email="auditor@example.com")
        self.manager2 = user("manager", email="manager2@example.com")
        self.vendors = []

    def active_vendor(self, **contract_overrides):
        """An active vendor with a signed contract in force, a signed-off audit and an open finding."""
        vendor = create_vendor()
        db.session.flush()
        values = {"start_on": TODAY - timedelta(days=60), "end_on": TODAY + timedelta(days=300), **contract_overrides}
        contract = signed(self.procurement, self.legal, self.manager, vendor=vendor, **values)
        vendor.status = "active"
        audit = recording(vendor, self.auditor, conducted_on=TODAY - timedelta(days=10))
        finding(audit, self.auditor, due_on=TODAY + timedelta(days=20))
        answer_all(audit, self.auditor)
        audit_services.submit(
            audit, rating="good", decision="continue", conditions="", summary="", actor=self.auditor, now=NOW
        )
        audit_services.sign_off(audit, actor=self.manager2, note="", today=TODAY, now=NOW)
        db.session.flush()
        self.vendors.append(vendor)
        return vendor, contract

    def overdue_disposal(self, *, certified: bool = False):
        """A contract that ended 40 days ago: its deletion item (30 days) is 10 days late."""
        vendor = create_vendor()
        db.session.flush()
        contract = signed(
            self.procurement,
            self.legal,
            self.manager,
            vendor=vendor,
            start_on=TODAY - timedelta(days=400),
            end_on=TODAY - timedelta(days=40),
        )
        disposal_services.close_ended_contracts(TODAY)
        item = disposal_services.items_of_contract(contract)[0]
        if certified:
            disposal_services.record_certificate(
                item, CERTIFICATE, file_storage=pdf("cert.pdf"), actor=self.procurement, now=NOW, today=TODAY
            )
        db.session.flush()
        return item


def build_world(size: int) -> World:
    """``size`` active vendors with contracts, audits and findings, plus one overdue deletion."""
    world = World()
    for _ in range(size):
        world.active_vendor()
    world.overdue_disposal()
    db.session.commit()
    return world


def days(n: int) -> date:
    return TODAY + timedelta(days=n)

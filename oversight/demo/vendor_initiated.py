"""Demo of what vendors start themselves in the portal: one request for consent to a new subcontractor
(awaiting legal's review) and one notice of an incident (open, its clocks running). No e-mail is sent."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from oversight.core.timeutil import app_timezone, utcnow
from oversight.extensions import db
from oversight.portal import services, vendor_initiated
from oversight.vendors.corporate_number import with_check_digit
from oversight.vendors.models import Vendor, VendorContact


def _contact_with_contract(vendors: list[Vendor]) -> tuple[VendorContact, vendor_initiated.Placement] | None:
    """The first active vendor with a contact who has an e-mail address and a contract in force."""
    for vendor in vendors:
        if vendor.status != "active":
            continue
        contact = db.session.scalar(
            db.select(VendorContact)
            .where(VendorContact.vendor_id == vendor.id, VendorContact.email != "")
            .order_by(VendorContact.id)
        )
        placements = vendor_initiated.placements(vendor.id)
        if contact is not None and placements:
            return contact, placements[0]
    return None


def seed_vendor_initiated(users: dict, vendors: list[Vendor], *, today: date) -> None:
    """One consent request and one incident notice from the same vendor's contact; the caller commits."""
    found = _contact_with_contract(vendors)
    if found is None:
        return
    contact, placement = found
    actor = services.actor_for(contact, contact.vendor)
    now = utcnow()
    vendor_initiated.request_consent(
        actor,
        {
            "placement": placement.key,
            "name": "株式会社みどり封入サービス",
            "corporate_number": with_check_digit("701234567891"),
            "scope_of_work": "源泉徴収票の印刷・封入・発送",
            "data_scope": "従業員の氏名、住所、給与・賞与の支払額（個人番号は印字しない）",
            "handling_location": "domestic",
            "handling_country": "",
            "safety_measures": (
                "プライバシーマーク取得。作業室は入退室記録付きの施錠管理、印刷端末はネットワークから隔離。"
            ),
        },
        now=now - timedelta(hours=5),
        notify=False,
    )
    knew_at = datetime.combine(today - timedelta(days=1), time(17, 40), tzinfo=app_timezone())
    vendor_initiated.report_incident(
        actor,
        {
            "title": "源泉徴収票の控えを入れた封筒の紛失（おそれ）",
            "kind": "loss",
            "is_suspected": True,
            "description": "発送前の控え一式を入れた封筒が作業室で見当たらない。社内を捜索中。",
            "knew_at": knew_at.astimezone(now.tzinfo),
            "people": 40,
            "data_items": "氏名、住所、支払金額",
            "contract_id": placement.contract.id,
        },
        now=now,
        notify=False,
    )

"""Demo incidents: one reportable leak (more than 100 people) in progress, one closed below the threshold."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from oversight.incidents import services
from oversight.incidents.models import (
    CHAIN_REVIEW,
    FINAL_REPORT,
    IMPACT,
    INDIVIDUAL_NOTICE,
    INITIAL_RESPONSE,
    INVESTIGATION,
    PRELIMINARY_REPORT,
    PREVENTION,
    PUBLICATION,
    SUSPENSION,
    VENDOR_PLAN,
    Incident,
)
from oversight.incidents.status import step
from oversight.vendors.models import ACTIVE, Vendor

WAIVED_BELOW_THRESHOLD = "報告対象事態に該当しない（本人の数100人以下）"


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), UTC)


def _done(incident: Incident, code: str, day: date, actor, **values) -> None:
    services.complete_step(step(incident, code), {"done_on": day, **values}, actor=actor, today=day, now=_moment(day))


def _reportable_leak(vendor: Vendor, manager, reporter, today: date) -> Incident:
    """A misdirected batch of withholding slips at a vendor, reported 速報, 確報 still running."""
    knew = today - timedelta(days=6)
    incident = services.create_incident(
        {
            "vendor_id": vendor.id, "title": "源泉徴収票の誤送付（委託先）", "kind": "leak", "is_suspected": False,
            "description": "委託先の封入作業で、源泉徴収票が別の従業員宛ての封筒に封入され発送された。",
            "discovered_by": "受領した従業員からの問合せ", "occurred_on": knew - timedelta(days=2),
            "vendor_knew_on": knew - timedelta(days=1), "vendor_notified_on": knew, "department_knew_on": None,
            "categories": ["R4-i"], "people_min": 180, "people_max": 240, "people_final": None,
            "data_items": "氏名、住所、個人番号、支払金額", "media": "紙（源泉徴収票）",
            "cause": "封入機の設定誤りと目視確認の省略", "cause_party": "vendor",
            "secondary_harm": "現時点で確認されていない", "containment": "誤送付先へ回収を依頼、発送を停止",
            "owner_id": manager.id,
        },
        actor=reporter,
    )  # fmt: skip
    _done(incident, INITIAL_RESPONSE, knew, manager, note="発送停止、委託先に封入ログの保全を指示")
    _done(incident, PRELIMINARY_REPORT, knew + timedelta(days=3), manager, reference="PPC-DEMO-0001",
          note="委員会ウェブフォームで速報")  # fmt: skip
    services.save_step(step(incident, VENDOR_PLAN), {"due_on": today + timedelta(days=14)}, actor=manager)
    return incident


def _closed_small_loss(vendor: Vendor, manager, today: date) -> Incident:
    """A lost USB stick with 12 people's data: below the threshold, handled and closed."""
    day = today - timedelta(days=70)
    incident = services.create_incident(
        {
            "vendor_id": vendor.id, "title": "USBメモリの紛失（社内で発見）", "kind": "loss", "is_suspected": True,
            "description": "委託先の担当者が作業用USBメモリを紛失したおそれ。翌週に執務室内で発見。",
            "discovered_by": "委託先 情報システム部", "occurred_on": day, "vendor_knew_on": day,
            "vendor_notified_on": day + timedelta(days=1), "categories": ["R4-i"], "people_min": 12,
            "people_max": 12, "people_final": 12, "data_items": "氏名、個人番号", "media": "USBメモリ（暗号化なし）",
            "cause": "持出し管理簿の記入漏れ", "cause_party": "vendor", "secondary_harm": "なし",
            "containment": "USBメモリの使用を停止", "owner_id": manager.id,
        },
        actor=manager,
    )  # fmt: skip
    for offset, code in enumerate((INITIAL_RESPONSE, INVESTIGATION, IMPACT, PREVENTION, CHAIN_REVIEW)):
        _done(incident, code, day + timedelta(days=offset + 1), manager, note="デモ：対応済み")
    for code in (PRELIMINARY_REPORT, FINAL_REPORT, INDIVIDUAL_NOTICE, PUBLICATION, SUSPENSION):
        services.waive_step(step(incident, code), WAIVED_BELOW_THRESHOLD, actor=manager, now=_moment(day))
    services.waive_step(step(incident, VENDOR_PLAN), "是正は監査指摘で管理", actor=manager, now=_moment(day))
    services.close_incident(incident, "本人数12名、報告対象外。再発防止策を確認し終了。", actor=manager,
                            today=day + timedelta(days=10))  # fmt: skip
    return incident


def seed_incidents(users: dict, vendors: list[Vendor], *, today: date) -> list[Incident]:
    """Create the demo incidents at two active vendors; the caller commits."""
    active = [vendor for vendor in vendors if vendor.status == ACTIVE]
    if len(active) < 2:
        return []
    manager = users["manager@example.com"]
    return [
        _reportable_leak(active[0], manager, users["procurement@example.com"], today),
        _closed_small_loss(active[1], manager, today),
    ]

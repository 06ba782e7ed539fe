"""Demo audits: every kind and state, findings open, overdue and closed, a vendor overdue for audit,
an extra audit after an incident, and an indirect audit of a subcontractor (the contractor's own audit).

Dates are relative to ``today`` so the lights look the same whenever the demo is loaded.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from oversight.audits import findings as finding_services
from oversight.audits import services
from oversight.audits.models import FINDING, NOT_APPLICABLE, Audit
from oversight.vendors.models import Vendor

AUDITOR = "auditor@example.com"
AUDITING_MANAGER = "manager2@example.com"
MANAGER = "manager@example.com"


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), UTC)


def _plan(vendor: Vendor, kind: str, day: date, auditors: list, **values) -> Audit:
    data = {
        "kind": kind,
        "planned_on": day,
        "conducted_on": day,
        "auditor_ids": [user.id for user in auditors],
        **values,
    }
    return services.plan_audit(vendor, data, actor=auditors[0], today=day)


def _record(audit: Audit, day: date, actor, findings: dict[str, str] | None = None, skip: int = 0) -> None:
    """Start the audit and give results: ``findings`` maps item codes to notes; ``skip`` leaves the last items open."""
    services.start_recording(audit, actor=actor, today=day)
    findings = findings or {}
    rows = services.sorted_results(audit)
    values = {}
    for position, row in enumerate(rows):
        if skip and position >= len(rows) - skip:
            continue
        code = row.item.code
        result = FINDING if code in findings else NOT_APPLICABLE if code == "A20" else "conforming"
        values[row.item_id] = {"result": result, "note": findings.get(code, "")}
    services.save_results(audit, values, actor=actor, now=_moment(day))


def _finding(audit: Audit, code: str, severity: str, text: str, action: str, requested: date, due: date, actor):
    item = next((row.item_id for row in audit.results if row.item.code == code), None)
    values = {
        "item_id": item,
        "severity": severity,
        "description": text,
        "requested_action": action,
        "requested_on": requested,
        "due_on": due,
    }
    return finding_services.add_finding(audit, values, actor=actor, today=requested)


def _submit(audit: Audit, day: date, actor, rating="good", decision="continue", conditions="", summary=""):
    services.submit(
        audit, rating=rating, decision=decision, conditions=conditions, summary=summary, actor=actor, now=_moment(day)
    )


def _sign_off(audit: Audit, day: date, manager, note: str = "") -> None:
    services.sign_off(audit, actor=manager, note=note, today=day, now=_moment(day))


def _sakura(sakura: Vendor, people: dict, today: date) -> list[Audit]:
    """High risk, on-site audit two months ago: green; findings verified and closed."""
    auditor = people["auditor"]
    auditing_manager = people["auditing_manager"]
    manager = people["manager"]
    made: list[Audit] = []
    day = today - timedelta(days=60)
    audit = _plan(
        sakura,
        "on_site",
        day,
        [auditor, auditing_manager],
        period_start_on=day - timedelta(days=182),
        period_end_on=day,
        scope_note="定期監査（年2回）。管理区域と給与計算システムの実地確認。",
    )
    _record(audit, day, auditor, {"A10": "入退室記録に押印漏れ3件", "A14": "アクセスログの分析が四半期ごとに未実施"})
    closed = _finding(
        audit,
        "A10",
        "minor",
        "入退室記録に押印漏れが3件あった。",
        "記録様式を見直し、担当者へ周知すること。",
        day,
        day + timedelta(days=30),
        auditor,
    )
    verified = _finding(
        audit,
        "A14",
        "moderate",
        "アクセスログの定期分析が実施されていない。",
        "四半期ごとの分析手順を定め、初回分析結果を提出すること。",
        day,
        day + timedelta(days=45),
        auditor,
    )
    _submit(audit, day, auditor, summary="軽微な指摘2件。是正計画の提出を求めた。")
    _sign_off(audit, day + timedelta(days=2), manager, "指摘事項の是正を確認すること。")
    finding_services.record_plan(
        closed,
        plan_text="記録様式に押印欄チェックを追加し、朝礼で周知した。",
        received_on=day + timedelta(days=10),
        actor=auditor,
    )
    finding_services.verify(
        closed,
        is_effective=True,
        note="改訂様式と周知記録を確認。",
        verified_on=day + timedelta(days=20),
        actor=auditor,
    )
    finding_services.close(closed, actor=auditor, today=day + timedelta(days=20))
    finding_services.record_plan(
        verified,
        plan_text="分析手順書を制定。初回分析を実施済み。",
        received_on=day + timedelta(days=30),
        actor=auditor,
    )
    finding_services.verify(
        verified,
        is_effective=True,
        note="手順書と分析結果を確認。",
        verified_on=day + timedelta(days=40),
        actor=auditor,
    )
    made.append(audit)
    return made


def _himawari(himawari: Vendor, people: dict, today: date) -> list[Audit]:
    """Remote audit 170 days ago (high risk: due in about ten days), serious finding planned."""
    auditor = people["auditor"]
    manager = people["manager"]
    made: list[Audit] = []
    day = today - timedelta(days=170)
    audit = _plan(himawari, "remote", day, [auditor], scope_note="Web会議と画面共有による確認。")
    _record(audit, day, auditor, {"A13": "退職者のアカウントが残存"})
    serious = _finding(
        audit,
        "A13",
        "serious",
        "退職者2名のアカウントが削除されずに残っていた。",
        "全アカウントを棚卸しし、退職時の削除手順を定めること。",
        day,
        today + timedelta(days=20),
        auditor,
    )
    _submit(
        audit,
        day,
        auditor,
        rating="needs_improvement",
        decision="conditional",
        conditions="アカウント棚卸し結果を期限内に提出すること。",
    )
    _sign_off(audit, day + timedelta(days=3), manager)
    finding_services.record_plan(
        serious,
        plan_text="アカウント棚卸しを実施中。退職手続チェックリストに削除手順を追加予定。",
        received_on=day + timedelta(days=20),
        actor=auditor,
    )
    made.append(audit)
    return made


def _minato(minato: Vendor, people: dict, today: date) -> list[Audit]:
    """Medium risk, last questionnaire 13 months ago: overdue for audit; next one planned."""
    auditor = people["auditor"]
    auditing_manager = people["auditing_manager"]
    manager = people["manager"]
    made: list[Audit] = []
    day = today - timedelta(days=400)
    audit = _plan(minato, "questionnaire", day, [auditing_manager], scope_note="書面による質問票調査。")
    _record(audit, day, auditing_manager)
    _submit(audit, day, auditing_manager)
    _sign_off(audit, day + timedelta(days=5), manager)
    made.append(audit)
    made.append(
        services.plan_audit(
            minato,
            {
                "kind": "on_site",
                "planned_on": today + timedelta(days=7),
                "auditor_ids": [auditor.id],
                "scope_note": "監査期限超過のため実地調査を予定。",
            },
            actor=auditor,
            today=today,
        )
    )
    return made


def _aoba(aoba: Vendor, people: dict, today: date) -> list[Audit]:
    """An overdue finding (red), and an extra audit after an incident, under way."""
    auditor = people["auditor"]
    auditing_manager = people["auditing_manager"]
    manager = people["manager"]
    made: list[Audit] = []
    day = today - timedelta(days=120)
    audit = _plan(aoba, "on_site", day, [auditor])
    _record(audit, day, auditor, {"A12": "書類の持出記録が不備"})
    _finding(
        audit,
        "A12",
        "moderate",
        "個人番号関係書類の持出記録に記載漏れがあった。",
        "持出記録の運用を是正し、3か月分の記録を提出すること。",
        day,
        today - timedelta(days=10),
        auditor,
    )
    _submit(audit, day, auditor, rating="acceptable", decision="continue")
    _sign_off(audit, day + timedelta(days=2), manager)
    made.append(audit)
    trigger = services.trigger_extra_audit(
        aoba,
        "incident",
        "委託先で源泉徴収票の誤送付（漏えい等事案）が発生したため臨時監査を行う。",
        manager,
        today - timedelta(days=5),
    )
    extra = trigger.audit
    extra.conducted_on = today - timedelta(days=2)
    extra.auditors = [auditor, auditing_manager]
    _record(extra, today - timedelta(days=2), auditor, {"A19": "委託元への報告が遅延"}, skip=6)
    _finding(
        extra,
        "A19",
        "serious",
        "事案発生から委託元への報告まで3日を要した。",
        "報告連絡体制を見直し、再発防止策を書面で提出すること。",
        today - timedelta(days=2),
        today + timedelta(days=28),
        auditor,
    )
    made.append(extra)
    return made


def _signed_off_earlier(vendor: Vendor, kind: str, day: date, people: dict) -> Audit:
    """A conforming audit recorded by the auditor and signed off by the manager two days later."""
    audit = _plan(vendor, kind, day, [people["auditor"]])
    _record(audit, day, people["auditor"])
    _submit(audit, day, people["auditor"])
    _sign_off(audit, day + timedelta(days=2), people["manager"])
    return audit


def _fujimi(fujimi: Vendor, people: dict, today: date) -> list[Audit]:
    """Last year's remote audit signed off; this year's periodic report review awaiting the manager's sign-off."""
    auditor = people["auditor"]
    made: list[Audit] = [_signed_off_earlier(fujimi, "remote", today - timedelta(days=330), people)]
    day = today - timedelta(days=4)
    audit = _plan(
        fujimi,
        "periodic_report",
        day,
        [auditor],
        period_start_on=today - timedelta(days=365),
        period_end_on=today - timedelta(days=30),
        scope_note="年次の取扱状況報告書の確認。",
    )
    _record(audit, day, auditor)
    _submit(audit, day, auditor, summary="報告書の内容に問題なし。")
    made.append(audit)
    return made


def _hayabusa(hayabusa: Vendor, people: dict, today: date) -> list[Audit]:
    """An on-site audit a year ago (low risk: green); a periodic report review returned by the manager."""
    auditor = people["auditor"]
    manager = people["manager"]
    made: list[Audit] = [_signed_off_earlier(hayabusa, "on_site", today - timedelta(days=380), people)]
    day = today - timedelta(days=9)
    audit = _plan(hayabusa, "periodic_report", day, [auditor])
    _record(audit, day, auditor)
    _submit(audit, day, auditor)
    services.return_audit(audit, actor=manager, note="A16（暗号化）の根拠資料を添付してください。")
    made.append(audit)
    return made


def _kohaku(kohaku: Vendor, people: dict, today: date) -> list[Audit]:
    """Terminating: an on-site check of the deletion, planned."""
    auditor = people["auditor"]
    made: list[Audit] = []
    made.append(
        services.plan_audit(
            kohaku,
            {
                "kind": "on_site",
                "planned_on": today + timedelta(days=14),
                "auditor_ids": [auditor.id],
                "scope_note": "契約終了に伴う個人番号の削除・廃棄状況の確認。",
            },
            actor=auditor,
            today=today,
        )
    )
    return made


def _tokiwa(tokiwa: Vendor, people: dict, today: date, sakura: Vendor | None) -> list[Audit]:
    """Indirect supervision: さくら audited its subcontractor ときわ."""
    auditing_manager = people["auditing_manager"]
    manager = people["manager"]
    made: list[Audit] = []
    if sakura is None:
        return made
    day = today - timedelta(days=30)
    audit = _plan(
        tokiwa,
        "questionnaire",
        day,
        [auditing_manager],
        is_indirect=True,
        performed_by_vendor_id=sakura.id,
        performed_by_name="さくら給与計算センター 品質管理部 監査担当",
        scope_note="再委託先（源泉徴収票の印刷・封入）に対する委託先の監査結果を確認。",
    )
    _record(audit, day, auditing_manager)
    _submit(audit, day, auditing_manager, summary="委託先による再委託先監査の報告書を確認。問題なし。")
    _sign_off(audit, day + timedelta(days=1), manager)
    made.append(audit)
    return made


SCENARIOS = (
    ("株式会社さくら給与計算センター", _sakura),
    ("ひまわり社会保険労務士法人", _himawari),
    ("税理士法人みなと会計", _minato),
    ("株式会社あおば人事サービス", _aoba),
    ("株式会社ふじみ労務オフィス", _fujimi),
    ("株式会社はやぶさITサポート", _hayabusa),
    ("株式会社こはく年末調整センター", _kohaku),
)


def seed_audits(users: dict, vendors: list[Vendor], *, today: date) -> list[Audit]:
    """Create the demo audits against the demo vendors (found by name); the caller commits."""
    people = {"auditor": users[AUDITOR], "auditing_manager": users[AUDITING_MANAGER], "manager": users[MANAGER]}
    by_name = {vendor.name: vendor for vendor in vendors}
    audits: list[Audit] = []
    for name, scenario in SCENARIOS:
        vendor = by_name.get(name)
        if vendor is not None:
            audits.extend(scenario(vendor, people, today))
    tokiwa = by_name.get("株式会社ときわ印刷")
    if tokiwa is not None:
        audits.extend(_tokiwa(tokiwa, people, today, by_name.get("株式会社さくら給与計算センター")))
    return audits

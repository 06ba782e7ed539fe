"""What the PPC report draft and the notice to individuals say, as plain data read from one incident.

The report follows 規則第3条第1項各号 (items ①–⑨, details from [GL] 別添2 3D); the notice to
individuals holds items ①②④⑤⑨ only (規則第5条, [GL] 別添2 4C). Both are documents for the
Japanese authority and Japanese individuals, so their wording is Japanese whatever the user's
language (the UI around them is translated as usual).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from oversight.incidents import status
from oversight.incidents.clocks import Category
from oversight.incidents.models import (
    INDIVIDUAL_NOTICE,
    PRELIMINARY_REPORT,
    PREVENTION,
    PUBLICATION,
    STEP_DONE,
    STEP_WAIVED,
    VENDOR_PLAN,
    Incident,
)

PRELIMINARY, FINAL = "preliminary", "final"
STAGE_TITLES = {PRELIMINARY: "速報", FINAL: "確報"}
UNKNOWN = "（調査中）"
NONE_YET = "（未記入）"

KIND_JA = {"leak": "漏えい", "loss": "滅失", "damage": "毀損"}
CAUSE_PARTY_JA = {"vendor": "委託先", "subcontractor": "再委託先等", "principal": "報告者（当社）", "unknown": "調査中"}
CATEGORY_JA = {
    Category.R1_I: "規則第2条第1号イ（情報提供ネットワークシステム等に記録された特定個人情報）",
    Category.R1_RO: "規則第2条第1号ロ（個人番号利用事務に用いる情報システムで管理される特定個人情報）",
    Category.R1_HA: "規則第2条第1号ハ（行政機関等が個人番号関係事務に用いる情報システムで管理される特定個人情報）",
    Category.R2_I: "規則第2条第2号イ（不正の目的をもって行われたおそれがある漏えい等）",
    Category.R2_RO: "規則第2条第2号ロ（不正の目的をもって利用されたおそれ）",
    Category.R2_HA: "規則第2条第2号ハ（不正の目的をもって提供されたおそれ）",
    Category.R3: "規則第2条第3号（不特定多数の者に閲覧されたおそれ）",
    Category.R4_I: "規則第2条第4号イ（本人の数が100人を超える漏えい等）",
    Category.R4_RO: "規則第2条第4号ロ（本人の数が100人を超える第9条違反の利用）",
    Category.R4_HA: "規則第2条第4号ハ（本人の数が100人を超える第19条違反の提供）",
}
STEP_JA = {
    "initial_response": "初動対応（内部報告・被害拡大防止・ログ保全）",
    "investigation": "事実関係の調査・原因究明",
    "impact": "影響範囲の特定",
    "preliminary_report": "委員会へ速報",
    "final_report": "委員会へ確報",
    "individual_notice": "本人への通知（又は代替措置）",
    "publication": "公表",
    "prevention": "再発防止策の実施",
    "vendor_plan": "委託先の再発防止計画書を受領",
    "chain_review": "再委託の連鎖を確認",
    "suspension": "委託の停止の要否を判断",
}
ITEM_HEADINGS = {
    1: "① 概要",
    2: "② 特定個人情報の項目",
    3: "③ 特定個人情報に係る本人の数",
    4: "④ 原因",
    5: "⑤ 二次被害又はそのおそれの有無及びその内容",
    6: "⑥ 本人への対応の実施状況",
    7: "⑦ 公表の実施状況",
    8: "⑧ 再発防止のための措置",
    9: "⑨ その他参考となる事項",
}
NOTICE_ITEMS = (1, 2, 4, 5, 9)
# Rows of item ① written for the PPC, not for the individuals.
INTERNAL_ROWS = ("報告対象事態", "経緯")
MY_NUMBER_CHANGE = (
    "個人番号が不正に用いられるおそれがあると認められる場合、お住まいの市区町村に個人番号の変更を請求できます"
    "（番号法第7条第2項）。"
)


@dataclass(frozen=True)
class ReportItem:
    number: int
    heading: str
    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ReportData:
    """Everything the PDF shows, already worded: no model objects."""

    incident_id: int
    stage: str
    stage_title: str
    vendor_name: str
    title: str
    header: tuple[tuple[str, str], ...]
    items: tuple[ReportItem, ...]


def _day(value: date | None) -> str:
    return value.isoformat() if value else UNKNOWN


def _text(value: str | None, empty: str = NONE_YET) -> str:
    value = (value or "").strip()
    return value or empty


def _people(incident: Incident) -> str:
    if incident.people_final is not None:
        return f"{incident.people_final:,}人（確定）"
    if incident.people_min is None and incident.people_max is None:
        return UNKNOWN
    low = f"{incident.people_min:,}人" if incident.people_min is not None else "不明"
    high = f"{incident.people_max:,}人" if incident.people_max is not None else "不明"
    return f"最小 {low} ～ 最大 {high}（確定前。100人超の判定には最大数を用いる）"


def _step_status(incident: Incident, code: str) -> str:
    item = status.step(incident, code)
    if item is None:
        return NONE_YET
    if item.status == STEP_DONE:
        return f"実施済み（{_day(item.done_on)}）" + (f"\n{item.note}" if item.note else "")
    if item.status == STEP_WAIVED:
        return f"実施しない：{item.waiver_reason}"
    return "未実施" + (f"\n{item.note}" if item.note else "")


def _timeline(incident: Incident) -> str:
    events = [
        (incident.occurred_on, "発生"),
        (incident.vendor_knew_on, "委託先が把握"),
        (incident.vendor_notified_on, "委託先から当社へ通知"),
        (incident.department_knew_on, "当社部署が把握"),
    ]
    events += [
        (item.done_on, STEP_JA.get(item.code, item.code))
        for item in incident.steps
        if item.status == STEP_DONE and item.done_on
    ]
    lines = [f"{day.isoformat()}　{text}" for day, text in sorted((e for e in events if e[0]), key=lambda e: e[0])]
    return "\n".join(lines) or NONE_YET


def _categories(incident: Incident) -> str:
    view = status.reportability(incident)
    found = status.finding(incident)
    names = [
        CATEGORY_JA[Category(code)] + ("（本人の数と事態の種類による判定）" if code in found else "")
        for code in status.categories(incident)
    ]
    if view.override_reason:
        finding = "、".join(CATEGORY_JA[Category(code)] for code in found)
        names.append(f"本人の数による判定（{finding}）は適用しない。理由：{view.override_reason}")
    if incident.is_highly_encrypted:
        names.append("高度な暗号化等の措置あり（報告対象事態から除外）")
    verdict = "報告対象事態に該当" if view.is_reportable else "報告対象事態に該当しない（報告努力義務）"
    return "\n".join([verdict, *names]) if names else verdict


def _chain(incident: Incident) -> str:
    text = f"委託先：{incident.vendor.name}"
    if incident.chain_level:
        where = incident.where_vendor.name if incident.where_vendor else "不明"
        text += f"\n発生場所：第{incident.chain_level}次再委託先 {where}"
    if incident.contract is not None:
        text += f"\n委託契約：{incident.contract.number} {incident.contract.title}"
    return text


def _prevention(incident: Incident) -> str:
    done = [f"封じ込め・応急措置：{_text(incident.containment)}"]
    prevention = status.step(incident, PREVENTION)
    plan = status.step(incident, VENDOR_PLAN)
    if prevention is not None and prevention.status == STEP_DONE:
        done.append(f"再発防止策：{_text(prevention.note)}（{_day(prevention.done_on)}実施）")
    planned = []
    if prevention is not None and prevention.status != STEP_DONE:
        planned.append(f"再発防止策：{_text(prevention.note, '検討中')}")
    if plan is not None and plan.status != STEP_DONE:
        due = f"（提出期限 {plan.due_on.isoformat()}）" if plan.due_on else ""
        planned.append(f"委託先の再発防止計画書の提出{due}")
    elif plan is not None:
        done.append(f"委託先の再発防止計画書を受領（{_day(plan.done_on)}）")
    return "【実施済みの措置】\n" + "\n".join(done) + "\n【今後実施予定の措置】\n" + ("\n".join(planned) or "なし")


def _others(incident: Incident, stage: str) -> str:
    lines = []
    preliminary = status.step(incident, PRELIMINARY_REPORT)
    if stage == FINAL and preliminary is not None and preliminary.status == STEP_DONE:
        reference = f"（受付番号 {preliminary.reference}）" if preliminary.reference else ""
        lines.append(f"速報提出日：{_day(preliminary.done_on)}{reference}")
    if status.is_improper_purpose(incident):
        lines.append("不正の目的によるおそれがあるため、確報期限は60日")
    lines.append(_text(incident.other_notes, ""))
    return "\n".join(line for line in lines if line) or "なし"


def report_items(incident: Incident, stage: str) -> tuple[ReportItem, ...]:
    """Items ①–⑨ of 規則第3条第1項, filled from the record."""
    kind = KIND_JA.get(incident.kind, incident.kind) + ("のおそれ" if incident.is_suspected else "")
    return (
        ReportItem(1, ITEM_HEADINGS[1], (
            ("発生日", _day(incident.occurred_on)),
            ("発覚日（当社が知った日）", _day(status.principal_knew_on(incident))),
            ("事案の種類", kind),
            ("発生事案", _text(incident.description)),
            ("発見者", _text(incident.discovered_by)),
            ("報告対象事態", _categories(incident)),
            ("委託元・委託先の有無", _chain(incident)),
            ("経緯", _timeline(incident)),
        )),
        ReportItem(2, ITEM_HEADINGS[2], (("媒体", _text(incident.media)), ("項目", _text(incident.data_items)))),
        ReportItem(3, ITEM_HEADINGS[3], (("本人の数", _people(incident)),)),
        ReportItem(4, ITEM_HEADINGS[4], (
            ("原因", _text(incident.cause)),
            ("発生主体", CAUSE_PARTY_JA.get(incident.cause_party, incident.cause_party)),
        )),
        ReportItem(5, ITEM_HEADINGS[5], (("二次被害", _text(incident.secondary_harm)),)),
        ReportItem(6, ITEM_HEADINGS[6], (("本人への通知等", _step_status(incident, INDIVIDUAL_NOTICE)),)),
        ReportItem(7, ITEM_HEADINGS[7], (("公表", _step_status(incident, PUBLICATION)),)),
        ReportItem(8, ITEM_HEADINGS[8], (("措置", _prevention(incident)),)),
        ReportItem(9, ITEM_HEADINGS[9], (("その他", _others(incident, stage)),)),
    )  # fmt: skip


def report_data(incident: Incident, stage: str, today: date) -> ReportData:
    """The PPC report draft for ``stage`` (``preliminary`` = 速報, ``final`` = 確報)."""
    stage = stage if stage in STAGE_TITLES else PRELIMINARY
    clock = status.deadline(incident, stage, today)
    header = (
        ("報告区分", STAGE_TITLES[stage]),
        ("事案", f"#{incident.id} {incident.title}"),
        ("委託先", incident.vendor.name),
        ("報告期限の目安" if stage == PRELIMINARY else "報告期限", _day(clock.due_on)),
    )
    return ReportData(
        incident.id,
        stage,
        STAGE_TITLES[stage],
        incident.vendor.name,
        incident.title,
        header,
        report_items(incident, stage),
    )


def notice_data(incident: Incident) -> ReportData:
    """The notice to individuals: items ①②④⑤⑨ only (規則第5条)."""
    items = []
    for item in report_items(incident, FINAL):
        if item.number not in NOTICE_ITEMS:
            continue
        rows = tuple(row for row in item.rows if row[0] not in INTERNAL_ROWS)
        if item.number == 9:
            rows = (("個人番号の変更", MY_NUMBER_CHANGE),)  # our notes (item ⑨ of the report) stay internal
        items.append(ReportItem(item.number, item.heading, rows))
    header = (("事案", incident.title), ("委託先", incident.vendor.name))
    return ReportData(incident.id, "notice", "本人への通知", incident.vendor.name, incident.title, header, tuple(items))

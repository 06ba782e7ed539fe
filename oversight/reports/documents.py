"""The issued documents as ``ReportDocument``s, built from ``data``'s plain values (no database access).

Each builder takes an empty document (``responses.new_document`` on the web and in the CLI) so the
company name, time zone and generation time are stamped in one place. The fixed terms are Japanese:
the documents are Japanese records whatever the reader's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from oversight.pdf.document import ReportDocument
from oversight.reports.data import (
    AuditReport,
    ClauseChecklist,
    DisposalRecord,
    EvidenceRef,
    RegisterRow,
    VendorFile,
)

REGISTER_TITLE = "委託先管理台帳"
VENDOR_FILE_TITLE = "委託先監督記録"
CHECKLIST_TITLE = "契約条項チェックリスト"
AUDIT_TITLE = "監査報告書"
DISPOSAL_TITLE = "返却・廃棄確認記録"

REGISTER_HEADER = (
    "No.",
    "委託先名／法人番号",
    "状態",
    "リスク",
    "担当者",
    "選定",
    "契約",
    "把握",
    "再委託",
    "返却・廃棄",
)
# Points of the 757-point frame of A4 landscape, so that words stay whole: the number, the name (about 12
# characters a line) over its 13-digit corporate number, the status (終了処理中), the risk tier, a person's
# name, and each light sized for its longest text (すべての再委託先が許諾済み, この状態では監査対象外…).
REGISTER_WIDTHS = (22, 104, 50, 34, 50, 100, 84, 126, 118, 69)
NONE_TEXT = "該当なし"


def register_document(document: ReportDocument, rows: Iterable[RegisterRow], filters: str = "") -> ReportDocument:
    """委託先管理台帳: one row per vendor with its five oversight lights (one table, its header on every page).

    ``rows`` are read while the PDF is rendered, a page at a time (``streamed_table``): pass a
    generator that loads in batches and the register's memory does not grow with the vendors.
    """
    shown = 0

    def cells() -> Iterator[tuple]:
        nonlocal shown
        for row in rows:
            shown += 1
            name = f"{row.name}\n{row.corporate_number}".strip()
            yield (row.number, name, row.status, row.risk, row.owner, *row.lights)

    document.paragraph(f"抽出条件：{filters or 'すべての委託先'}", is_small=True)
    document.streamed_table(REGISTER_HEADER, cells(), REGISTER_WIDTHS)
    document.late_paragraph(
        lambda: (
            f"掲載件数：{shown}件。選定＝有効な承認済み選定評価、契約＝必須条項を満たす有効な契約（再委託先としてのみ取り扱う委託先は許諾）、"
            "把握＝監査周期内かつ期限超過の指摘なし、再委託＝全再委託先の許諾、返却・廃棄＝期限内の返却・廃棄完了。"
        ),
        is_small=True,
    )
    return document


def _table_or_none(document: ReportDocument, header, rows, widths=None) -> None:
    if rows:
        document.table(header, rows, widths)
    else:
        document.paragraph(NONE_TEXT, is_small=True)


def vendor_file_document(document: ReportDocument, data: VendorFile) -> ReportDocument:
    """委託先監督記録: the register entry and every oversight record of one vendor."""
    document.heading("1. 台帳情報").key_values(data.register)
    document.heading("2. 監督状況").key_values(data.lights)
    document.heading("3. 連絡先", level=2)
    _table_or_none(document, ("氏名", "部署", "役割", "メール", "電話"), data.contacts)
    document.heading("4. 認証", level=2)
    _table_or_none(document, ("種類", "名称", "番号", "発行機関", "有効期限", "備考"), data.certifications)
    document.heading("5. 選定評価")
    _table_or_none(
        document,
        ("評価", "状態", "判定", "判定日時", "有効期限", "条件・メモ"),
        data.evaluations,
        (6, 9, 11, 12, 9, 20),
    )
    document.heading("6. 委託契約と条項チェック")
    if not data.contracts:
        document.paragraph(NONE_TEXT, is_small=True)
    for contract in data.contracts:
        document.heading(contract.title, level=2).key_values(contract.facts)
        if contract.clause_rows:
            header = ("条項", "内容", "結果", "条番号", "メモ・適用除外")
            document.table(header, contract.clause_rows, (5, 30, 9, 7, 18))
    document.heading("7. 取扱状況の把握（監査）")
    if not data.audits:
        document.paragraph(NONE_TEXT, is_small=True)
    for audit in data.audits:
        document.heading(f"監査 {audit.title}", level=2).key_values(audit.facts)
        if audit.result_rows:
            document.table(("項目", "内容", "結果", "メモ"), audit.result_rows, (5, 34, 9, 18))
        if audit.finding_rows:
            document.heading("指摘事項", level=2)
            document.table(FINDING_HEADER, audit.finding_rows, FINDING_WIDTHS)
    document.heading("8. 再委託（許諾）")
    _table_or_none(
        document,
        ("契約", "階層", "再委託先", "委託元", "許諾", "許諾期限", "状況"),
        data.subcontracts,
        (9, 7, 16, 14, 9, 9, 14),
    )
    document.heading("9. 返却・廃棄")
    _table_or_none(
        document,
        ("契約", "実施者", "期限", "方法", "完了日", "証明書番号", "状態"),
        data.disposals,
        (9, 14, 9, 9, 9, 10, 9),
    )
    document.heading("10. 漏えい等事案")
    _table_or_none(
        document, ("事案", "件名", "種類", "委託先覚知日", "状態", "終結日"), data.incidents, (5, 24, 9, 9, 7, 9)
    )
    document.heading("11. 操作履歴（直近）")
    _table_or_none(document, ("日時", "実施者", "操作", "内容"), data.changes, (10, 13, 12, 26))
    document.heading("12. 証跡ファイル一覧")
    _evidence_index(document, data.evidence)
    return document


def _evidence_index(document: ReportDocument, refs: list[EvidenceRef]) -> None:
    rows = [(ref.record, pack_path(ref), ref.size, ref.uploaded_at) for ref in refs]
    _table_or_none(document, ("記録", "ファイル（証跡パック内）", "サイズ", "登録日時"), rows, (16, 28, 6, 11))


def pack_path(ref: EvidenceRef) -> str:
    """Where an evidence file sits inside the evidence pack: ``files/<evidence id>_<safe name>``."""
    return f"files/{ref.evidence_id}_{safe_filename(ref.filename)}"


def download_name(title: str, *parts: object, extension: str = "pdf") -> str:
    """A document's file name: its title, what it is about (the vendor's name…) and the date, joined by
    ``_``, e.g. ``委託先監督記録_株式会社サンプル_2026-12-07.pdf`` (no folder or reserved characters)."""
    shown = [str(part.isoformat() if hasattr(part, "isoformat") else part).strip() for part in parts]
    return safe_filename("_".join([title, *(part for part in shown if part)]) + f".{extension}")


def safe_filename(name: str, limit: int = 120) -> str:
    """A file name that stays one entry inside a ZIP: no folders, no control or reserved characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join("_" if (ord(char) < 32 or char in '<>:"|?*') else char for char in name).strip(" .")
    if not cleaned or set(cleaned) <= {"."}:
        cleaned = "file"
    if len(cleaned) > limit:
        stem, dot, extension = cleaned.rpartition(".")
        cleaned = (
            (stem[: limit - len(extension) - 1] + "." + extension) if dot and len(extension) < 10 else cleaned[:limit]
        )
    return cleaned


FINDING_HEADER = ("項目", "重要度", "指摘内容", "是正要求", "期限", "状態", "是正計画", "確認日", "確認者")
# Dates (2026-11-07) and the status 是正確認済み fit on one line; the verifier is shown by name.
FINDING_WIDTHS = (5, 6, 16, 14, 10, 11, 14, 10, 9)


def clause_checklist_document(document: ReportDocument, data: ClauseChecklist) -> ReportDocument:
    """契約条項チェックリスト: one review round's clause findings, waivers and the sign-off boxes."""
    document.heading("1. 審査の概要").key_values(data.facts)
    document.heading("2. 条項ごとの確認結果")
    _table_or_none(document, ("条項", "確認項目", "結果", "条番号", "引用", "メモ"), data.rows, (5, 24, 8, 7, 22, 10))
    document.heading("3. 適用除外")
    _table_or_none(document, ("条項", "理由", "申請者", "承認者", "承認日時"), data.waivers, (5, 30, 9, 9, 11))
    document.heading("4. 確認")
    return document.signatures(("法務", "管理責任者"))


def audit_report_document(document: ReportDocument, data: AuditReport) -> ReportDocument:
    """監査報告書: the audit, its checklist results and findings, signed by the auditor and the manager."""
    document.heading("1. 監査の概要").key_values(data.facts)
    document.heading("2. チェックリスト結果")
    _table_or_none(document, ("項目", "区分", "確認内容", "結果", "メモ"), data.result_rows, (5, 10, 30, 9, 16))
    document.heading("3. 指摘事項")
    _table_or_none(document, FINDING_HEADER, data.finding_rows, FINDING_WIDTHS)
    document.heading("4. 確認")
    return document.signatures(("監査担当", "管理責任者"))


def disposal_record_document(document: ReportDocument, data: DisposalRecord) -> ReportDocument:
    """返却・廃棄確認記録: the item and the certificate fields of guideline reference §6.3."""
    document.heading("1. 対象").key_values([("委託者", document.company_name), *data.facts])
    document.heading("2. 削除・廃棄証明書の記載事項").key_values(data.certificate)
    document.paragraph("個人番号そのものは本記録に記載しません。", is_small=True)
    document.heading("3. 委託者による確認").key_values(data.confirmation)
    return document.signatures(("管理責任者",))

"""The PPC report draft and the notice to individuals as ``ReportDocument``s, from ``data.ReportData``."""

from __future__ import annotations

from oversight.incidents.data import PRELIMINARY, ReportData
from oversight.pdf.document import ReportDocument
from oversight.pdf.responses import new_document

REPORT_NOTE = (
    "個人情報保護委員会への報告（規則第3条）の下書きです。提出は委員会ウェブサイトの報告フォームから行います。"
    "速報では、その時点で把握している内容を記載し、確報で追完します。"
)
NOTICE_INTRO = (
    "このたび、当社が事務を委託している事業者において、お客様の特定個人情報に係る事案が発生しました。"
    "ご迷惑とご心配をおかけしますことを深くお詫び申し上げます。概要は次のとおりです。"
)


def report_document(data: ReportData) -> ReportDocument:
    """特定個人情報の漏えい等に関する報告 (速報 or 確報) with items ①–⑨."""
    subtitle = "速報" if data.stage == PRELIMINARY else "確報"
    document = new_document("特定個人情報の漏えい等に関する報告書（下書き）", subtitle=subtitle)
    document.key_values(data.header).paragraph(REPORT_NOTE, is_small=True)
    for item in data.items:
        document.heading(item.heading, level=2).key_values(item.rows)
    return document.signatures(("作成者", "管理責任者"))


def notice_document(data: ReportData) -> ReportDocument:
    """本人への通知 (規則第5条): items ①②④⑤⑨ in a letter to the individuals."""
    document = new_document("特定個人情報の漏えい等に関するお知らせ", is_confidential=False)
    document.key_values(data.header).paragraph(NOTICE_INTRO)
    for item in data.items:
        document.heading(item.heading, level=2).key_values(item.rows)
    return document.paragraph("お問い合わせ先：（窓口の名称・電話番号・受付時間を記入）")

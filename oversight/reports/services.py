"""Issuing the documents: load (``data``), build (``documents``), render, and log the download.

The web views and the ``flask reports`` commands call these same functions.
"""

from __future__ import annotations

from datetime import date
from typing import IO, Any

from oversight.activity import services as activity
from oversight.pdf.document import ReportDocument
from oversight.pdf.render import render_pdf
from oversight.pdf.responses import new_document
from oversight.reports import data, documents
from oversight.reports.pack import build_pack, pdf_name
from oversight.vendors.models import Vendor

REGISTER = "register"
VENDOR_FILE = "vendor_file"
EVIDENCE_PACK = "evidence_pack"
CLAUSE_CHECKLIST = "clause_checklist"
AUDIT_REPORT = "audit_report"
DISPOSAL_RECORD = "disposal_record"
KIND_TITLES = {
    REGISTER: documents.REGISTER_TITLE,
    VENDOR_FILE: documents.VENDOR_FILE_TITLE,
    EVIDENCE_PACK: "証跡パック",
    CLAUSE_CHECKLIST: documents.CHECKLIST_TITLE,
    AUDIT_REPORT: documents.AUDIT_TITLE,
    DISPOSAL_RECORD: documents.DISPOSAL_TITLE,
}


def register_document(filters: dict[str, Any], *, sort: Any = None, filter_text: str = "") -> ReportDocument:
    """委託先管理台帳 for the vendor list's filters (vendors and lights loaded in batches), A4 landscape."""
    rows = data.register_rows(data.register_vendor_ids(filters, sort))
    return documents.register_document(new_document(documents.REGISTER_TITLE, is_landscape=True), rows, filter_text)


def vendor_file(vendor: Vendor, today: date) -> tuple[ReportDocument, data.VendorFile]:
    """委託先監督記録 of one vendor, and the data it was built from (for the evidence pack)."""
    file = data.vendor_file(vendor, today)
    document = new_document(documents.VENDOR_FILE_TITLE, subtitle=vendor.name)
    return documents.vendor_file_document(document, file), file


def evidence_pack(document: ReportDocument, file: data.VendorFile) -> IO[bytes]:
    """The evidence pack of the vendor file ``document`` was built from, as a spooled ZIP."""
    return build_pack(
        render_pdf(document), pdf_name(file.vendor_id, file.vendor_name), file.evidence, document.generated_at
    )


def clause_checklist(review) -> ReportDocument:
    """契約条項チェックリスト of one review round."""
    checklist = data.clause_checklist(review)
    document = new_document(documents.CHECKLIST_TITLE, subtitle=f"{review.contract.number}　第{review.round_number}回")
    return documents.clause_checklist_document(document, checklist)


def audit_report(audit) -> ReportDocument:
    """監査報告書 of one audit."""
    report = data.audit_report(audit)
    document = new_document(documents.AUDIT_TITLE, subtitle=f"{report.vendor_name}　監査 #{audit.id}")
    return documents.audit_report_document(document, report)


def disposal_record(item) -> ReportDocument:
    """返却・廃棄確認記録 of one return/deletion item."""
    record = data.disposal_record(item)
    document = new_document(documents.DISPOSAL_TITLE, subtitle=f"{record.vendor_name}　#{item.id}")
    return documents.disposal_record_document(document, record)


def record_download(kind: str, *, actor: Any, target: Any = None, summary: str = "") -> None:
    """Log that ``actor`` downloaded a document of ``kind`` (the caller commits).

    The summary is the document's title and what it covers in words; the kind's code goes in the
    changes (``document``), which the log shows by its title."""
    activity.record(
        "report.download",
        actor=actor,
        target=target,
        summary=f"{KIND_TITLES.get(kind, kind)} {summary}".strip()[:2000],
        changes={"document": [None, kind]},
    )

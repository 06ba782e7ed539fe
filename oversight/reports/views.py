"""Document downloads: the register, a vendor's oversight file and evidence pack, and per-record PDFs.

Every signed-in role may read the records, so every role may download their PDFs; the evidence pack
also needs the right to download each file in it. Every download is logged (``report.download``).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, request
from flask_babel import force_locale
from flask_login import current_user

from oversight.auth import services as auth_services
from oversight.auth.decorators import role_required
from oversight.contracts.models import Contract
from oversight.core.exports import content_disposition
from oversight.core.query import query_int
from oversight.core.timeutil import local_today
from oversight.evidence import services as evidence_services
from oversight.extensions import db
from oversight.pdf.responses import pdf_response
from oversight.reports import data, services
from oversight.reports.documents import download_name
from oversight.reports.pack import may_download_all
from oversight.vendors import services as vendor_services
from oversight.vendors.forms import VendorFilterForm

bp = Blueprint("reports", __name__, url_prefix="/reports")
ZIP_MIMETYPE = "application/zip"


def _or_404(record):
    if record is None:
        abort(404)
    return record


def _logged(kind: str, target=None, summary: str = "") -> None:
    services.record_download(kind, actor=current_user, target=target, summary=summary)
    db.session.commit()


def _filter_text(form: VendorFilterForm) -> str:
    """The list filters in words, in Japanese, for the register's first line."""
    parts = []
    with force_locale("ja"):
        for field in form:
            if not field.data or field.name == "csrf_token":
                continue
            shown = (
                dict((str(value), str(label)) for value, label, *_ in field.iter_choices()).get(field.data)
                if hasattr(field, "iter_choices")
                else field.data
            )
            parts.append(f"{field.label.text}＝{shown or field.data}")
    return "、".join(parts)


@bp.route("/register.pdf")
@role_required()
def register():
    """委託先管理台帳 with the vendor list's filters applied."""
    form = VendorFilterForm(request.args, users=auth_services.selectable_users())
    filters = form.data if form.validate() else {}
    document = services.register_document(
        filters, sort=vendor_services.SORTING.read(request.args), filter_text=_filter_text(form) if filters else ""
    )
    _logged(services.REGISTER, summary=_filter_text(form) if filters else "")  # the filters in words, not a query
    today = local_today()
    return pdf_response(
        document, download_name(document.title, today), fallback=download_name("vendor-register", today)
    )


@bp.route("/vendors/<int:vendor_id>.pdf")
@role_required()
def vendor_file(vendor_id: int):
    """委託先監督記録 of one vendor."""
    vendor = _or_404(data.load_vendor(vendor_id))
    document, _file = services.vendor_file(vendor, local_today())
    _logged(services.VENDOR_FILE, vendor, vendor.name)
    today = local_today()
    return pdf_response(
        document,
        download_name(document.title, vendor.name, today),
        fallback=download_name("vendor-file", vendor.id, today),
    )


@bp.route("/vendors/<int:vendor_id>/pack.zip")
@role_required()
def evidence_pack(vendor_id: int):
    """The evidence pack (PDF, files, index) for users who may download every file in it."""
    vendor = _or_404(data.load_vendor(vendor_id))
    document, file = services.vendor_file(vendor, local_today())
    if not may_download_all(current_user, file.evidence):
        abort(403)
    spool = services.evidence_pack(document, file)
    size = spool.seek(0, 2)
    spool.seek(0)
    _logged(services.EVIDENCE_PACK, vendor, f"{vendor.name} ({len(file.evidence)})")
    today = local_today()
    filename = download_name("証跡パック", vendor.name, today, extension="zip")
    fallback = download_name("evidence-pack", vendor.id, today, extension="zip")
    response = Response(
        evidence_services.chunks(spool),
        mimetype=ZIP_MIMETYPE,
        headers={"Content-Disposition": content_disposition(filename, fallback=fallback), "Cache-Control": "no-store"},
        direct_passthrough=True,
    )
    response.content_length = size
    return response


@bp.route("/contracts/<int:contract_id>/checklist.pdf")
@role_required()
def clause_checklist(contract_id: int):
    """契約条項チェックリスト of a review round (``?round=N``, the latest by default)."""
    _or_404(db.session.get(Contract, contract_id))
    review = _or_404(data.load_review(contract_id, query_int("round")))
    document = services.clause_checklist(review)
    _logged(services.CLAUSE_CHECKLIST, review, f"{review.contract.number} #{review.round_number}")
    contract, today = review.contract, local_today()
    return pdf_response(
        document,
        download_name(document.title, contract.vendor.name, contract.number, f"第{review.round_number}回", today),
        fallback=download_name("clause-checklist", contract.number, f"round-{review.round_number}", today),
    )


@bp.route("/audits/<int:audit_id>.pdf")
@role_required()
def audit_report(audit_id: int):
    """監査報告書 of one audit."""
    audit = _or_404(data.load_audit(audit_id))
    document = services.audit_report(audit)
    _logged(services.AUDIT_REPORT, audit, audit.vendor.name)
    today = local_today()
    return pdf_response(
        document,
        download_name(document.title, audit.vendor.name, today),
        fallback=download_name("audit-report", audit.id, today),
    )


@bp.route("/disposals/<int:item_id>.pdf")
@role_required()
def disposal_record(item_id: int):
    """返却・廃棄確認記録 of one return/deletion item."""
    item = _or_404(data.load_disposal(item_id))
    document = services.disposal_record(item)
    _logged(services.DISPOSAL_RECORD, item, item.vendor.name)
    today = local_today()
    return pdf_response(
        document,
        download_name(document.title, item.vendor.name, today),
        fallback=download_name("return-deletion-record", item.id, today),
    )

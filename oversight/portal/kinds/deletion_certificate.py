"""The return/deletion certificate (返却・廃棄の証明書) at a contract's end: the §6.3 fields and the
certificate file, for one return/deletion item held by the vendor or by one of its consented
subcontractors (a subcontractor's own contact may be asked directly). Accepted, the certificate is
recorded on the item, which waits for a manager's confirmation in the return/deletion pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_

from oversight.contracts.models import Contract
from oversight.disposals import permissions as disposal_permissions
from oversight.disposals import services as disposal_services
from oversight.disposals.models import CERTIFICATE_FIELDS, METHOD_LABELS, DisposalItem
from oversight.extensions import db
from oversight.portal.errors import PortalRuleError
from oversight.portal.kinds.base import CERTIFICATE, RequestKind, Row, as_upload, copy_file, request_files
from oversight.portal.models import DELETION_CERTIFICATE, PortalRequest, PortalSubmission

DATE_FIELDS = frozenset({"completed_on"})
NUMBER_FIELDS = frozenset({"media_quantity"})
FLAG_FIELDS = frozenset({"covers_backups", "irrecoverable"})
REQUIRED_FIELDS = ("method", "completed_on", "data_items", "media", "responsible_person")


def item_label(item: DisposalItem) -> str:
    return f"{item.contract.number} {item.contract.title} — {item.vendor.name} ({item.due_on.isoformat()})"


def values_of(certificate: dict[str, Any]) -> dict[str, Any]:
    """The stored (JSON) certificate as the return/deletion service takes it (a date, a number)."""
    values: dict[str, Any] = {}
    for field in CERTIFICATE_FIELDS:
        value = certificate.get(field)
        if field in DATE_FIELDS:
            value = date.fromisoformat(value) if value else None
        values[field] = value
    return values


class DeletionCertificate(RequestKind):
    name = DELETION_CERTIFICATE
    shape = CERTIFICATE
    reviewers = disposal_permissions.RECORDERS
    subject_label = _l("Return/deletion item")
    accepted_message = _l(
        "The certificate was accepted and recorded on the return/deletion item; a manager confirms it there."
    )

    def subjects(self, vendor) -> list[tuple[int, str]]:
        """The unconfirmed items without a recorded certificate held by ``vendor``, or by a subcontractor
        on one of ``vendor``'s contracts."""
        query = (
            db.select(DisposalItem)
            .join(Contract, Contract.id == DisposalItem.contract_id)
            .where(
                or_(DisposalItem.vendor_id == vendor.id, Contract.vendor_id == vendor.id),
                DisposalItem.confirmed_at.is_(None),
                DisposalItem.recorded_at.is_(None),
            )
            .order_by(DisposalItem.due_on, DisposalItem.id)
        )
        return [(item.id, item_label(item)) for item in db.session.scalars(query)]

    def subject(self, request: PortalRequest) -> DisposalItem | None:
        return db.session.get(DisposalItem, request.subject_id) if request.subject_id else None

    def prepare(self, request: PortalRequest, *, subject_id: int | None, today: date) -> None:
        if subject_id not in {item_id for item_id, _label in self.subjects(request.vendor)}:
            raise PortalRuleError(_l("Choose the return/deletion item the certificate is for."))
        request.subject_id = subject_id

    def items(self, request: PortalRequest) -> list[Row]:
        return [
            Row("certificate", str(_l("Certificate fields"))),
            Row("file", str(_l("Certificate file"))),
        ]

    def blank(self) -> dict[str, Any]:
        return {"certificate": {}}

    def clean(self, request: PortalRequest, values: dict[str, Any]) -> dict[str, Any]:
        given = values.get("certificate") or {}
        certificate: dict[str, Any] = {}
        for field in CERTIFICATE_FIELDS:
            value = given.get(field)
            if field in DATE_FIELDS:
                value = value.isoformat() if isinstance(value, date) else (value or None)
            elif field in NUMBER_FIELDS:
                value = int(value) if isinstance(value, int) else None
            elif field in FLAG_FIELDS:
                value = bool(value)
            else:
                value = (value or "").strip()
            certificate[field] = value
        if certificate["method"] not in METHOD_LABELS:
            certificate["method"] = ""
        return {"certificate": certificate}

    def complete(self, request: PortalRequest, answers: dict[str, Any], *, today: date) -> dict[str, Any]:
        certificate = answers["certificate"]
        if any(not certificate.get(field) for field in REQUIRED_FIELDS):
            raise PortalRuleError(
                _l("Fill in the method, the date, the data, the media and the responsible person before submitting.")
            )
        if date.fromisoformat(certificate["completed_on"]) > today:
            raise PortalRuleError(_l("The date of return/deletion cannot be in the future."))
        if certificate["method"] != "return" and not certificate["irrecoverable"]:
            raise PortalRuleError(_l("A deletion certificate must state that the data cannot be recovered."))
        if not request_files(request):
            raise PortalRuleError(_l("Upload the certificate file before submitting."))
        return answers

    def accept(
        self, request: PortalRequest, submission: PortalSubmission, *, actor: Any, today: date, now: datetime
    ) -> Any:
        """Record the certificate on the item, with the vendor's files; the item then waits for a manager."""
        item = self.subject(request)
        if item is None or item.is_confirmed:
            raise PortalRuleError(_l("The return/deletion item is confirmed already or no longer exists."))
        values = values_of(submission.answers.get("certificate", {}))
        files = [evidence for evidence in request_files(request) if evidence.id in set(submission.evidence_ids)]
        if not files:
            raise PortalRuleError(_l("Upload the certificate file before submitting."))
        for evidence in files[1:]:
            copy_file(evidence, ("disposal", item.id), actor, document_date=values["completed_on"])
        with as_upload(files[0]) as upload:
            disposal_services.record_certificate(item, values, file_storage=upload, actor=actor, now=now, today=today)
        return item


KIND = DeletionCertificate()

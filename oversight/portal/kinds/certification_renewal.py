"""Certification renewal: the vendor uploads its renewed Pマーク/ISMS certificate with the new number, issuer
and expiry, for one certification on its register entry; accepted by procurement, the certification record
takes the new details (the file stays on the request, shown on its page)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from oversight.auth.roles import ADMIN, PROCUREMENT
from oversight.extensions import db
from oversight.portal.errors import PortalRuleError
from oversight.portal.kinds.base import RENEWAL, RequestKind, Row, request_files
from oversight.portal.models import CERTIFICATION_RENEWAL, PortalRequest, PortalSubmission
from oversight.vendors import services as vendor_services
from oversight.vendors.models import VendorCertification

TEXT_FIELDS = ("number", "issuer")


def certification_label(certification: VendorCertification) -> str:
    expiry = certification.expires_on.isoformat() if certification.expires_on else "—"
    return f"{certification.kind_label} {certification.name} {certification.number} ({expiry})".replace("  ", " ")


class CertificationRenewal(RequestKind):
    name = CERTIFICATION_RENEWAL
    shape = RENEWAL
    reviewers = (PROCUREMENT, ADMIN)  # those who keep the vendor's register entry
    subject_label = _l("Certification")
    accepted_message = _l("The renewal was accepted: the certification record has the new details.")

    def subjects(self, vendor) -> list[tuple[int, str]]:
        query = (
            db.select(VendorCertification)
            .where(VendorCertification.vendor_id == vendor.id)
            .order_by(VendorCertification.expires_on, VendorCertification.id)
        )
        return [(certification.id, certification_label(certification)) for certification in db.session.scalars(query)]

    def subject(self, request: PortalRequest) -> VendorCertification | None:
        return db.session.get(VendorCertification, request.subject_id) if request.subject_id else None

    def prepare(self, request: PortalRequest, *, subject_id: int | None, today: date) -> None:
        if subject_id not in {found for found, _label in self.subjects(request.vendor)}:
            raise PortalRuleError(_l("Choose the certification to renew."))
        request.subject_id = subject_id

    def items(self, request: PortalRequest) -> list[Row]:
        return [Row("renewal", str(_l("Renewed certification"))), Row("file", str(_l("Certificate file")))]

    def blank(self) -> dict[str, Any]:
        return {"renewal": {}}

    def clean(self, request: PortalRequest, values: dict[str, Any]) -> dict[str, Any]:
        given = values.get("renewal") or {}
        expires_on = given.get("expires_on")
        renewal = {field: (given.get(field) or "").strip() for field in TEXT_FIELDS}
        renewal["expires_on"] = expires_on.isoformat() if isinstance(expires_on, date) else (expires_on or None)
        return {"renewal": renewal}

    def complete(self, request: PortalRequest, answers: dict[str, Any], *, today: date) -> dict[str, Any]:
        renewal = answers["renewal"]
        if not renewal.get("expires_on"):
            raise PortalRuleError(_l("Enter the new expiry date."))
        expires_on = date.fromisoformat(renewal["expires_on"])
        current = self.subject(request)
        if expires_on <= today or (current is not None and current.expires_on and expires_on <= current.expires_on):
            raise PortalRuleError(_l("The new expiry must be later than today and than the current expiry."))
        if not request_files(request):
            raise PortalRuleError(_l("Upload the renewed certificate before submitting."))
        return answers

    def accept(
        self, request: PortalRequest, submission: PortalSubmission, *, actor: Any, today: date, now: datetime
    ) -> Any:
        certification = self.subject(request)
        if certification is None:
            raise PortalRuleError(_l("The certification no longer exists."))
        renewal = submission.answers.get("renewal", {})
        values = {
            "kind": certification.kind,
            "name": certification.name,
            "number": renewal.get("number") or certification.number,
            "issuer": renewal.get("issuer") or certification.issuer,
            "expires_on": date.fromisoformat(renewal["expires_on"]),
        }
        vendor_services.update_certification(certification, values, actor=actor)
        return certification


KIND = CertificationRenewal()

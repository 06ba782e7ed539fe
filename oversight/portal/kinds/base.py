"""What every request kind says: which items the vendor answers, how the answers are cleaned and checked
before they are submitted, and what accepting them does. One subclass per kind, listed in ``KINDS``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar

from werkzeug.datastructures import FileStorage

from oversight.evidence import services as evidence_services
from oversight.evidence.models import EvidenceFile
from oversight.portal.models import KIND_LABELS, PortalRequest, PortalSubmission
from oversight.vendors.models import Vendor

EVIDENCE_OWNER = "portal_request"
# The answering form the portal shows for a kind: the checklist (an answer and comment per item) or the
# return/deletion certificate (its §6.3 fields).
CHECKLIST = "checklist"
CERTIFICATE = "certificate"
RENEWAL = "renewal"  # a renewed certification: its number, issuer and new expiry
PLAN = "plan"  # a corrective plan for a finding, then the report of its completion


@dataclass(frozen=True)
class Row:
    """An item of a request that is not a checklist item (a part of a certificate), commented on in review."""

    code: str
    text: str
    category: str = ""


class RequestKind:
    """The rules of one kind of request. Subclasses set the class attributes and override what differs."""

    name: ClassVar[str]
    shape: ClassVar[str] = CHECKLIST
    # The roles that return or accept a submission of this kind.
    reviewers: ClassVar[tuple[str, ...]] = ()
    # The label of what a request may be about (a select on the send form), when the kind needs one.
    subject_label: ClassVar[Any] = None
    # The report asks for the incidents since the last one and shows the subcontractors in use.
    asks_incidents: ClassVar[bool] = False
    # The vendor names the checklist item each uploaded file is evidence for.
    evidence_per_item: ClassVar[bool] = False

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self.name])

    # --- sending -------------------------------------------------------------------------------------

    def subjects(self, vendor: Vendor) -> list[tuple[int, str]]:
        """What a request of this kind to ``vendor`` may be about: ``(id, label)``; empty when nothing."""
        return []

    def subject(self, request: PortalRequest) -> Any:
        """The record the request is about (``request.subject_id``), if the kind has one."""
        return None

    def prepare(self, request: PortalRequest, *, subject_id: int | None, today: date) -> None:
        """Fix what the request answers when it is sent (a checklist version, a subject); may refuse."""

    # --- answering -----------------------------------------------------------------------------------

    def items(self, request: PortalRequest) -> list[Any]:
        """The items the vendor answers and the reviewer comments on (each with ``code`` and ``text``)."""
        return []

    def blank(self) -> dict[str, Any]:
        return {"items": {}}

    def clean(self, request: PortalRequest, values: dict[str, Any]) -> dict[str, Any]:
        """The answers as stored: unknown keys dropped, text stripped (a draft may be incomplete)."""
        return self.blank()

    def complete(self, request: PortalRequest, answers: dict[str, Any], *, today: date) -> dict[str, Any]:
        """Check that ``answers`` may be submitted (raise ``PortalRuleError``) and add the read-only facts."""
        return answers

    # --- acceptance ----------------------------------------------------------------------------------

    def accept(
        self, request: PortalRequest, submission: PortalSubmission, *, actor: Any, today: date, now: datetime
    ) -> Any:
        """What accepting the submission does; returns the record it made or changed."""
        raise NotImplementedError

    accepted_message: ClassVar[Any] = None


def request_files(request: PortalRequest) -> list[EvidenceFile]:
    return evidence_services.files_for(EVIDENCE_OWNER, request.id)


@contextmanager
def as_upload(evidence: EvidenceFile) -> Iterator[FileStorage]:
    """A file the vendor uploaded, opened as an upload again (to attach it to another record)."""
    with evidence_services.open_blob(evidence.sha256) as stream:
        yield FileStorage(stream=stream, filename=evidence.original_filename, content_type=evidence.content_type)


def copy_file(evidence: EvidenceFile, owner: Any, actor: Any, *, document_date: date | None = None) -> EvidenceFile:
    """Attach a file the vendor uploaded to another record, through the usual upload checks."""
    with as_upload(evidence) as upload:
        return evidence_services.store_upload(
            upload, owner, actor, document_date=document_date, description=evidence.description
        )

"""Storing, listing and handing out evidence files.

Blobs are written once per SHA-256 in the evidence store (``oversight.evidence.storage``: a local folder,
S3 or Azure Blob, as ``ab/cd/<sha256>``); rows point at them.
A blob is written before the transaction commits, so a rolled-back upload can leave an
unreferenced blob behind; it is harmless and reused if the same bytes are uploaded again.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import PurePosixPath
from typing import IO, Any
from urllib.parse import quote

from sqlalchemy.orm import joinedload
from werkzeug.datastructures import FileStorage

from oversight.activity import services as activity
from oversight.activity.services import object_type_of
from oversight.core import registry
from oversight.core.editing import snapshot
from oversight.core.timeutil import utcnow
from oversight.evidence import storage
from oversight.evidence.models import EvidenceFile
from oversight.evidence.validation import InspectedUpload, inspect_upload
from oversight.extensions import db


def can_view(user: Any, owner_type: str, owner_id: int) -> bool:
    """True when ``user`` may see the record owning a file: each feature declares its owner types and
    who may read them in ``oversight/features.py``; an owner type no feature declares is refused."""
    check = registry.current().evidence_owner(owner_type)
    return bool(check is not None and getattr(user, "is_authenticated", False) and check(user, owner_id))


def owner_key(owner: Any) -> tuple[str, int]:
    """``(owner_type, owner_id)`` from a model instance or from such a pair."""
    if isinstance(owner, tuple):
        owner_type, owner_id = owner
        return str(owner_type), int(owner_id)
    if getattr(owner, "id", None) is None:
        raise ValueError("the owning record must be flushed (have an id) before files are attached")
    return object_type_of(owner), int(owner.id)


def write_blob(upload: InspectedUpload) -> bool:
    """Store the checked bytes in the evidence store unless a blob with the same SHA-256 is already there;
    True when it was written now."""
    return storage.current_store().put(upload.sha256, upload.opened(), upload.size)


def open_blob(sha256: str) -> IO[bytes]:
    """A readable handle on the stored bytes (the caller closes it).

    :raises FileNotFoundError: no blob with this SHA-256 is stored.
    """
    return storage.current_store().open(sha256)


CHUNK = 256 * 1024


def chunks(source: IO[bytes]) -> Iterator[bytes]:
    """The bytes of ``source`` in chunks (a download streamed from the store), closing it at the end."""
    try:
        while chunk := source.read(CHUNK):
            yield chunk
    finally:
        source.close()


def blob_size(sha256: str) -> int | None:
    """The stored blob's size, None when it is missing."""
    return storage.current_store().size_of(sha256)


def store_upload(
    file_storage: FileStorage,
    owner: Any,
    actor: Any,
    document_date: date | None = None,
    description: str = "",
) -> EvidenceFile:
    """Check, store and attach an upload to ``owner`` (a model or ``(type, id)``).

    :raises UploadRejected: the file is too large, empty, or not an allowed type.
    """
    upload = inspect_upload(file_storage)
    owner_type, owner_id = owner_key(owner)
    write_blob(upload)
    evidence = EvidenceFile(
        owner_type=owner_type,
        owner_id=owner_id,
        sha256=upload.sha256,
        original_filename=upload.filename,
        content_type=upload.content_type,
        size=upload.size,
        uploaded_by_id=getattr(actor, "id", None),
        uploaded_at=utcnow(),
        document_date=document_date,
        description=(description or "").strip(),
    )
    db.session.add(evidence)
    db.session.flush()
    activity.record(
        "evidence.upload",
        actor=actor,
        target=evidence,
        summary=upload.filename,
        changes=snapshot(evidence, ["owner_type", "owner_id", "original_filename", "size", "sha256", "document_date"]),
    )
    return evidence


def files_for(owner_type: str, owner_id: int) -> list[EvidenceFile]:
    """The files attached to one record, oldest first, uploaders loaded."""
    query = (
        db.select(EvidenceFile)
        .options(joinedload(EvidenceFile.uploaded_by))
        .where(EvidenceFile.owner_type == owner_type, EvidenceFile.owner_id == owner_id)
        .order_by(EvidenceFile.uploaded_at, EvidenceFile.id)
    )
    return list(db.session.scalars(query))


def files_for_many(owner_type: str, owner_ids: list[int]) -> dict[int, list[EvidenceFile]]:
    """Files of several records of one type in one query: ``{owner_id: [files]}``."""
    grouped: dict[int, list[EvidenceFile]] = {owner_id: [] for owner_id in owner_ids}
    if not owner_ids:
        return grouped
    query = (
        db.select(EvidenceFile)
        .options(joinedload(EvidenceFile.uploaded_by))
        .where(EvidenceFile.owner_type == owner_type, EvidenceFile.owner_id.in_(owner_ids))
        .order_by(EvidenceFile.uploaded_at, EvidenceFile.id)
    )
    for evidence in db.session.scalars(query):
        grouped.setdefault(evidence.owner_id, []).append(evidence)
    return grouped


def record_download(evidence: EvidenceFile, *, actor: Any) -> None:
    """Log that ``actor`` downloaded a file."""
    activity.record(
        "evidence.download",
        actor=actor,
        target=evidence,
        summary=f"{evidence.owner_type}:{evidence.owner_id} {evidence.original_filename}",
    )


def remove_file(evidence: EvidenceFile, *, actor: Any) -> None:
    """Detach and delete a file row.

    The blob stays in the store: deleting it before the transaction commits could lose bytes that
    a rolled-back request still refers to, and other rows may share it.
    """
    activity.record(
        "evidence.remove",
        actor=actor,
        target=evidence,
        summary=f"{evidence.owner_type}:{evidence.owner_id} {evidence.original_filename}",
        changes={"original_filename": [evidence.original_filename, None], "sha256": [evidence.sha256, None]},
    )
    db.session.delete(evidence)
    db.session.flush()


def attachment_header(evidence: EvidenceFile) -> str:
    """``attachment`` with the original name (RFC 5987) and an ASCII name for old clients."""
    name = evidence.original_filename
    if name.isascii() and name.isprintable() and '"' not in name and "\\" not in name:
        return f'attachment; filename="{name}"'
    fallback = f"evidence-{evidence.id}{PurePosixPath(name).suffix.lower()}"
    if not fallback.isascii():
        fallback = f"evidence-{evidence.id}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"

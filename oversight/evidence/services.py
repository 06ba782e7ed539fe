"""Storing, listing and handing out evidence files.

Blobs are written once per SHA-256 at ``UPLOAD_FOLDER/ab/cd/<sha256>``; rows point at them.
A blob is written before the transaction commits, so a rolled-back upload can leave an
unreferenced blob behind; it is harmless and reused if the same bytes are uploaded again.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from flask import current_app
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import FileStorage

from oversight.activity import services as activity
from oversight.activity.services import object_type_of
from oversight.core import registry
from oversight.core.editing import snapshot
from oversight.core.timeutil import utcnow
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


def blob_path(sha256: str) -> Path:
    """Where the bytes with this SHA-256 are kept."""
    return Path(current_app.config["UPLOAD_FOLDER"]) / sha256[:2] / sha256[2:4] / sha256


def write_blob(upload: InspectedUpload) -> Path:
    """Store the bytes unless a blob with the same SHA-256 already exists."""
    path = blob_path(upload.sha256)
    if path.is_file() and path.stat().st_size == upload.size:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(upload.data)
        os.chmod(temporary, 0o640)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


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

    The blob stays on disk: deleting it before the transaction commits could lose bytes that
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

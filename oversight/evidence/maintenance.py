"""Moving evidence blobs between stores and checking a store against the records (``flask evidence …``).

Both work in chunks through temporary files, never a whole blob in memory. ``migrate`` is resumable: a blob
already at the destination is not copied again, only its hash checked. ``verify`` reads every blob a record
points to and compares its SHA-256 with its name.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from oversight.activity import services as activity
from oversight.evidence.models import EvidenceFile
from oversight.evidence.storage import CHUNK, EvidenceStore, StoredBlob, sha256_of
from oversight.extensions import db

SPOOL_IN_MEMORY = 1024 * 1024

Progress = Callable[[str, str], None]


def referenced() -> dict[str, list[int]]:
    """``{sha256: [evidence ids]}`` of every evidence row."""
    rows = db.session.execute(db.select(EvidenceFile.sha256, EvidenceFile.id).order_by(EvidenceFile.id))
    found: dict[str, list[int]] = {}
    for sha256, evidence_id in rows:
        found.setdefault(sha256, []).append(evidence_id)
    return found


def stored_hash(store: EvidenceStore, sha256: str) -> str | None:
    """The SHA-256 of what the store holds under ``sha256`` (read in chunks); None when it is missing."""
    try:
        with store.open(sha256) as handle:
            return sha256_of(handle)[0]
    except FileNotFoundError:
        return None


# --- migrate ---------------------------------------------------------------------------------------


@dataclass
class MigrationReport:
    copied: list[str] = field(default_factory=list)
    already_there: list[str] = field(default_factory=list)
    would_copy: list[str] = field(default_factory=list)  # --dry-run
    missing_at_source: list[str] = field(default_factory=list)  # a record points at a blob the source lacks
    failed: list[tuple[str, str]] = field(default_factory=list)  # (sha256, why)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.missing_at_source


def migrate(
    source: EvidenceStore,
    destination: EvidenceStore,
    *,
    dry_run: bool = False,
    references: dict[str, list[int]] | None = None,
    progress: Progress | None = None,
) -> MigrationReport:
    """Copy every blob of ``source`` to ``destination`` and check its hash there.

    Blobs the destination already holds are checked, not copied again (so an interrupted run resumes).
    A source blob whose bytes do not match its name is not copied; a destination blob with other bytes is
    never overwritten; both are reported as failed.
    """
    report = MigrationReport()
    references = referenced() if references is None else references
    note = progress or (lambda _sha, _what: None)
    seen: set[str] = set()
    for blob in source.list():
        seen.add(blob.sha256)
        outcome = _migrate_one(source, destination, blob, dry_run, report)
        note(blob.sha256, outcome)
    for sha256 in sorted(set(references) - seen):
        report.missing_at_source.append(sha256)
        note(sha256, "missing at source")
    return report


def _migrate_one(
    source: EvidenceStore, destination: EvidenceStore, blob: StoredBlob, dry_run: bool, report: MigrationReport
) -> str:
    sha256 = blob.sha256
    if destination.size_of(sha256) is not None:
        if dry_run:
            report.already_there.append(sha256)
            return "already there"
        if stored_hash(destination, sha256) != sha256:
            report.failed.append((sha256, "the destination holds other bytes under this name"))
            return "failed: the destination holds other bytes"
        report.already_there.append(sha256)
        return "already there, hash checked"
    if dry_run:
        report.would_copy.append(sha256)
        return "would copy"
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
        try:
            actual, size = _spool(source, sha256, spool)
        except FileNotFoundError:
            report.failed.append((sha256, "vanished from the source"))
            return "failed: vanished from the source"
        if actual != sha256:
            report.failed.append((sha256, f"the source's bytes hash to {actual}"))
            return "failed: corrupt at the source"
        spool.seek(0)
        destination.put(sha256, spool, size)
    if stored_hash(destination, sha256) != sha256:
        destination.delete(sha256)  # our own bad copy: removed, so that the next run tries again
        report.failed.append((sha256, "the copy's hash does not match"))
        return "failed: the copy's hash does not match"
    report.copied.append(sha256)
    return "copied, hash checked"


def _spool(source: EvidenceStore, sha256: str, spool: Any) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with source.open(sha256) as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            spool.write(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def record_migration(report: MigrationReport, source: EvidenceStore, destination: EvidenceStore) -> None:
    """One activity-log entry for a migration run (the caller commits)."""
    activity.record(
        "evidence.migrate",
        summary=(
            f"{source.describe()} → {destination.describe()}: {len(report.copied)} copied, "
            f"{len(report.already_there)} already there, {len(report.failed)} failed, "
            f"{len(report.missing_at_source)} missing at the source"
        ),
    )


# --- verify ----------------------------------------------------------------------------------------


@dataclass
class VerifyReport:
    checked: int = 0
    missing: list[tuple[str, list[int]]] = field(default_factory=list)  # (sha256, evidence ids)
    corrupt: list[tuple[str, list[int], str]] = field(default_factory=list)  # (sha256, ids, actual hash)
    orphans: list[StoredBlob] = field(default_factory=list)
    deleted: list[StoredBlob] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing and not self.corrupt


def verify(store: EvidenceStore, *, references: dict[str, list[int]] | None = None) -> VerifyReport:
    """Check every blob a record points to (there, and its bytes hash to its name) and list the orphans:
    blobs no record points to (an abandoned upload, a vendor import's kept table, a removed file)."""
    report = VerifyReport()
    references = referenced() if references is None else references
    for sha256, evidence_ids in sorted(references.items()):
        report.checked += 1
        actual = stored_hash(store, sha256)
        if actual is None:
            report.missing.append((sha256, evidence_ids))
        elif actual != sha256:
            report.corrupt.append((sha256, evidence_ids, actual))
    report.orphans = [blob for blob in store.list() if blob.sha256 not in references]
    return report


def delete_orphans(store: EvidenceStore, report: VerifyReport, *, older_than_days: int, now: datetime) -> None:
    """Delete the orphans written more than ``older_than_days`` ago, each logged (the caller commits).

    A blob that a record has started to point at since the listing is kept.
    """
    cutoff = now - timedelta(days=older_than_days)
    for blob in report.orphans:
        if blob.modified > cutoff:
            continue
        if db.session.scalar(db.select(EvidenceFile.id).where(EvidenceFile.sha256 == blob.sha256).limit(1)):
            continue
        store.delete(blob.sha256)
        report.deleted.append(blob)
        activity.record(
            "evidence.orphan_delete",
            summary=f"{store.describe()}: {blob.sha256} ({blob.size} bytes, "
            f"written {blob.modified:%Y-%m-%d %H:%M} UTC)",
        )

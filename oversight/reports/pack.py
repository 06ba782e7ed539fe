"""The evidence pack: one ZIP per vendor with the 委託先監督記録 PDF, every file it refers to and an index.

The archive is built in a spooled temporary file (in memory only while small) and the blobs are
copied in chunks from the evidence store (local folder, S3 or Azure), so a vendor with many large files does
not fill memory.

Every time in the pack is in the app's zone (Asia/Tokyo, JST) with the zone stated where it is text:
the PDF's generation time and its instants (``2026-12-07 10:35 JST``) and the index's ``uploaded_at (JST)``
(``2026-12-07 10:35:12 JST``). ZIP entries carry no zone, so their modification times are JST wall-clock times
too: the upload time for a file, the generation time for the PDF and the index.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import IO

from oversight.core.exports import csv_chunks
from oversight.core.timeutil import local_stamp, to_local
from oversight.evidence import services as evidence_services
from oversight.reports.data import EvidenceRef
from oversight.reports.documents import VENDOR_FILE_TITLE, pack_path, safe_filename

INDEX_NAME = "index.csv"
INDEX_HEADER = (
    "path",
    "record",
    "owner_type",
    "owner_id",
    "evidence_id",
    "original_filename",
    "size",
    "sha256",
    "uploaded_at (JST)",
    "description",
    "included",
)
_CHUNK = 64 * 1024


def pdf_name(vendor_id: int, vendor_name: str) -> str:
    """The PDF's name inside the pack (Japanese kept, nothing that could leave the archive's root)."""
    return safe_filename(f"{VENDOR_FILE_TITLE}_{vendor_id}_{vendor_name}.pdf")


def may_download_all(user, refs: Iterable[EvidenceRef]) -> bool:
    """True when ``user`` may download every file of the pack (``evidence.can_view`` on each owner)."""
    checked: dict[tuple[str, int], bool] = {}
    for ref in refs:
        key = (ref.owner_type, ref.owner_id)
        if key not in checked:
            checked[key] = evidence_services.can_view(user, *key)
        if not checked[key]:
            return False
    return True


def _index_rows(refs: list[EvidenceRef], included: dict[int, bool]) -> Iterator[tuple]:
    for ref in refs:
        yield (
            pack_path(ref),
            ref.record,
            ref.owner_type,
            ref.owner_id,
            ref.evidence_id,
            ref.filename,
            ref.size,
            ref.sha256,
            local_stamp(ref.uploaded_at, seconds=True),
            ref.description,
            "yes" if included[ref.evidence_id] else "missing",
        )


def _entry(name: str, moment: datetime) -> zipfile.ZipInfo:
    """A ZIP entry dated ``moment`` as JST wall-clock time (``writestr(name, …)`` would use the server's zone)."""
    info = zipfile.ZipInfo(name, date_time=to_local(moment).timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def write_pack(
    target: IO[bytes], pdf_bytes: bytes, pdf_filename: str, refs: list[EvidenceRef], generated_at: datetime
) -> None:
    """Write the ZIP: the PDF, ``files/<id>_<name>`` for each evidence file, and ``index.csv`` (UTF-8 with
    BOM), every entry dated in JST."""
    included: dict[int, bool] = {}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_entry(pdf_filename, generated_at), pdf_bytes)
        for ref in refs:
            try:
                source = evidence_services.open_blob(ref.sha256)
            except FileNotFoundError:
                included[ref.evidence_id] = False
                continue
            included[ref.evidence_id] = True
            with source, archive.open(_entry(pack_path(ref), ref.uploaded_at), "w") as entry:
                shutil.copyfileobj(source, entry, _CHUNK)
        index = "".join(csv_chunks(INDEX_HEADER, _index_rows(refs, included)))
        archive.writestr(_entry(INDEX_NAME, generated_at), index.encode("utf-8"))


def build_pack(pdf_bytes: bytes, pdf_filename: str, refs: list[EvidenceRef], generated_at: datetime) -> IO[bytes]:
    """The pack in a spooled temporary file, positioned at its start (the caller closes it)."""
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - returned to the caller
    try:
        write_pack(spool, pdf_bytes, pdf_filename, refs, generated_at)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


def read_index(data: bytes) -> list[list[str]]:
    """The rows of a pack's ``index.csv`` (for tests and checks)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        text = archive.read(INDEX_NAME).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))

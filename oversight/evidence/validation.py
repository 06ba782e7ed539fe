"""What may be uploaded: PDF, PNG, JPEG, DOCX, XLSX, TXT and CSV, judged by the content.

The extension must name the type the content really is, so an executable renamed
``.pdf`` is refused. Binary types are sniffed with ``filetype``; DOCX and XLSX must be
zip archives with the matching ``[Content_Types].xml`` part; TXT and CSV must be UTF-8
or CP932 (Shift_JIS) text without NUL bytes.

An accepted upload's name and text are also read for the My Number guard (``oversight.evidence.scan``):
the likely 個人番号 found are kept on the inspection, and a file whose text cannot be read within the
limits is refused here rather than stored unread.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

import filetype
from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage
from wtforms.validators import StopValidation, ValidationError

from oversight.evidence.scan import ScanLimits, ScanRefused, my_numbers_in, text_encoding

TEXT = "text"
# type → (extensions, MIME type sent on download)
ALLOWED_TYPES: dict[str, tuple[tuple[str, ...], str]] = {
    "pdf": ((".pdf",), "application/pdf"),
    "png": ((".png",), "image/png"),
    "jpeg": ((".jpg", ".jpeg"), "image/jpeg"),
    "docx": ((".docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ((".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "txt": ((".txt",), "text/plain; charset=utf-8"),
    "csv": ((".csv",), "text/csv; charset=utf-8"),
}
EXTENSION_TYPES = {extension: kind for kind, (extensions, _mime) in ALLOWED_TYPES.items() for extension in extensions}
ACCEPT_ATTRIBUTE = ",".join(EXTENSION_TYPES)
FILETYPE_KINDS = {"pdf": "pdf", "png": "png", "jpg": "jpeg"}
OFFICE_MAIN_PARTS = {
    "docx": b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
CONTENT_TYPES_PART_LIMIT = 1024 * 1024
CHUNK = 64 * 1024
SNIFF_BYTES = 8192  # what filetype reads of a file's head
SPOOL_IN_MEMORY = 1024 * 1024  # an upload's spool moves to a temporary file past this size

INSPECTION_ATTRIBUTE = "oversight_inspection"

ALLOWED_MESSAGE = _l("Only PDF, PNG, JPEG, DOCX, XLSX, TXT and CSV files can be uploaded.")


class UploadRejected(ValueError):
    """The upload is not acceptable; ``message`` says why, for the user."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class InspectedUpload:
    """An accepted upload: its bytes spooled to a temporary file, and what was learnt about them."""

    spool: IO[bytes]  # the checked bytes (in memory only while small); read them through ``opened()``
    filename: str
    kind: str
    content_type: str
    sha256: str
    size: int
    my_numbers: tuple[str, ...] = ()  # likely 個人番号 in the name or the text, for the guard

    def opened(self) -> IO[bytes]:
        """The spooled bytes, positioned at their start."""
        self.spool.seek(0)
        return self.spool


def max_upload_bytes() -> int:
    """UPLOAD_MAX_MB (default 20) in bytes."""
    return int(current_app.config.get("UPLOAD_MAX_MB", 20)) * 1024 * 1024


def clean_filename(name: str) -> str:
    """The original name without folders or control characters, NFC-normalised, at most 255 characters."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/")).rsplit("/", 1)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip().strip(".")
    if len(name) > 255:
        suffix = PurePosixPath(name).suffix[:20]
        name = name[: 255 - len(suffix)] + suffix
    return name


def inspect_upload(file_storage: FileStorage) -> InspectedUpload:
    """Read and check an upload; raises :class:`UploadRejected` with a message for the user.

    The form's validator and the service that stores the file both call this within one request:
    the inspection is kept on the ``FileStorage`` so the content is read once.
    """
    kept = getattr(file_storage, INSPECTION_ATTRIBUTE, None)
    if isinstance(kept, InspectedUpload):
        return kept
    inspected = _inspect(file_storage)
    setattr(file_storage, INSPECTION_ATTRIBUTE, inspected)
    return inspected


def _inspect(file_storage: FileStorage) -> InspectedUpload:
    filename = clean_filename(file_storage.filename or "")
    extension = PurePosixPath(filename.lower()).suffix
    expected = EXTENSION_TYPES.get(extension)
    if not filename or expected is None:
        raise UploadRejected(ALLOWED_MESSAGE)
    spool, sha256, size = _spool_limited(file_storage)
    detected = detect_kind(spool)
    if detected is None:
        raise UploadRejected(
            _l("The file's content is not an allowed type (PDF, PNG, JPEG, DOCX, XLSX, or UTF-8 / Shift_JIS text).")
        )
    if detected != expected and not (detected == TEXT and expected in ("txt", "csv")):
        raise UploadRejected(
            _l("The file's content does not match its extension %(extension)s.", extension=extension)
        )
    try:
        my_numbers = my_numbers_in(spool, expected, filename, ScanLimits.from_config())
    except ScanRefused as refused:
        raise UploadRejected(refused.message) from refused
    return InspectedUpload(
        spool=spool,
        filename=filename,
        kind=expected,
        content_type=ALLOWED_TYPES[expected][1],
        sha256=sha256,
        size=size,
        my_numbers=my_numbers,
    )


def _spool_limited(file_storage: FileStorage) -> tuple[IO[bytes], str, int]:
    """Copy the upload in chunks to a temporary file, hashing as it goes: ``(spool, sha256, size)``.

    Nothing holds the whole file in memory: the spool stays in memory only up to ``SPOOL_IN_MEMORY``.
    """
    limit = max_upload_bytes()
    stream = file_storage.stream
    stream.seek(0)
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 - kept on the inspection
    digest, size = hashlib.sha256(), 0
    try:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise UploadRejected(
                    _l("The file is larger than %(limit)d MB. Upload a smaller file.", limit=limit // (1024 * 1024))
                )
            digest.update(chunk)
            spool.write(chunk)
        if not size:
            raise UploadRejected(_l("The file is empty."))
    except BaseException:
        spool.close()
        raise
    finally:
        stream.seek(0)
    spool.seek(0)
    return spool, digest.hexdigest(), size


def _opened(source: bytes | IO[bytes]) -> IO[bytes]:
    if isinstance(source, bytes | bytearray):
        return io.BytesIO(source)
    source.seek(0)
    return source


def detect_kind(source: bytes | IO[bytes]) -> str | None:
    """``pdf``, ``png``, ``jpeg``, ``docx``, ``xlsx`` or ``text`` from the content (bytes or a seekable file);
    None for anything else."""
    handle = _opened(source)
    head = handle.read(SNIFF_BYTES)
    guess = filetype.guess(head) if head else None
    if guess is not None:
        if guess.extension in FILETYPE_KINDS:
            return FILETYPE_KINDS[guess.extension]
        if head.startswith(b"PK\x03\x04"):
            return office_kind(handle)
        return None
    if head.startswith(b"PK\x03\x04"):
        return office_kind(handle)
    return TEXT if is_text(handle) else None


def office_kind(source: bytes | IO[bytes]) -> str | None:
    """``docx`` or ``xlsx`` for a valid Office Open XML archive of that kind, else None."""
    try:
        with zipfile.ZipFile(_opened(source)) as archive:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > CONTENT_TYPES_PART_LIMIT:
                return None
            content_types = archive.read(info)
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError, NotImplementedError):
        return None
    for kind, main_part in OFFICE_MAIN_PARTS.items():
        if main_part in content_types:
            return kind
    return None


def is_text(source: bytes | IO[bytes]) -> bool:
    """True for UTF-8 or CP932 text with no NUL bytes (read in chunks)."""
    return text_encoding(_opened(source)) is not None


class AllowedUpload:
    """WTForms validator for a ``FileField``: size limit and the content-checked allowlist.

    ``AllowedUpload(required=True)`` also insists on a file. The accepted upload is kept on
    ``field.inspected`` for the view.
    """

    def __init__(self, required: bool = False) -> None:
        self.required = required
        self.field_flags = {"required": True} if required else {}

    def __call__(self, form, field) -> None:
        field.inspected = None
        data = field.data
        if not isinstance(data, FileStorage) or not data.filename:
            if self.required:
                raise StopValidation(_l("Choose a file to upload."))
            return
        try:
            field.inspected = inspect_upload(data)
        except UploadRejected as rejected:
            raise ValidationError(rejected.message) from rejected

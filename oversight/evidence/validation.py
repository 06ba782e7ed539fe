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
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

import filetype
from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage
from wtforms.validators import StopValidation, ValidationError

from oversight.evidence.scan import ScanLimits, ScanRefused, decode_text, my_numbers_in

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

INSPECTION_ATTRIBUTE = "oversight_inspection"

ALLOWED_MESSAGE = _l("Only PDF, PNG, JPEG, DOCX, XLSX, TXT and CSV files can be uploaded.")


class UploadRejected(ValueError):
    """The upload is not acceptable; ``message`` says why, for the user."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class InspectedUpload:
    """An accepted upload: its bytes and what was learnt about them."""

    data: bytes
    filename: str
    kind: str
    content_type: str
    sha256: str
    my_numbers: tuple[str, ...] = ()  # likely 個人番号 in the name or the text, for the guard

    @property
    def size(self) -> int:
        return len(self.data)


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
    data = _read_limited(file_storage)
    detected = detect_kind(data)
    if detected is None:
        raise UploadRejected(
            _l("The file's content is not an allowed type (PDF, PNG, JPEG, DOCX, XLSX, or UTF-8 / Shift_JIS text).")
        )
    if detected != expected and not (detected == TEXT and expected in ("txt", "csv")):
        raise UploadRejected(
            _l("The file's content does not match its extension %(extension)s.", extension=extension)
        )
    try:
        my_numbers = my_numbers_in(data, expected, filename, ScanLimits.from_config())
    except ScanRefused as refused:
        raise UploadRejected(refused.message) from refused
    return InspectedUpload(
        data=data,
        filename=filename,
        kind=expected,
        content_type=ALLOWED_TYPES[expected][1],
        sha256=hashlib.sha256(data).hexdigest(),
        my_numbers=my_numbers,
    )


def _read_limited(file_storage: FileStorage) -> bytes:
    limit = max_upload_bytes()
    stream = file_storage.stream
    stream.seek(0)
    data = stream.read(limit + 1)
    stream.seek(0)
    if len(data) > limit:
        raise UploadRejected(
            _l("The file is larger than %(limit)d MB. Upload a smaller file.", limit=limit // (1024 * 1024))
        )
    if not data:
        raise UploadRejected(_l("The file is empty."))
    return data


def detect_kind(data: bytes) -> str | None:
    """``pdf``, ``png``, ``jpeg``, ``docx``, ``xlsx`` or ``text`` from the content; None for anything else."""
    guess = filetype.guess(data)
    if guess is not None:
        if guess.extension in FILETYPE_KINDS:
            return FILETYPE_KINDS[guess.extension]
        if data.startswith(b"PK\x03\x04"):
            return office_kind(data)
        return None
    if data.startswith(b"PK\x03\x04"):
        return office_kind(data)
    return TEXT if is_text(data) else None


def office_kind(data: bytes) -> str | None:
    """``docx`` or ``xlsx`` for a valid Office Open XML archive of that kind, else None."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
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


def is_text(data: bytes) -> bool:
    """True for UTF-8 or CP932 text with no NUL bytes."""
    return b"\x00" not in data and decode_text(data) is not None


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

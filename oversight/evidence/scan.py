"""Reading an upload's text for the My Number guard, within limits.

Every accepted type is read: TXT and CSV as text; DOCX and XLSX by parsing every XML part of the
archive (body, headers, footers, notes, comments, shared strings, sheets with their numeric cells,
document properties) with expat, DTDs refused; PDF with pypdf (page text, document information,
form field values). PNG and JPEG have no text to read (no OCR); only their file name is checked.

The reading is bounded, and a file that would go past a bound is refused, never stored unread:

- Office archives: the declared uncompressed size of the XML parts read (``UPLOAD_SCAN_MAX_MB``,
  default 64), the compression ratio of any member over 1 MiB (``UPLOAD_SCAN_MAX_RATIO``, default
  100: a zip bomb is refused before anything is inflated), and the bytes actually inflated, read in
  chunks and counted against the same limit.
- PDF: the number of pages (``UPLOAD_SCAN_MAX_PAGES``, default 500) and the time spent
  (``UPLOAD_SCAN_SECONDS``, default 30, checked between pages; pypdf bounds each stream's
  decompression itself).
- All types: the characters of text gathered (``UPLOAD_SCAN_MAX_CHARS``, default 5,000,000).
"""

from __future__ import annotations

import codecs
import io
import logging
import time
import zipfile
import zlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO
from xml.parsers import expat

from flask import current_app
from flask_babel import lazy_gettext as _l
from pypdf import PdfReader

from oversight.core.mynumber import find_my_numbers

CHUNK = 64 * 1024
RATIO_CHECKED_FROM = 1024 * 1024
XML_SUFFIXES = (".xml", ".rels", ".vml")
# Elements after which the text goes on in a new line or cell: paragraphs, table cells and rows, line
# breaks (DOCX); cells, rows and shared strings (XLSX). Runs (w:r, w:t) inside a paragraph are joined
# as they are, since Word splits one typed number over several runs.
LINE_ENDS = frozenset({"p", "tc", "tr", "br", "cr", "c", "row", "si", "is"})
RUN_TEXT = frozenset({"t", "delText", "instrText"})
# XLSX cell types whose <v> is not the shown text: a shared-string index, a boolean, an error code.
NOT_TEXT_CELL_TYPES = frozenset({"s", "b", "e"})

TOO_LARGE_MESSAGE = _l(
    "The file is too large to be checked for My Numbers (its content unpacks to more than the limit). "
    "Split it or upload a smaller copy."
)
UNREADABLE_MESSAGE = _l(
    "The file could not be read to check it for My Numbers. Save it again (for example print it to PDF) "
    "and upload that copy."
)
ENCRYPTED_MESSAGE = _l(
    "The file is protected by a password, so it cannot be checked for My Numbers. Upload a copy without the password."
)

logger = logging.getLogger(__name__)


class ScanRefused(ValueError):
    """The content cannot be read within the limits; ``message`` says why, for the user."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class ScanLimits:
    max_bytes: int = 64 * 1024 * 1024
    max_ratio: int = 100
    max_pages: int = 500
    max_chars: int = 5_000_000
    max_seconds: float = 30.0

    @classmethod
    def from_config(cls) -> ScanLimits:
        """The limits in the application's configuration, defaults where unset."""
        config = current_app.config
        return cls(
            max_bytes=int(config.get("UPLOAD_SCAN_MAX_MB", 64)) * 1024 * 1024,
            max_ratio=int(config.get("UPLOAD_SCAN_MAX_RATIO", 100)),
            max_pages=int(config.get("UPLOAD_SCAN_MAX_PAGES", 500)),
            max_chars=int(config.get("UPLOAD_SCAN_MAX_CHARS", 5_000_000)),
            max_seconds=float(config.get("UPLOAD_SCAN_SECONDS", 30)),
        )


def my_numbers_in(data: bytes | IO[bytes], kind: str, filename: str, limits: ScanLimits) -> tuple[str, ...]:
    """The likely 個人番号 in the file's name and its text, in order, without repeats.

    :raises ScanRefused: the content goes past a limit, cannot be parsed, or is password-protected.
    """
    found = find_my_numbers(filename) + find_my_numbers(extract_text(data, kind, limits))
    return tuple(dict.fromkeys(found))


def extract_text(data: bytes | IO[bytes], kind: str, limits: ScanLimits) -> str:
    """The text of an accepted upload of ``kind`` (``txt``, ``csv``, ``docx``, ``xlsx``, ``pdf``; images: none),
    from its bytes or a seekable file, which is read in chunks."""
    text = _Text(limits.max_chars)
    data = _opened(data)
    if kind in ("txt", "csv"):
        _plain_text(data, text)
    elif kind in ("docx", "xlsx"):
        _office_text(data, limits, text)
    elif kind == "pdf":
        _pdf_text(data, limits, text)
    return text.value()


class _Text:
    """Text gathered up to a number of characters; one more is refused."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.parts: list[str] = []

    def add(self, part: str) -> None:
        if not part:
            return
        self.size += len(part)
        if self.size > self.limit:
            raise ScanRefused(TOO_LARGE_MESSAGE)
        self.parts.append(part)

    def value(self) -> str:
        return "".join(self.parts)


def _opened(source: bytes | IO[bytes]) -> IO[bytes]:
    if isinstance(source, bytes | bytearray):
        return io.BytesIO(source)
    source.seek(0)
    return source


def text_encoding(handle: IO[bytes]) -> str | None:
    """``utf-8-sig`` or ``cp932`` when the whole file decodes as it and holds no NUL byte; else None.

    The file is read in chunks from its start, once per encoding tried.
    """
    for encoding in ("utf-8-sig", "cp932"):
        handle.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := handle.read(CHUNK):
                if b"\x00" in chunk:
                    return None
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    return None


def _plain_text(handle: IO[bytes], text: _Text) -> None:
    encoding = text_encoding(handle)
    if encoding is None:
        return
    handle.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)()
    while chunk := handle.read(CHUNK):
        text.add(decoder.decode(chunk))
    text.add(decoder.decode(b"", final=True))


def decode_text(data: bytes) -> str | None:
    """The text of UTF-8 (with or without BOM) or CP932 bytes; None when it is neither."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


# --- DOCX and XLSX ---------------------------------------------------------------------------------


def _office_text(data: IO[bytes], limits: ScanLimits, text: _Text) -> None:
    try:
        with zipfile.ZipFile(data) as archive:
            members = archive.infolist()
            parts = [info for info in members if info.filename.lower().endswith(XML_SUFFIXES) and not info.is_dir()]
            _check_archive(members, parts, limits)
            budget = [limits.max_bytes]
            for info in parts:
                _read_part(archive, info, budget, text)
    except ScanRefused:
        raise
    except (zipfile.BadZipFile, zlib.error, expat.ExpatError, _Forbidden, EOFError, OSError, ValueError) as error:
        logger.info("office upload not readable: %s", error)
        raise ScanRefused(UNREADABLE_MESSAGE) from error
    except (RuntimeError, NotImplementedError) as error:  # an encrypted member, an unknown compression
        logger.info("office upload not readable: %s", error)
        raise ScanRefused(ENCRYPTED_MESSAGE if "encrypted" in str(error) else UNREADABLE_MESSAGE) from error


def _check_archive(members: list[zipfile.ZipInfo], parts: list[zipfile.ZipInfo], limits: ScanLimits) -> None:
    """Refuse a zip bomb from the central directory, before anything is inflated."""
    if sum(info.file_size for info in parts) > limits.max_bytes:
        raise ScanRefused(TOO_LARGE_MESSAGE)
    for info in members:
        if info.file_size > RATIO_CHECKED_FROM and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise ScanRefused(TOO_LARGE_MESSAGE)


def _read_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int], text: _Text) -> None:
    """Parse one XML part in chunks, counting the inflated bytes against what is left of the budget."""
    reader = _PartText(text)
    with archive.open(info) as stream:
        while chunk := stream.read(CHUNK):
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise ScanRefused(TOO_LARGE_MESSAGE)
            reader.parser.Parse(chunk, False)
    reader.parser.Parse(b"", True)
    text.add("\n")


class _Forbidden(ValueError):
    """A DTD or entity declaration: never in Office XML, the way in for entity-expansion bombs."""


def _forbid(*_args) -> None:
    raise _Forbidden("DTD or entity declaration in an Office XML part")


class _PartText:
    """The text of one XML part, with a line end after each paragraph, cell and row."""

    def __init__(self, text: _Text) -> None:
        self.text = text
        self.cell_type: str | None = None
        self.value: list[str] | None = None
        self.open: list[list] = [["", False]]  # [local name, had text] of each open element
        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.StartDoctypeDeclHandler = _forbid
        parser.EntityDeclHandler = _forbid
        parser.ExternalEntityRefHandler = _forbid
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.characters
        self.parser = parser

    def start(self, name: str, attributes: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if local == "c":
            self.cell_type = attributes.get("t")
        elif local == "v":
            self.value = []
        elif local == "tab":
            self.text.add("\t")
        self.open.append([local, False])

    def characters(self, data: str) -> None:
        element = self.open[-1]
        if data.isspace() and element[0] not in RUN_TEXT:
            return  # layout between elements, not text
        element[1] = True
        if self.value is not None:
            self.value.append(data)
        else:
            self.text.add(data)

    def end(self, name: str) -> None:
        local, had_text = self.open.pop()
        if local == "v" and self.value is not None:
            value, self.value = "".join(self.value), None
            if self.cell_type not in NOT_TEXT_CELL_TYPES:
                self.text.add(_cell_value(value, self.cell_type))
        if local in LINE_ENDS or (had_text and local not in RUN_TEXT):
            self.text.add("\n")


def _cell_value(value: str, cell_type: str | None) -> str:
    """A numeric cell as the digits Excel shows: ``1.23456789018E+11`` and ``123456789018.0`` → ``123456789018``."""
    if cell_type not in (None, "n"):
        return value
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        return value
    if number.is_finite() and number == number.to_integral_value() and abs(number) < 10**15:
        return str(int(number))
    return value


# --- PDF -------------------------------------------------------------------------------------------


def _pdf_text(data: IO[bytes], limits: ScanLimits, text: _Text) -> None:
    deadline = time.monotonic() + limits.max_seconds
    try:
        reader = PdfReader(data, strict=False)
        if reader.is_encrypted and not _decrypted(reader):
            raise ScanRefused(ENCRYPTED_MESSAGE)
        if len(reader.pages) > limits.max_pages:
            raise ScanRefused(TOO_LARGE_MESSAGE)
        for value in (reader.metadata or {}).values():
            text.add(f"{value}\n")
        for page in reader.pages:
            if time.monotonic() > deadline:
                raise ScanRefused(TOO_LARGE_MESSAGE)
            text.add(page.extract_text() + "\n")
        for field in (reader.get_fields() or {}).values():
            value = field.get("/V")
            if value is not None:
                text.add(f"{value}\n")
    except ScanRefused:
        raise
    except Exception as error:  # pypdf raises many kinds of error on a malformed file
        logger.info("PDF upload not readable: %r", error)
        raise ScanRefused(UNREADABLE_MESSAGE) from error


def _decrypted(reader) -> bool:
    """True when the PDF opens with an empty user password (only an owner password restricts it)."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # e.g. AES without a crypto library
        return False

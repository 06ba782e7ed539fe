"""The import: keep the uploaded file, preview every row, import all valid rows or nothing.

The uploaded bytes are kept in the evidence store under their SHA-256 (``evidence.services.write_blob``),
so the confirmation reads the same file again without a second upload and nothing is kept in the
session. Preview and import run the same planning; the import refuses to write anything while any
row has an error, writes every row through the register's services in the caller's one transaction,
and adds one ``import.vendors`` entry to the activity log with the row counts and the file's SHA-256.
Importing the same file again finds every row unchanged and changes nothing.
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage

from oversight.activity import services as activity
from oversight.auth.models import User
from oversight.core.errors import RuleError
from oversight.core.mynumber import find_my_numbers
from oversight.evidence import services as evidence_services
from oversight.evidence.scan import ScanLimits, ScanRefused, my_numbers_in
from oversight.evidence.validation import UploadRejected, clean_filename, inspect_upload
from oversight.imports import contracts, rows, subcontracts, vendors
from oversight.imports.columns import match_header
from oversight.imports.reading import ImportFileError, read_table

KINDS = ("vendors", "contracts", "subcontracts")
# Each kind's module: its COLUMNS, a Context loaded once, plan_row() for one row, apply_rows() to write them.
KIND_MODULES = {"vendors": vendors, "contracts": contracts, "subcontracts": subcontracts}
FILE_TYPES = ("xlsx", "csv")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
PLAN_CHUNK = 500  # rows planned per chunk (the vendor import loads the vendors a chunk matches at once)

NOT_A_TABLE_MESSAGE = _l("Only XLSX and CSV files can be imported.")
MISSING_COLUMN_MESSAGE = _l(
    "The file has no column “%(column)s”. Use the template's header row (Japanese or English column names)."
)
FILE_MY_NUMBER_MESSAGE = _l(
    "The file contains a 12-digit number that looks like a My Number (個人番号) outside the imported cells "
    "(another sheet, the header, a column that is not imported, or the file name). Remove it from the file."
)
HAS_ERRORS_MESSAGE = _l("Nothing was imported: correct the rows with errors in the file and upload it again.")


class ImportRefused(RuleError):
    """The import cannot run; ``message`` says why."""


@dataclass
class Preview:
    """Every row's outcome, the totals, and what is wrong with the file as a whole."""

    kind: str
    sha256: str
    filename: str
    file_type: str
    sheet: str = ""
    sheet_names: list[str] = field(default_factory=list)
    encoding: str = ""
    file_errors: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    rows: list[rows.RowPlan] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, int]:
        counts = Counter(row.outcome for row in self.rows)
        return {
            outcome: counts.get(outcome, 0)
            for outcome in (rows.CREATE, rows.UPDATE, rows.UNCHANGED, rows.ERROR)
        }

    @property
    def can_import(self) -> bool:
        return not self.file_errors and bool(self.rows) and not any(row.outcome == rows.ERROR for row in self.rows)


def max_rows() -> int:
    return int(current_app.config.get("IMPORT_MAX_ROWS", 10_000))


def store_upload(file_storage: FileStorage) -> tuple[str, str]:
    """Check the upload like any evidence file and keep its bytes; returns (SHA-256, clean file name).

    The upload check reads the whole file for the My Number guard; what it found is kept beside the
    bytes (:func:`_remember_scan`), so the preview and the import do not read every XML part again.

    :raises UploadRejected: not an XLSX or CSV file, too large, unreadable.
    """
    inspected = inspect_upload(file_storage)
    if inspected.kind not in FILE_TYPES:
        raise UploadRejected(NOT_A_TABLE_MESSAGE)
    evidence_services.write_blob(inspected)
    _remember_scan(inspected.sha256, bool(inspected.my_numbers))
    return inspected.sha256, inspected.filename


SCAN_SUFFIX = ".mynumber-scan"
SCAN_CLEAN, SCAN_FOUND = "clean", "found"


def scan_note_path(sha256: str) -> Path:
    """Where this server keeps whether the whole-file scan of the upload ``sha256`` found a likely 個人番号
    (the instance folder: the evidence store may be shared object storage, written once per file)."""
    return Path(current_app.instance_path) / "import-scans" / f"{sha256}{SCAN_SUFFIX}"


def _remember_scan(sha256: str, found: bool) -> None:
    """Keep whether the whole-file scan found a likely 個人番号. The bytes are stored under their SHA-256
    and never change, so this never goes stale; a missing or unreadable note (another server, a lost
    folder) only means the file is scanned again."""
    with contextlib.suppress(OSError):
        path = scan_note_path(sha256)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(SCAN_FOUND if found else SCAN_CLEAN)


def _remembered_scan(sha256: str) -> bool | None:
    try:
        note = scan_note_path(sha256).read_text().strip()
    except OSError:
        return None
    return {SCAN_FOUND: True, SCAN_CLEAN: False}.get(note)


def stored_bytes(sha256: str) -> bytes | None:
    """The kept upload with this SHA-256, or None (an import table is parsed whole, within the upload limit)."""
    if not SHA256.match(sha256 or ""):
        return None
    try:
        with evidence_services.open_blob(sha256) as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def file_type_of(filename: str) -> str:
    return "xlsx" if clean_filename(filename).lower().endswith(".xlsx") else "csv"


def preview(kind: str, sha256: str, filename: str, *, sheet: str | None = None) -> Preview | None:
    """The outcome of every row of the kept file; None when no file with this SHA-256 is kept."""
    data = stored_bytes(sha256)
    if data is None or kind not in KINDS:
        return None
    return preview_data(kind, data, sha256, filename, sheet=sheet)


def preview_data(kind: str, data: bytes, sha256: str, filename: str, *, sheet: str | None = None) -> Preview:
    """The outcome of every row of ``data`` (the page and ``flask import`` both call this)."""
    file_type = file_type_of(filename)
    result = Preview(kind, sha256, clean_filename(filename), file_type)
    try:
        table = read_table(data, file_type, sheet=sheet or None, max_rows=max_rows())
    except ImportFileError as error:
        result.file_errors.append(str(error.message))
        return result
    result.sheet, result.sheet_names, result.encoding = table.sheet, table.sheet_names, table.encoding
    module = KIND_MODULES[kind]
    positions, result.ignored_columns = match_header(table.header, module.COLUMNS)
    present = {column.key for column in positions.values()}
    for column in module.COLUMNS:
        if column.required and column.key not in present:
            result.file_errors.append(str(MISSING_COLUMN_MESSAGE % {"column": column.header}))
    if result.file_errors:
        return result
    context = module.Context()
    seen: dict[tuple, int] = {}
    columns = list(positions.items())
    number_at = next((position for position, column in positions.items() if column.key == "corporate_number"), None)
    if number_at is not None and hasattr(module, "prefetch"):  # the NTA's records of the file's numbers
        module.prefetch(context, (cells[number_at] for _line, cells in table.rows if number_at < len(cells)))
    load_chunk = getattr(module, "load_chunk", None)  # the vendor import loads the matched vendors by chunk
    for start in range(0, len(table.rows), PLAN_CHUNK):
        chunk = [
            (line, {column.key: cells[position] if position < len(cells) else None for position, column in columns})
            for line, cells in table.rows[start : start + PLAN_CHUNK]
        ]
        if load_chunk is not None:
            load_chunk(context, [values for _line, values in chunk])
        for line, values in chunk:
            result.rows.append(module.plan_row(line, values, context, seen))
    if load_chunk is not None:
        module.release(context)
    row_errors = any(row.errors for row in result.rows)
    if not row_errors and _my_numbers_elsewhere(data, sha256, file_type, result.filename):
        result.file_errors.append(str(FILE_MY_NUMBER_MESSAGE))
    return result


def _my_numbers_elsewhere(data: bytes, sha256: str, file_type: str, filename: str) -> bool:
    """True when the whole file (every sheet, every cell, its name) holds a likely 個人番号: what the upload
    check found, else a scan now."""
    if find_my_numbers(filename):
        return True
    remembered = _remembered_scan(sha256) if SHA256.match(sha256 or "") else None
    if remembered is not None:
        return remembered
    try:
        return bool(my_numbers_in(data, file_type, filename, ScanLimits.from_config()))
    except ScanRefused:
        return True


def run_import(result: Preview, *, actor: User) -> dict[str, int]:
    """Write every row of a preview without errors (the caller commits once); returns the totals.

    :raises ImportRefused: the file or any row has an error — nothing is written.
    """
    if not result.can_import:
        raise ImportRefused(HAS_ERRORS_MESSAGE)
    source = f"{result.filename} (SHA-256 {result.sha256})"
    KIND_MODULES[result.kind].apply_rows(result.rows, actor=actor, source=source)
    totals = result.totals
    activity.record(
        f"import.{result.kind}",
        actor=actor,
        summary=f"{result.filename}: {len(result.rows)} rows, sha256 {result.sha256}",
        changes={
            "file": [None, result.filename],
            "sha256": [None, result.sha256],
            "rows": [None, len(result.rows)],
            "created": [None, totals[rows.CREATE]],
            "updated": [None, totals[rows.UPDATE]],
            "unchanged": [None, totals[rows.UNCHANGED]],
        },
    )
    return totals

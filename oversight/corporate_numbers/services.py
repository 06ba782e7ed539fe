"""Loading the NTA's corporate-number data, and what a vendor's 法人番号 tells about it.

``load`` streams a file (CSV, or the NTA's zip) into ``corporate_records`` in batches of ``BATCH`` rows
with an upsert (INSERT … ON CONFLICT DO UPDATE), so memory stays bounded whatever the file's size (the
national full-data file has about five million lines). Only a corporation's latest record is kept:
history lines (最新履歴 = 0) are skipped, and a row never replaces a newer one (更新年月日), so a month's
full file and the daily diff files may be loaded in any order.

Two passes (docs/import.md, "one transaction per batch"): :func:`check` reads the whole file and writes
nothing, so a line not in the NTA's format refuses the file before any row is written; then each batch is
upserted and committed on its own, so the national file is not one five-million-row transaction. The
activity-log entry goes with the last batch. A load cut short after the check (the process killed) leaves
some corporations updated and others not, each row whole: loading the same file again completes it, since
the upsert never lets an older row win.

``lookup`` / ``lookup_many`` read the table; ``fill_blanks`` and ``findings`` are the rules the vendor
form, the vendor page and the import share: blank name, kana and address are filled from the record, and
a registered name that differs from the NTA's (compared as the import compares names) or a closed
corporation (閉鎖) is a warning, never an error. Nothing here calls an external service.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_
from sqlalchemy.dialects import postgresql, sqlite

from oversight.activity import services as activity
from oversight.core.values import comparable
from oversight.corporate_numbers import reading
from oversight.corporate_numbers.models import CorporateRecord
from oversight.extensions import db
from oversight.vendors import corporate_number as numbers

BATCH = 2000
LOOKUP_CHUNK = 500
UPDATED_COLUMNS = tuple(c.name for c in CorporateRecord.__table__.columns if c.name != "corporate_number")

NAME_DIFFERS = _l("The registered name differs from the National Tax Agency's: %(name)s.")
CLOSED = _l("The National Tax Agency's data shows this corporation as closed (閉鎖) on %(date)s%(cause)s.")
SUCCESSOR = _l(" (successor: %(number)s)")


@dataclass
class LoadResult:
    filename: str
    sha256: str
    encoding: str = ""
    files: int = 0
    lines: int = 0
    loaded: int = 0  # latest records written (new, or newer than the table's)
    history: int = 0  # 最新履歴 = 0 lines, skipped
    parts: list[str] = field(default_factory=list)
    codecs: list[str] = field(default_factory=list)  # each part's encoding, as :func:`check` found it


def _sha256(source: IO[bytes]) -> str:
    digest = hashlib.sha256()
    source.seek(0)
    while chunk := source.read(reading.CHUNK):
        digest.update(chunk)
    source.seek(0)
    return digest.hexdigest()


def _upsert(rows: list[dict[str, Any]]) -> int:
    """Insert ``rows`` (distinct numbers) or update the table's rows that are not newer; the count given."""
    if not rows:
        return 0
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(CorporateRecord.__table__)
    table = CorporateRecord.__table__
    statement = insert.on_conflict_do_update(
        index_elements=[table.c.corporate_number],
        set_={name: insert.excluded[name] for name in UPDATED_COLUMNS},
        where=insert.excluded.update_date >= table.c.update_date,
    )
    # Core, not the ORM: no object per row, and the stored vendor states have nothing to note here.
    db.session.connection().execute(statement, rows)
    return len(rows)


def check(source: IO[bytes], filename: str) -> LoadResult:
    """Read the whole file once, writing nothing: its parts, their encodings and the line counts.

    :raises reading.CorporateDataError: not the NTA's format (a line, an encoding, an empty file).
    """
    result = LoadResult(filename=filename, sha256=_sha256(source))
    with reading.parts(source, filename) as found:
        for part in found:
            encoding = reading.detect_encoding(part.open)
            result.files += 1
            result.parts.append(part.name)
            result.codecs.append(encoding)
            result.encoding = reading.ENCODING_NAMES[encoding]
            for record in reading.records(part, encoding):
                result.lines += 1
                if not record.latest:
                    result.history += 1
    if not result.lines:
        raise reading.CorporateDataError(_l("The file holds no corporate-number data."))
    return result


def _write(source: IO[bytes], filename: str, result: LoadResult) -> None:
    """Upsert the latest records of a :func:`check`-ed file, committing every ``BATCH`` rows."""
    with reading.parts(source, filename) as found:
        for part, encoding in zip(found, result.codecs, strict=True):
            batch: dict[str, dict[str, Any]] = {}
            for record in reading.records(part, encoding):
                if not record.latest:
                    continue
                batch[record.corporate_number] = record.values()  # a later line of the same number wins
                if len(batch) >= BATCH:
                    result.loaded += _upsert(list(batch.values()))
                    db.session.commit()
                    batch.clear()
            result.loaded += _upsert(list(batch.values()))


def load(source: IO[bytes], filename: str, *, actor: Any) -> LoadResult:
    """Load an NTA corporate-number data file (CSV in UTF-8 or Shift-JIS, or the NTA's zip of it): checked
    whole first, then written with a commit per batch; the last batch and the activity-log entry are left
    for the caller to commit.

    :raises reading.CorporateDataError: not the NTA's format, found before anything is written.
    """
    result = check(source, filename)
    _write(source, filename, result)
    activity.record(
        "corporate_numbers.load",
        actor=actor,
        summary=f"{filename}: {result.lines} lines, {result.loaded} records loaded, sha256 {result.sha256}",
        changes={
            "file": [None, filename],
            "sha256": [None, result.sha256],
            "encoding": [None, result.encoding],
            "lines": [None, result.lines],
            "loaded": [None, result.loaded],
            "history_skipped": [None, result.history],
        },
    )
    return result


def count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(CorporateRecord)) or 0


def latest_update():
    return db.session.scalar(db.select(db.func.max(CorporateRecord.update_date)))


def lookup(number: str | None) -> CorporateRecord | None:
    """The NTA's record of this 法人番号 (any notation), None when unknown, invalid or deleted (処理区分 99)."""
    normalised = numbers.normalise(number)
    if not numbers.is_valid(normalised):
        return None
    record = db.session.get(CorporateRecord, normalised)
    return None if record is None or record.process == reading.DELETED else record


def with_record(query, number_column):
    """``query`` with the NTA's record of ``number_column`` as one more column (an outer join in the same
    statement: None when the number is unknown or deleted), so a page reads it without a query of its own."""
    on = and_(CorporateRecord.corporate_number == number_column, CorporateRecord.process != reading.DELETED)
    return query.add_columns(CorporateRecord).outerjoin(CorporateRecord, on)


def lookup_many(numbers_: Iterable[str]) -> dict[str, CorporateRecord]:
    """The records of these (normalised, valid) numbers, by number: one query per ``LOOKUP_CHUNK``."""
    wanted = sorted({number for number in numbers_ if number})
    found: dict[str, CorporateRecord] = {}
    if not wanted or db.session.scalar(db.select(CorporateRecord.corporate_number).limit(1)) is None:
        return found
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        chunk = wanted[start : start + LOOKUP_CHUNK]
        query = db.select(CorporateRecord).where(
            CorporateRecord.corporate_number.in_(chunk), CorporateRecord.process != reading.DELETED
        )
        for record in db.session.scalars(query):
            found[record.corporate_number] = record
            db.session.expunge(record)  # read-only reference data: not kept in the session's identity map
    return found


FILLED_FIELDS = ("name", "name_kana", "address")


def fill_blanks(values: dict[str, Any], record: CorporateRecord | None) -> list[str]:
    """Fill the blank ``name``, ``name_kana`` and ``address`` of ``values`` from the NTA's record; the
    fields filled."""
    if record is None:
        return []
    published = {"name": record.name, "name_kana": record.furigana, "address": record.address}
    filled = []
    for name in FILLED_FIELDS:
        if not str(values.get(name) or "").strip() and published[name]:
            values[name] = published[name]
            filled.append(name)
    return filled


def findings(name: str, record: CorporateRecord | None) -> list[str]:
    """Warnings about a vendor named ``name`` whose 法人番号 has this record: a different registered name
    (compared without width, spaces or 株式会社 forms), a closed corporation."""
    if record is None:
        return []
    warnings = []
    if name and record.name and comparable(name) != comparable(record.name):
        warnings.append(str(NAME_DIFFERS % {"name": record.name}))
    if record.is_closed:
        cause = reading.CLOSE_CAUSES.get(record.close_cause, "")
        successor = str(SUCCESSOR % {"number": record.successor_number}) if record.successor_number else ""
        warnings.append(
            str(
                CLOSED
                % {
                    "date": record.close_date.isoformat(),  # type: ignore[union-attr]
                    "cause": (f"（{cause}）" if cause else "") + successor,
                }
            )
        )
    return warnings

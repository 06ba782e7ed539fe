"""Reading the NTA's corporate-number data files (法人番号公表サイト「基本3情報ダウンロード」), streaming.

The CSV layout is the 30 items of the NTA's リソース定義書 (the download files' column definition; items
29 フリガナ and 30 検索対象除外 are the last ones added), one record per line, no header row:

 1 一連番号            2 法人番号           3 処理区分          4 訂正区分          5 更新年月日
 6 変更年月日          7 商号又は名称       8 商号又は名称イメージID            9 法人種別
10 国内所在地(都道府県) 11 国内所在地(市区町村) 12 国内所在地(丁目番地等) 13 国内所在地イメージID
14 都道府県コード      15 市区町村コード    16 郵便番号          17 国外所在地      18 国外所在地イメージID
19 登記記録の閉鎖等年月日 20 登記記録の閉鎖等の事由 21 承継先法人番号 22 変更事由の詳細
23 法人番号指定年月日  24 最新履歴          25 商号又は名称(英語表記) 26 国内所在地(都道府県)(英語表記)
27 国内所在地(市区町村)(英語表記) 28 国外所在地(英語表記) 29 フリガナ 30 検索対象除外

The NTA publishes each file as 「CSV・Unicode」 (UTF-8) and 「CSV・Shift-JIS」, zipped. Both are read, the
encoding decided as the bulk import decides it (UTF-8 with or without BOM, else CP932, else refused),
here over the whole stream in chunks, so a five-million-line national file is never held in memory.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import IO

from flask_babel import lazy_gettext as _l

from oversight.vendors import corporate_number as numbers

COLUMN_COUNT = 30
# 処理区分 → its meaning (リソース定義書).
PROCESSES = {
    "01": "新規",
    "11": "商号又は名称の変更",
    "12": "国内所在地の変更",
    "13": "国外所在地の変更",
    "21": "登記記録の閉鎖等",
    "22": "登記記録の閉鎖等の取消し",
    "71": "吸収合併",
    "72": "吸収合併無効",
    "81": "商号の登記の抹消",
    "99": "削除",
}
DELETED = "99"
CLOSE_CAUSES = {"01": "清算の結了等", "11": "合併による解散等", "21": "登記官による閉鎖", "31": "その他の清算の結了等"}
CHUNK = 1 << 20


class CorporateDataError(ValueError):
    """The file is not the NTA's corporate-number data; ``message`` says why (and where)."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(slots=True)
class Record:
    """One line of the file, in the lookup table's shape (``latest``: 最新履歴 = 1)."""

    corporate_number: str
    process: str
    update_date: date
    change_date: date | None
    name: str
    kind: str
    prefecture: str
    city: str
    street: str
    postal_code: str
    address_outside: str
    close_date: date | None
    close_cause: str
    successor_number: str
    furigana: str
    hidden: bool
    latest: bool

    def values(self) -> dict:
        return {
            "corporate_number": self.corporate_number,
            "process": self.process,
            "update_date": self.update_date,
            "change_date": self.change_date,
            "name": self.name,
            "kind": self.kind,
            "prefecture": self.prefecture,
            "city": self.city,
            "street": self.street,
            "postal_code": self.postal_code,
            "address_outside": self.address_outside,
            "close_date": self.close_date,
            "close_cause": self.close_cause,
            "successor_number": self.successor_number,
            "furigana": self.furigana,
            "hidden": self.hidden,
        }


def _date(text: str, line: int, item: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CorporateDataError(
            _l("Line %(line)d: %(item)s is not a date (YYYY-MM-DD): %(value)s", line=line, item=item, value=text[:20])
        ) from error


def parse_row(row: list[str], line: int) -> Record:
    """One CSV line as a :class:`Record`; CorporateDataError when it is not in the NTA's layout."""
    if len(row) != COLUMN_COUNT:
        raise CorporateDataError(
            _l(
                "Line %(line)d has %(count)d columns; the NTA's corporate-number data has %(expected)d. "
                "Load the CSV file as downloaded from the NTA's site (or its zip).",
                line=line,
                count=len(row),
                expected=COLUMN_COUNT,
            )
        )
    number = row[1].strip()
    if not numbers.is_valid(number):
        raise CorporateDataError(
            _l("Line %(line)d: %(value)s is not a valid corporate number.", line=line, value=number[:20])
        )
    process = row[2].strip()
    if process not in PROCESSES:
        raise CorporateDataError(_l("Line %(line)d: unknown 処理区分 %(value)s.", line=line, value=process[:10]))
    update_date = _date(row[4].strip(), line, "更新年月日")
    if update_date is None:
        raise CorporateDataError(_l("Line %(line)d: 更新年月日 is empty.", line=line))
    successor = row[20].strip()
    return Record(
        corporate_number=number,
        process=process,
        update_date=update_date,
        change_date=_date(row[5].strip(), line, "変更年月日"),
        name=row[6].strip(),
        kind=row[8].strip()[:3],
        prefecture=row[9].strip(),
        city=row[10].strip(),
        street=row[11].strip(),
        postal_code=row[15].strip()[:7],
        address_outside=row[16].strip(),
        close_date=_date(row[18].strip(), line, "登記記録の閉鎖等年月日"),
        close_cause=row[19].strip()[:2],
        successor_number=successor if numbers.is_valid(successor) else "",
        furigana=row[28].strip(),
        hidden=row[29].strip() == "1",
        latest=row[23].strip() != "0",
    )


def _decodes(open_stream, encoding: str) -> bool:
    """True when the whole stream decodes as ``encoding`` (read in chunks, nothing kept)."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    with open_stream() as stream:
        try:
            while chunk := stream.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def detect_encoding(open_stream) -> str:
    """``utf-8-sig`` (UTF-8, with or without BOM) or ``cp932`` (the Shift-JIS files); CorporateDataError else.

    A file that starts with a UTF-16 byte-order mark (a 「Unicode」 file saved again by a Windows editor)
    is read as UTF-16."""
    with open_stream() as stream:
        start = stream.read(2)
    candidates = ("utf-16",) if start in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else ("utf-8-sig", "cp932")
    for encoding in candidates:
        if _decodes(open_stream, encoding):
            return encoding
    raise CorporateDataError(_l("The file is neither UTF-8 nor Shift_JIS (CP932) text: it is not the NTA's CSV data."))


ENCODING_NAMES = {"utf-8-sig": "UTF-8", "cp932": "Shift_JIS (CP932)", "utf-16": "UTF-16"}


@dataclass
class Part:
    """A CSV file to read: on its own, or a member of the NTA's zip."""

    name: str
    opener: object  # () -> a binary stream, a context manager

    def open(self):
        return self.opener()  # type: ignore[operator]


@contextmanager
def parts(source: IO[bytes], filename: str) -> Iterator[list[Part]]:
    """The CSV files in ``source`` (seekable): itself, or every ``.csv`` member of a zip, in order."""
    source.seek(0)
    if zipfile.is_zipfile(source):
        source.seek(0)
        try:
            archive = zipfile.ZipFile(source)
        except zipfile.BadZipFile as error:
            raise CorporateDataError(_l("The zip file could not be read.")) from error
        with archive:
            members = [info for info in archive.infolist() if info.filename.lower().endswith(".csv")]
            if not members:
                raise CorporateDataError(_l("The zip file holds no CSV file."))
            yield [Part(info.filename, lambda info=info: archive.open(info)) for info in members]
        return

    @contextmanager
    def reopened():
        source.seek(0)
        yield source

    yield [Part(filename, reopened)]


def records(part: Part, encoding: str) -> Iterator[Record]:
    """Every line of ``part`` as a Record, streaming."""
    with part.open() as stream:
        text = io.TextIOWrapper(stream, encoding=encoding, newline="")
        try:
            for line, row in enumerate(csv.reader(text), start=1):
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                yield parse_row(row, line)
        except csv.Error as error:
            raise CorporateDataError(_l("The CSV file could not be read: %(error)s", error=str(error))) from error
        finally:
            text.detach()

"""A report as plain data: a title page header and a list of blocks, with no database access.

Report code (``oversight.reports``) loads what it needs, then builds a ``ReportDocument``::

    document = ReportDocument(title="委託先台帳", company_name=company, generated_at=now)
    document.heading("基本情報").key_values([("名称", vendor.name), ("状態", Light("green", "取引中"))])
    document.table(["項目", "結果"], rows).signatures(["法務", "管理責任者"])
    pdf_bytes = render_pdf(document)

Cell values may be ``str``, numbers, ``date``, ``datetime`` (shown in the document's time zone),
``None`` (an empty cell) or a ``Light``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

LIGHT_LEVELS = ("green", "amber", "red", "grey")


@dataclass(frozen=True)
class Light:
    """A traffic-light status cell: a coloured dot and text (e.g. ``Light("red", "期限超過")``)."""

    level: str
    text: str

    def __post_init__(self) -> None:
        if self.level not in LIGHT_LEVELS:
            raise ValueError(f"Unknown light level {self.level!r}; use one of {LIGHT_LEVELS}.")


Cell = str | int | float | date | datetime | Light | None


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Text:
    text: str
    is_small: bool = False


@dataclass(frozen=True)
class KeyValues:
    rows: tuple[tuple[str, Cell], ...]


@dataclass(frozen=True)
class DataTable:
    """A table that splits across pages, repeating its header row.

    ``widths`` are relative weights (e.g. ``(1, 4, 2)``); without them, widths follow the content.
    """

    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    widths: tuple[float, ...] | None = None


class _ReadOnce:
    """An iterator that refuses to be read a second time (a streamed table can be rendered only once)."""

    def __init__(self, rows: Iterable[Sequence[Cell]]) -> None:
        self._rows: Iterator[Sequence[Cell]] | None = iter(rows)

    def __iter__(self) -> Iterator[Sequence[Cell]]:
        if self._rows is None:
            raise RuntimeError("A streamed table's rows have already been read: build the document again.")
        rows, self._rows = self._rows, None
        return rows


@dataclass(frozen=True)
class StreamedTable:
    """A ``DataTable`` whose rows are read while the PDF is drawn, about a page at a time.

    Only the rows of the page being laid out are in memory, so a table of any length renders in
    bounded memory. ``widths`` are required (automatic widths would need every row first); the rows
    can be read once, so the document can be rendered once.
    """

    header: tuple[str, ...]
    rows: _ReadOnce
    widths: tuple[float, ...]


@dataclass(frozen=True)
class LateText:
    """Running text computed when it is laid out, after every block before it has been drawn."""

    text: Callable[[], str]
    is_small: bool = False


@dataclass(frozen=True)
class Signatures:
    """Boxes for a seal or signature, one per role, each with a date line."""

    roles: tuple[str, ...]


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Text | LateText | KeyValues | DataTable | StreamedTable | Signatures | PageBreak


@dataclass
class ReportDocument:
    """A document to render: metadata for the header and footer of every page, then the blocks."""

    title: str
    company_name: str
    generated_at: datetime
    subtitle: str = ""
    is_confidential: bool = True
    timezone: str = "Asia/Tokyo"
    is_landscape: bool = False  # A4 landscape, for tables with many columns (the register)
    blocks: list[Block] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.generated_at.tzinfo is None:
            raise ValueError("generated_at must be timezone-aware (use oversight.core.timeutil.utcnow()).")

    def heading(self, text: str, level: int = 1) -> ReportDocument:
        """Add a section heading (level 1 or 2); it stays on the page of what follows it."""
        self.blocks.append(Heading(text, level))
        return self

    def paragraph(self, text: str, *, is_small: bool = False) -> ReportDocument:
        """Add running text; line breaks in ``text`` are kept, markup characters are escaped."""
        self.blocks.append(Text(text, is_small))
        return self

    def key_values(self, rows: Iterable[tuple[str, Cell]]) -> ReportDocument:
        """Add a two-column table of labels and values."""
        self.blocks.append(KeyValues(tuple(rows)))
        return self

    def table(
        self, header: Sequence[str], rows: Iterable[Sequence[Cell]], widths: Sequence[float] | None = None
    ) -> ReportDocument:
        """Add a data table; long tables continue on the next pages with the header repeated."""
        header = tuple(header)
        body = tuple(tuple(row) for row in rows)
        if widths is not None and len(widths) != len(header):
            raise ValueError("widths needs one weight per column.")
        if any(len(row) != len(header) for row in body):
            raise ValueError("Every row needs one value per header column.")
        self.blocks.append(DataTable(header, body, tuple(widths) if widths else None))
        return self

    def streamed_table(
        self, header: Sequence[str], rows: Iterable[Sequence[Cell]], widths: Sequence[float]
    ) -> ReportDocument:
        """Add a data table whose ``rows`` (e.g. a generator reading the database in batches) are read
        only while rendering, a page at a time: memory stays flat however many rows there are.

        ``widths`` (relative weights) are required. A row without one value per header column raises
        ``ValueError`` when it is read. The document can then be rendered only once.
        """
        header = tuple(header)
        if len(widths) != len(header):
            raise ValueError("widths needs one weight per column.")
        self.blocks.append(StreamedTable(header, _ReadOnce(rows), tuple(widths)))
        return self

    def late_paragraph(self, text: Callable[[], str], *, is_small: bool = False) -> ReportDocument:
        """Add running text that ``text()`` gives when the page reaches it, e.g. the number of rows a
        streamed table above has shown."""
        self.blocks.append(LateText(text, is_small))
        return self

    def signatures(self, roles: Sequence[str] = ("法務", "管理責任者")) -> ReportDocument:
        """Add signature boxes for ``roles`` (each with a date line), kept together on one page."""
        self.blocks.append(Signatures(tuple(roles)))
        return self

    def page_break(self) -> ReportDocument:
        """Start a new page."""
        self.blocks.append(PageBreak())
        return self

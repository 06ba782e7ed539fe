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

from collections.abc import Iterable, Sequence
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


@dataclass(frozen=True)
class Signatures:
    """Boxes for a seal or signature, one per role, each with a date line."""

    roles: tuple[str, ...]


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Text | KeyValues | DataTable | Signatures | PageBreak


@dataclass
class ReportDocument:
    """A document to render: metadata for the header and footer of every page, then the blocks."""

    title: str
    company_name: str
    generated_at: datetime
    subtitle: str = ""
    is_confidential: bool = True
    timezone: str = "Asia/Tokyo"
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

    def signatures(self, roles: Sequence[str] = ("法務", "管理責任者")) -> ReportDocument:
        """Add signature boxes for ``roles`` (each with a date line), kept together on one page."""
        self.blocks.append(Signatures(tuple(roles)))
        return self

    def page_break(self) -> ReportDocument:
        """Start a new page."""
        self.blocks.append(PageBreak())
        return self

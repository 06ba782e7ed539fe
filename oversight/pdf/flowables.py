"""Blocks of a ``ReportDocument`` turned into platypus flowables, every style on the Japanese font."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import NamedTuple
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.textsplit import wordSplit
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    HRFlowable,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import PageBreak as PageBreakFlowable
from reportlab.platypus.paragraph import _wsc as PARAGRAPH_WHITESPACE

from oversight.pdf.document import (
    Cell,
    DataTable,
    Heading,
    KeyValues,
    LateText,
    Light,
    PageBreak,
    ReportDocument,
    Signatures,
    StreamedTable,
    Text,
)
from oversight.pdf.layout import (
    CELL_FONT_SIZE,
    CELL_LEADING,
    CELL_PADDING,
    CELL_PADDING_Y,
    FRAME_WIDTH,
    GENERATED_LABEL,
    HEADER_FILL,
    INK,
    LIGHT_COLOURS,
    LINE_COLOUR,
    MUTED,
    SIGNATURE_DATE_LINE,
    ZEBRA_FILL,
    frame_width,
)


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, fontSize=9.5, leading=14, textColor=INK, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", base, fontSize=17, leading=23, spaceAfter=2),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=11, leading=15, textColor=MUTED),
        "meta": ParagraphStyle("meta", base, fontSize=8.5, leading=12, textColor=MUTED, spaceAfter=6),
        "h1": ParagraphStyle("h1", base, fontSize=13, leading=18, spaceBefore=10, spaceAfter=3),
        "h2": ParagraphStyle("h2", base, fontSize=11, leading=15, spaceBefore=7, spaceAfter=3),
        "body": ParagraphStyle("body", base, spaceAfter=5),
        "small": ParagraphStyle("small", base, fontSize=8, leading=11, textColor=MUTED, spaceAfter=4),
        "cell": ParagraphStyle("cell", base, fontSize=CELL_FONT_SIZE, leading=CELL_LEADING),
        "number": ParagraphStyle("number", base, fontSize=CELL_FONT_SIZE, leading=CELL_LEADING, alignment=TA_RIGHT),
        "head": ParagraphStyle("head", base, fontSize=CELL_FONT_SIZE, leading=CELL_LEADING),
    }


_WHITESPACE = re.compile(f"[{re.escape(PARAGRAPH_WHITESPACE)}]+")
# A run of printable ASCII (a date, a time, a number, a code such as K-2026-002, an e-mail address, a
# Latin word) is one unit: a line breaks before or after it, never inside, unless it alone is too wide.
_ATOM = re.compile(r"[!-~]+| |.")
_NO_BREAK_BEFORE = frozenset("、。，．）」』】〕〉》｝！？ー・：；ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々")
_NO_BREAK_AFTER = frozenset("（「『【〔〈《｛")
MAX_UNIT_SHARE = 0.35  # a column is widened for its longest unit up to this share of the frame
WRAP_CACHE_SIZE = 4096  # wrapped cell texts kept (a column repeats its values; names don't repeat)


def _markup(text: str) -> str:
    return escape(text).replace("\n", "<br/>")


class _Renderer:
    """Turns blocks into flowables; one per render, holding the font, styles and time zone."""

    def __init__(self, document: ReportDocument, font: str) -> None:
        self.document = document
        self.font = font
        self.zone = ZoneInfo(document.timezone)
        self.styles = _styles(font)
        self.frame = frame_width(document.is_landscape)
        self._wrapped: dict[tuple[str, float], str] = {}

    def cell_text(self, value: Cell) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):  # an instant: in the document's zone, the zone stated (… 10:35 JST)
            if value.tzinfo is None:
                return f"{value:%Y-%m-%d %H:%M}"
            local = value.astimezone(self.zone)
            return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, Light):
            return f"● {value.text}"
        return str(value)

    def cell(self, value: Cell, style: str = "cell") -> Paragraph:
        if isinstance(value, Light):
            ink = LIGHT_COLOURS[value.level][0]
            return Paragraph(
                f'<font color="{ink.hexval()}">{_markup(self.cell_text(value))}</font>', self.styles[style]
            )
        if isinstance(value, int | float) and not isinstance(value, bool):
            style = "number"
        return Paragraph(_markup(self.cell_text(value)), self.styles[style])

    def title_block(self) -> list[Flowable]:
        document = self.document
        flowables: list[Flowable] = [Paragraph(_markup(document.title), self.styles["title"])]
        if document.subtitle:
            flowables.append(Paragraph(_markup(document.subtitle), self.styles["subtitle"]))
        meta = f"{document.company_name}　／　{GENERATED_LABEL} {generated_label(document)}"
        flowables.append(Paragraph(_markup(meta), self.styles["meta"]))
        flowables.append(HRFlowable(width="100%", thickness=1.2, color=INK, spaceBefore=2, spaceAfter=6))
        return flowables

    def flowables(self) -> list[Flowable]:
        """The story; a heading stays on the page of the block after it."""
        story = self.title_block()
        headings: list[Flowable] = []
        for block in self.document.blocks:
            flowables = self.block(block)
            if isinstance(block, Heading):
                headings.extend(flowables)
                continue
            # A table is too long to keep together: keep room for a few rows after its heading.
            if headings and isinstance(block, DataTable | StreamedTable):
                story += [CondPageBreak(40 * mm), *headings, *flowables]
            elif headings:
                story.append(KeepTogether([*headings, *flowables]))
            else:
                story += flowables
            headings = []
        return story + headings

    def block(self, block) -> list[Flowable]:
        if isinstance(block, Heading):
            style = self.styles["h1" if block.level <= 1 else "h2"]
            return [Paragraph(_markup(block.text), style)]
        if isinstance(block, Text):
            return [Paragraph(_markup(block.text), self.styles["small" if block.is_small else "body"])]
        if isinstance(block, LateText):
            return [LateParagraph(block.text, self.styles["small" if block.is_small else "body"])]
        if isinstance(block, KeyValues):
            return [self.key_values(block), Spacer(1, 4 * mm)]
        if isinstance(block, DataTable):
            return [self.data_table(block), Spacer(1, 4 * mm)]
        if isinstance(block, StreamedTable):
            return [self.streamed_table(block), Spacer(1, 4 * mm)]
        if isinstance(block, Signatures):
            return [Spacer(1, 4 * mm), KeepTogether([self.signatures(block)])]
        if isinstance(block, PageBreak):
            return [PageBreakFlowable()]
        raise TypeError(f"Unknown block {block!r}")

    def key_values(self, block: KeyValues) -> Table:
        rows = [[self.cell(key, "head"), self.cell(value)] for key, value in block.rows]
        table = Table(rows, colWidths=[45 * mm, self.frame - 45 * mm], hAlign="LEFT", splitInRow=1)
        lights = [
            ("BACKGROUND", (1, index), (1, index), LIGHT_COLOURS[value.level][1])
            for index, (_, value) in enumerate(block.rows)
            if isinstance(value, Light)
        ]
        table.setStyle(TableStyle([*self.grid(), ("BACKGROUND", (0, 0), (0, -1), HEADER_FILL), *lights]))
        return table

    def data_table(self, block: DataTable) -> PagedTable:
        widths = column_widths(block, self.cell_text, self.font, frame=self.frame)
        header = self.table_row(block.header, widths)
        return PagedTable(header, [self.table_row(row, widths) for row in block.rows], widths, self.table_style())

    def streamed_table(self, block: StreamedTable) -> PagedTable:
        """A ``PagedTable`` that reads its rows from the block's iterator as pages need them."""
        widths = scaled_widths(block.widths, self.frame)
        header = self.table_row(block.header, widths)
        return PagedTable(header, [], widths, self.table_style(), more=self.table_rows(block.rows, widths))

    def table_rows(self, rows: Iterable[Sequence[Cell]], widths: Sequence[float]) -> Iterator[TableRow]:
        for row in rows:
            if len(row) != len(widths):
                raise ValueError("Every row needs one value per header column.")
            yield self.table_row(row, widths)

    def table_style(self) -> list[tuple]:
        return [
            *self.grid(),
            ("FONTSIZE", (0, 0), (-1, -1), CELL_FONT_SIZE),
            ("LEADING", (0, 0), (-1, -1), CELL_LEADING),
            ("TEXTCOLOR", (0, 0), (-1, -1), INK),
            ("TOPPADDING", (0, 0), (-1, -1), CELL_PADDING_Y),
            ("BOTTOMPADDING", (0, 0), (-1, -1), CELL_PADDING_Y),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ZEBRA_FILL]),
            ("LINEBELOW", (0, 0), (-1, 0), 1, INK),
        ]

    def table_row(self, values: Sequence[Cell], widths: Sequence[float]) -> TableRow:
        """One row of a data table as wrapped plain text, with the colour of its lights and number alignment."""
        texts = []
        commands: list[tuple] = []
        lines = 1
        for col, (value, width) in enumerate(zip(values, widths, strict=True)):
            text = self.wrapped(self.cell_text(value), width - 2 * CELL_PADDING)
            texts.append(text)
            lines = max(lines, text.count("\n") + 1)
            if isinstance(value, Light):
                ink, fill = LIGHT_COLOURS[value.level]
                commands += [("TEXTCOLOR", col, ink), ("BACKGROUND", col, fill)]
            elif isinstance(value, int | float) and not isinstance(value, bool):
                commands.append(("ALIGN", col, "RIGHT"))
        return TableRow(tuple(texts), lines * CELL_LEADING + 2 * CELL_PADDING_Y, tuple(commands))

    def wrapped(self, text: str, width: float) -> str:
        """``text`` broken into lines of at most ``width`` points, as a cell Paragraph would break it.

        Runs of white space become one space and each line is trimmed (as in a Paragraph), then a
        line too wide is broken between units (``break_line``): Japanese text between characters,
        never inside a date, number or e-mail address, closing punctuation kept on its line. Cached (a
        column repeats its values), the cache emptied when it holds ``WRAP_CACHE_SIZE`` texts so a long
        streamed table stays bounded.
        """
        key = (text, width)
        found = self._wrapped.get(key)
        if found is None:
            if len(self._wrapped) >= WRAP_CACHE_SIZE:
                self._wrapped.clear()
            lines = []
            for raw in text.split("\n"):
                line = _WHITESPACE.sub(" ", raw).strip(" ")
                if stringWidth(line, self.font, CELL_FONT_SIZE) <= width:
                    lines.append(line)
                else:
                    lines += break_line(line, width, self.font, CELL_FONT_SIZE)
            while len(lines) > 1 and not lines[-1]:
                lines.pop()
            found = self._wrapped[key] = "\n".join(lines)
        return found

    def signatures(self, block: Signatures) -> Table:
        width = 48 * mm
        rows = [
            [self.cell(role, "head") for role in block.roles],
            ["" for _ in block.roles],
            [self.cell(SIGNATURE_DATE_LINE, "small") for _ in block.roles],
        ]
        table = Table(rows, colWidths=[width] * len(block.roles), rowHeights=[None, 24 * mm, None], hAlign="RIGHT")
        table.setStyle(TableStyle([*self.grid(), ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL)]))
        return table

    def grid(self) -> list[tuple]:
        return [
            ("FONTNAME", (0, 0), (-1, -1), self.font),
            ("GRID", (0, 0), (-1, -1), 0.5, LINE_COLOUR),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
            ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ]


class TableRow(NamedTuple):
    """A data table row ready to draw: wrapped texts, height in points, and per-cell style.

    ``commands`` are ``(operation, column, value)``, e.g. ``("TEXTCOLOR", 3, ink)``.
    """

    texts: tuple[str, ...]
    height: float
    commands: tuple[tuple[str, int, object], ...]


class PagedTable(Flowable):
    """A data table laid out one page at a time, the header row repeated on every page.

    It looks like a ``Table`` with ``repeatRows=1``, but the reportlab ``Table`` is only ever made
    for the rows of the page being drawn: a reportlab ``Table`` of thousands of rows (or of
    Paragraph cells) costs time that grows with the square of its length when it is split page by
    page, and keeps every cell in memory. Row heights are known in advance (wrapped plain text),
    so finding a page's last row is a sum. A row taller than what is left of a page continues on
    the next one (as ``splitInRow`` does) when not even one row fits.

    With ``more`` (an iterator of further rows), rows are read only until they fill the height
    being laid out: the rest of a streamed table stays unread until the next page asks for it.
    """

    def __init__(
        self,
        header: TableRow,
        rows: Sequence[TableRow],
        widths: Sequence[float],
        style: list[tuple],
        rows_height: float | None = None,
        more: Iterator[TableRow] | None = None,
    ) -> None:
        super().__init__()
        self.header = header
        self.rows = rows
        self.widths = widths
        self.style = style
        self.more = more
        self.hAlign = "LEFT"
        self.width = sum(widths)
        self.rows_height = sum(row.height for row in rows) if rows_height is None else rows_height
        self.height = header.height + self.rows_height

    def read(self, height: float) -> None:
        """Read rows from ``more`` until they are taller than ``height`` (or there are no more)."""
        if self.more is None or self.height > height:
            return
        rows = list(self.rows)
        for row in self.more:
            rows.append(row)
            self.rows_height += row.height
            if self.header.height + self.rows_height > height:
                break
        else:
            self.more = None
        self.rows = rows
        self.height = self.header.height + self.rows_height

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.read(availHeight)
        return self.width, self.height

    def draw(self) -> None:
        table = self.page(self.rows)
        table.wrapOn(self.canv, self.width, self.height)
        table.drawOn(self.canv, 0, 0)

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self.read(availHeight)
        room = availHeight - self.header.height
        count = 0
        for row in self.rows:
            if row.height > room:
                break
            room -= row.height
            count += 1
        if count == len(self.rows):  # only when called without need: everything fits (``read`` saw the end)
            return [self.page(self.rows)] if room >= 0 else []
        if count:
            used = availHeight - self.header.height - room
            return [self.page(self.rows[:count]), self.rest(self.rows[count:], self.rows_height - used)]
        lines = int((room - 2 * CELL_PADDING_Y) // CELL_LEADING)
        if lines < 1:
            return []  # not even one line fits: the table starts on the next page
        first, *others = self.rows
        top = [text.split("\n") for text in first.texts]
        head = TableRow(
            tuple("\n".join(parts[:lines]) for parts in top), lines * CELL_LEADING + 2 * CELL_PADDING_Y, first.commands
        )
        left = max(len(parts) for parts in top) - lines
        tail = TableRow(
            tuple("\n".join(parts[lines:]) for parts in top), left * CELL_LEADING + 2 * CELL_PADDING_Y, first.commands
        )
        return [self.page([head]), self.rest([tail, *others])]

    def rest(self, rows: Sequence[TableRow], rows_height: float | None = None) -> PagedTable:
        return PagedTable(self.header, rows, self.widths, self.style, rows_height, self.more)

    def page(self, rows: Sequence[TableRow]) -> Table:
        """The reportlab ``Table`` of the header and ``rows``."""
        table = Table(
            [self.header.texts, *(row.texts for row in rows)],
            colWidths=self.widths,
            rowHeights=[self.header.height, *(row.height for row in rows)],
            hAlign="LEFT",
        )
        cells = [
            (operation, (col, index), (col, index), value)
            for index, row in enumerate(rows, start=1)
            for operation, col, value in row.commands
        ]
        for operation, col, value in self.header.commands:
            cells.append((operation, (col, 0), (col, 0), value))
        table.setStyle(TableStyle([*self.style, *cells]))
        return table


def line_units(line: str) -> list[str]:
    """``line`` cut where it may break: each Japanese character, each ASCII run (dates, numbers, codes,
    e-mail addresses stay whole) and each space; closing punctuation stays with what it closes."""
    units: list[str] = []
    for match in _ATOM.finditer(line):
        piece = match.group()
        if units and piece != " " and units[-1] != " " and (
            piece[0] in _NO_BREAK_BEFORE or units[-1][-1] in _NO_BREAK_AFTER
        ):
            units[-1] += piece
        else:
            units.append(piece)
    return units


def break_line(line: str, width: float, font: str, size: float) -> list[str]:
    """``line`` broken into lines of at most ``width`` points between units (``line_units``).

    Only a unit wider than a whole line is cut inside, with reportlab's CJK breaking.
    """
    lines: list[str] = []
    current, used = "", 0.0
    for unit in line_units(line):
        unit_width = stringWidth(unit, font, size)
        if unit == " ":
            if current:
                current, used = current + unit, used + unit_width
            continue
        if used + unit_width <= width:
            current, used = current + unit, used + unit_width
            continue
        if current.strip():
            lines.append(current.rstrip(" "))
        current, used = unit, unit_width
        if unit_width > width:
            *full, current = [part for _space, part in wordSplit(unit, [width], font, size)] or [unit]
            lines += full
            used = stringWidth(current, font, size)
    lines.append(current.rstrip(" "))
    return lines


def widest_unit(texts: Iterable[str], font: str) -> float:
    """The width (points) of the longest unit that must not be broken, among ``texts``."""
    return max(
        (stringWidth(unit, font, CELL_FONT_SIZE) for text in texts for unit in line_units(text) if unit != " "),
        default=0.0,
    )


def fit_units(widths: list[float], needed: Sequence[float], frame: float) -> list[float]:
    """``widths`` changed so each column holds its widest unit (dates, numbers, e-mail addresses on one
    line), up to ``MAX_UNIT_SHARE`` of the frame; what they gain is taken from the columns with room to spare."""
    wanted = [min(need, frame * MAX_UNIT_SHARE) for need in needed]
    lacking = sum(max(0.0, want - width) for want, width in zip(wanted, widths, strict=True))
    spare = [max(0.0, width - want) for want, width in zip(wanted, widths, strict=True)]
    if not lacking or sum(spare) < lacking:
        return widths
    share = lacking / sum(spare)
    return [max(width, want) - room * share for width, want, room in zip(widths, wanted, spare, strict=True)]


def column_widths(
    block: DataTable, cell_text: Callable[[Cell], str], font: str, sample: int = 200, frame: float = FRAME_WIDTH
) -> list[float]:
    """Column widths (points) that add up to the frame width (A4 portrait by default).

    Given weights are scaled to the frame, then each column widened to hold its longest date, number
    or e-mail address on one line (``fit_units``). Otherwise each column wants the width of its longest
    text (header and the first ``sample`` rows), at least 12 mm. Columns that want less than a fair
    share keep their width (dates, numbers and short statuses stay on one line); the rest of the
    frame is shared among the wide columns in proportion to what they want, so long text wraps.
    """
    if block.widths:
        needed = [
            widest_unit([block.header[col], *(cell_text(row[col]) for row in block.rows[:sample])], font)
            + 2 * CELL_PADDING
            + 1
            for col in range(len(block.header))
        ]
        return fit_units(scaled_widths(block.widths, frame), needed, frame)
    wanted = []
    for col in range(len(block.header)):
        texts = [block.header[col], *(cell_text(row[col]) for row in block.rows[:sample])]
        longest = max(stringWidth(text, font, CELL_FONT_SIZE) for text in texts) + 2 * CELL_PADDING + 2
        wanted.append(max(longest, 12 * mm))
    if sum(wanted) <= frame:
        scale = frame / sum(wanted)
        return [width * scale for width in wanted]
    widths: dict[int, float] = {}
    while True:
        flexible = [col for col in range(len(wanted)) if col not in widths]
        room = frame - sum(widths.values())
        narrow = [col for col in flexible if wanted[col] <= room / len(flexible)]
        if not narrow:
            break
        widths.update((col, wanted[col]) for col in narrow)
    wanted_total = sum(wanted[col] for col in flexible)
    widths.update((col, room * wanted[col] / wanted_total) for col in flexible)
    return [widths[col] for col in range(len(wanted))]


def scaled_widths(weights: Sequence[float], frame: float = FRAME_WIDTH) -> list[float]:
    """Relative column weights as widths (points) that add up to the frame width (A4 portrait by default)."""
    total = sum(weights)
    return [frame * weight / total for weight in weights]


class LateParagraph(Flowable):
    """A paragraph whose text is asked for when the frame reaches it (see ``LateText``)."""

    def __init__(self, text: Callable[[], str], style: ParagraphStyle) -> None:
        super().__init__()
        self._text = text
        self._style = style
        self._paragraph: Paragraph | None = None

    @property
    def paragraph(self) -> Paragraph:
        if self._paragraph is None:
            self._paragraph = Paragraph(_markup(self._text()), self._style)
        return self._paragraph

    def getSpaceBefore(self) -> float:
        return self._style.spaceBefore

    def getSpaceAfter(self) -> float:
        return self._style.spaceAfter

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.paragraph.wrap(availWidth, availHeight)

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        return self.paragraph.split(availWidth, availHeight)

    def draw(self) -> None:
        self.paragraph.drawOn(self.canv, 0, 0)


def generated_label(document: ReportDocument) -> str:
    """The generation time as shown on the document, e.g. ``2026-11-26 15:04 JST``."""
    local = document.generated_at.astimezone(ZoneInfo(document.timezone))
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def build_story(document: ReportDocument, font: str) -> list[Flowable]:
    """The flowables for ``document``, starting with its title block."""
    return _Renderer(document, font).flowables()

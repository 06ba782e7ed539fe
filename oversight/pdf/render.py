"""Render a ``ReportDocument`` to PDF bytes with reportlab platypus (A4 portrait or landscape, Japanese font embedded).

Every page carries the company name, the title, the 社外秘 mark, the generation time and
"page X / Y". Every style and canvas call uses the embedded Japanese font (see ``fonts``).

Pages are finished one at a time: each page's drawing is compressed as soon as the page ends and
set aside in a temporary file (in memory up to ``SPOOL_BYTES``, then on disk) until the file is
written, a streamed table (``ReportDocument.streamed_table``) reads its rows only as pages need them,
and the file is assembled in one buffer: a long register renders in memory that holds one copy of the
compressed PDF and does not grow with the rows.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from contextvars import ContextVar
from functools import partial
from tempfile import SpooledTemporaryFile
from typing import IO
from zoneinfo import ZoneInfo

from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.pdfdoc import PDFArray, PDFName, PDFStream, PDFZCompress
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import SimpleDocTemplate

from oversight.pdf.document import ReportDocument
from oversight.pdf.flowables import build_story, generated_label
from oversight.pdf.fonts import register_fonts
from oversight.pdf.layout import (
    CONFIDENTIAL_MARK,
    FRAME_PADDING,
    GENERATED_LABEL,
    LINE_COLOUR,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    MUTED,
    RED,
    page_size,
)

FOOTER_Y = 10 * mm
SPOOL_BYTES = 1024 * 1024  # finished pages' compressed drawing kept in memory up to this, then on disk
_target: ContextVar[IO[bytes] | None] = ContextVar("pdf_target", default=None)  # ``write_pdf``'s file


def _decorate_page(canvas: Canvas, *, document: ReportDocument, font: str) -> None:
    """Header (company, title, 社外秘) and footer (generation time, "X / Y") of one page.

    "X / Y" is a form XObject that ``_PageByPageCanvas.save`` draws once the page count is known.
    """
    page = canvas.getPageNumber()
    page_width, page_height = page_size(document.is_landscape)
    top = page_height - 12 * mm
    canvas.saveState()
    canvas.setFillColor(MUTED)
    canvas.setFont(font, 8)
    canvas.drawString(MARGIN_X, top, document.company_name)
    title_right = page_width - MARGIN_X - (20 * mm if document.is_confidential else 0)
    canvas.drawRightString(title_right, top, _fit(document.title, font, 8, title_right - MARGIN_X - 60 * mm))
    if document.is_confidential:
        canvas.setStrokeColor(RED)
        canvas.setFillColor(RED)
        canvas.setLineWidth(1)
        canvas.rect(page_width - MARGIN_X - 17 * mm, top - 2 * mm, 17 * mm, 6.5 * mm)
        canvas.setFont(font, 10)
        canvas.drawCentredString(page_width - MARGIN_X - 8.5 * mm, top, CONFIDENTIAL_MARK)
    canvas.setStrokeColor(LINE_COLOUR)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN_X, top - 3.5 * mm, page_width - MARGIN_X, top - 3.5 * mm)
    bottom = FOOTER_Y
    canvas.line(MARGIN_X, bottom + 4 * mm, page_width - MARGIN_X, bottom + 4 * mm)
    canvas.setFillColor(MUTED)
    canvas.setFont(font, 8)
    canvas.drawString(MARGIN_X, bottom, f"{GENERATED_LABEL} {generated_label(document)}")
    canvas.doForm(_page_number_form(page))
    canvas.restoreState()


def _page_number_form(page: int) -> str:
    return f"page-number-{page}"


def _draw_page_numbers(canvas: Canvas, total_pages: int, font: str) -> None:
    """Define each page's "X / Y" form, right-aligned in the footer."""
    page_width = canvas._pagesize[0]
    for page in range(1, total_pages + 1):
        canvas.beginForm(_page_number_form(page))
        canvas.setFillColor(MUTED)
        canvas.setFont(font, 8)
        canvas.drawRightString(page_width - MARGIN_X, FOOTER_Y, f"{page} / {total_pages}")
        canvas.endForm()


def _fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut with an ellipsis so it fits ``width`` points."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


class _PageByPageCanvas(Canvas):
    """Decorates each page when it ends and compresses its drawing there and then.

    A reportlab canvas keeps every finished page's drawing operators, as text, until ``save``; here
    only the compressed stream is kept (what the file will hold anyway). The page count of "X / Y"
    is known only at the end: each footer shows a form XObject that ``save`` defines.
    """

    def __init__(
        self, *args, decorate: Callable[[Canvas], None], font: str, created: str, spool: IO[bytes], **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.setDateFormatter(lambda *_server_time: created)
        self._decorate = decorate
        self._font = font
        self._pages_shown = 0
        self._spool = spool

    def showPage(self) -> None:
        self._decorate(self)
        super().showPage()
        self._pages_shown += 1
        _encode_stream(self._doc.Pages[-1], self._spool)

    def save(self) -> None:
        _draw_page_numbers(self, self._pages_shown, self._font)
        super().save()


class _EncodedStream(PDFStream):
    """A page's drawing, compressed and set aside in ``spool`` until the file is written."""

    def __init__(self, text: str, spool: IO[bytes]) -> None:
        super().__init__(content=b"")
        encoded = PDFZCompress.encode(text)
        spool.seek(0, io.SEEK_END)
        self._spool, self._offset, self._length = spool, spool.tell(), len(encoded)
        spool.write(encoded)
        self.dictionary["Filter"] = PDFArray([PDFName(PDFZCompress.pdfname)])
        self.__Comment__ = "page stream"

    def format(self, document) -> bytes:
        self._spool.seek(self._offset)
        self.content = self._spool.read(self._length)
        try:
            return super().format(document)
        finally:
            self.content = b""  # the file holds it now


def _encode_stream(page, spool: IO[bytes]) -> None:
    """Replace a finished page's operator text by its compressed stream (Flate, as reportlab writes
    it, without the ASCII85 layer that makes it a quarter bigger), kept in ``spool``."""
    if page.compression and page.stream is not None:
        page.Contents = _EncodedStream(page.stream, spool)
        page.stream = None


class _BufferedFile(pdfdoc.PDFFile):
    """reportlab's collector of a file being written, writing each part as it comes: into
    ``write_pdf``'s file, or else into one growing buffer.

    reportlab's own keeps every part in a list and joins them at the end: two copies of the whole
    file at once. The bytes are the same; reportlab looks the class up in its module when it writes
    a file, so it is installed there (``_install_buffered_file``) for every PDF of the process.
    """

    def __init__(self, pdfVersion=pdfdoc.PDF_VERSION_DEFAULT) -> None:
        super().__init__(pdfVersion)
        target = _target.get()
        self._buffer = io.BytesIO() if target is None else None
        sink = self._buffer if target is None else target
        sink.write(b"".join(self.strings))  # the header reportlab wrote
        self.strings = []
        self.write = sink.write

    def format(self, document) -> bytes:
        if self._buffer is None:
            return b""  # every part is in write_pdf's file already
        return self._buffer.getvalue()  # the buffer itself, not a copy


def _install_buffered_file() -> None:
    pdfdoc.PDFFile = _BufferedFile


_install_buffered_file()


class _Output:
    """Where the canvas writes the finished file: the bytes are kept as they are, not copied again."""

    data = b""

    def write(self, data: bytes) -> None:
        self.data += data


def pdf_date(document: ReportDocument) -> str:
    """The file's CreationDate/ModDate: the generation time in the document's zone (``D:20261207103512+09'00'``),
    the same instant and zone as printed on every page, not the server's clock and zone."""
    local = document.generated_at.astimezone(ZoneInfo(document.timezone))
    offset = local.strftime("%z") or "+0000"
    return f"D:{local:%Y%m%d%H%M%S}{offset[:3]}'{offset[3:]}'"


def render_pdf(document: ReportDocument) -> bytes:
    """The document as PDF bytes."""
    output = _Output()
    _build(document, output)
    return output.data


def write_pdf(document: ReportDocument, file: IO[bytes]) -> None:
    """Write the document as PDF into ``file`` part by part as the file is assembled: the whole file
    is never in memory (with a temporary file, a long register's memory does not grow with it)."""
    token = _target.set(file)
    try:
        _build(document, _Output())  # reportlab hands its own output nothing more: the parts went to ``file``
    finally:
        _target.reset(token)


def _build(document: ReportDocument, output: _Output) -> None:
    font = register_fonts()
    template = SimpleDocTemplate(
        output,
        pagesize=page_size(document.is_landscape),
        leftMargin=MARGIN_X - FRAME_PADDING,
        rightMargin=MARGIN_X - FRAME_PADDING,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=document.title,
        author=document.company_name,
        subject=document.subtitle,
        creator="Oversight",
        lang="ja-JP",
        initialFontName=font,
    )
    decorate = partial(_decorate_page, document=document, font=font)
    with SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        template.build(
            build_story(document, font),
            canvasmaker=partial(
                _PageByPageCanvas, decorate=decorate, font=font, created=pdf_date(document), spool=spool
            ),
        )

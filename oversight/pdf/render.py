"""Render a ``ReportDocument`` to PDF bytes with reportlab platypus (A4, Japanese font embedded).

Every page carries the company name, the title, the 社外秘 mark, the generation time and
"page X / Y". Every style and canvas call uses the embedded Japanese font (see ``fonts``).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import partial

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
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
    PAGE_HEIGHT,
    PAGE_WIDTH,
    RED,
)


def _decorate_page(canvas: Canvas, total_pages: int, *, document: ReportDocument, font: str) -> None:
    """Header (company, title, 社外秘) and footer (generation time, "X / Y") of one page."""
    page = canvas.getPageNumber()
    top = PAGE_HEIGHT - 12 * mm
    canvas.saveState()
    canvas.setFillColor(MUTED)
    canvas.setFont(font, 8)
    canvas.drawString(MARGIN_X, top, document.company_name)
    title_right = PAGE_WIDTH - MARGIN_X - (20 * mm if document.is_confidential else 0)
    canvas.drawRightString(title_right, top, _fit(document.title, font, 8, title_right - MARGIN_X - 60 * mm))
    if document.is_confidential:
        canvas.setStrokeColor(RED)
        canvas.setFillColor(RED)
        canvas.setLineWidth(1)
        canvas.rect(PAGE_WIDTH - MARGIN_X - 17 * mm, top - 2 * mm, 17 * mm, 6.5 * mm)
        canvas.setFont(font, 10)
        canvas.drawCentredString(PAGE_WIDTH - MARGIN_X - 8.5 * mm, top, CONFIDENTIAL_MARK)
    canvas.setStrokeColor(LINE_COLOUR)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN_X, top - 3.5 * mm, PAGE_WIDTH - MARGIN_X, top - 3.5 * mm)
    bottom = 10 * mm
    canvas.line(MARGIN_X, bottom + 4 * mm, PAGE_WIDTH - MARGIN_X, bottom + 4 * mm)
    canvas.setFillColor(MUTED)
    canvas.setFont(font, 8)
    canvas.drawString(MARGIN_X, bottom, f"{GENERATED_LABEL} {generated_label(document)}")
    canvas.drawRightString(PAGE_WIDTH - MARGIN_X, bottom, f"{page} / {total_pages}")
    canvas.restoreState()


def _fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut with an ellipsis so it fits ``width`` points."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


class _NumberedCanvas(Canvas):
    """Holds every page until the end so each page can say "X / Y" (reportlab's two-pass recipe)."""

    def __init__(self, *args, decorate: Callable[[Canvas, int], None], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._decorate = decorate
        self._pages: list[dict] = []

    def showPage(self) -> None:
        state = dict(self.__dict__)
        # The page's drawing operators joined into one string (the canvas joins them with "\n"
        # anyway): thousands of small strings per page cost several times their text in memory.
        state["_code"] = ["\n".join(self._code)]
        self._pages.append(state)
        self._startPage()

    def save(self) -> None:
        for state in self._pages:
            self.__dict__.update(state)
            self._decorate(self, len(self._pages))
            super().showPage()
        super().save()


def render_pdf(document: ReportDocument) -> bytes:
    """The document as PDF bytes."""
    font = register_fonts()
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
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
    template.build(build_story(document, font), canvasmaker=partial(_NumberedCanvas, decorate=decorate))
    return buffer.getvalue()

"""The Japanese font every PDF uses, embedded as a subset.

reportlab has no font fallback: any style or canvas call left on a built-in font turns Japanese
into empty boxes, so the PDF code takes the font name from here everywhere. IPAex Gothic ships in
``static/fonts`` with its licence (IPA Font License v1.0, which allows embedding in PDFs).
"""

from __future__ import annotations

import threading
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_NAME = "IPAexGothic"
FONT_PATH = Path(__file__).resolve().parents[2] / "static" / "fonts" / "ipaexg.ttf"
_lock = threading.Lock()


def register_fonts() -> str:
    """Register the Japanese font once (safe to call again, from any thread); returns its name."""
    with _lock:
        if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_PATH)))
            # There is no bold or italic face: map <b>/<i> to the same font so markup never
            # switches to a built-in Latin font.
            for bold in (0, 1):
                for italic in (0, 1):
                    addMapping(FONT_NAME, bold, italic, FONT_NAME)
    return FONT_NAME


def missing_glyphs(text: str) -> set[str]:
    """The characters of ``text`` the embedded font cannot draw (they would show as boxes)."""
    face = pdfmetrics.getFont(register_fonts()).face
    return {char for char in set(text) if not char.isspace() and ord(char) not in face.charToGlyph}

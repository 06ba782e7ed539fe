"""Real upload files made in the tests: PDF (reportlab), DOCX (zipfile and WordprocessingML), XLSX (openpyxl)."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook
from reportlab.pdfgen import canvas

WORD_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
WORD_NAMESPACE = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/word/document.xml" ContentType="{WORD_CONTENT_TYPE}"/>'
    "</Types>"
)
PACKAGE_RELATIONSHIPS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"'
    ' Target="word/document.xml"/></Relationships>'
)


def pdf_bytes(*lines: str, pages: int = 1) -> bytes:
    """A PDF whose pages each show ``lines`` (ASCII) in Helvetica."""
    buffer = io.BytesIO()
    document = canvas.Canvas(buffer, invariant=1)
    for _ in range(pages):
        for number, line in enumerate(lines or ("Certificate",)):
            document.drawString(72, 760 - 20 * number, line)
        document.showPage()
    document.save()
    return buffer.getvalue()


def _paragraph(runs: str | list[str]) -> str:
    runs = [runs] if isinstance(runs, str) else runs
    return "<w:p>" + "".join(f'<w:r><w:t xml:space="preserve">{run}</w:t></w:r>' for run in runs) + "</w:p>"


def document_xml(*paragraphs: str | list[str]) -> str:
    """WordprocessingML for paragraphs; a paragraph given as a list is written as that many runs."""
    body = "".join(_paragraph(paragraph) for paragraph in paragraphs)
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{WORD_NAMESPACE}">'
        f"<w:body>{body}</w:body></w:document>"
    )


def docx_bytes(*paragraphs: str | list[str], parts: dict[str, str] | None = None) -> bytes:
    """A minimal Word document with ``paragraphs`` in its body, and any extra ``parts`` (e.g. a header)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", PACKAGE_RELATIONSHIPS)
        archive.writestr("word/document.xml", document_xml(*paragraphs))
        for name, content in (parts or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def xlsx_bytes(*rows: list) -> bytes:
    """A workbook (openpyxl) with ``rows`` in its first sheet: strings stay text, numbers stay numbers."""
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_bomb_docx(inflated_mb: int = 200) -> bytes:
    """A Word document whose body inflates to ``inflated_mb`` MB of text from a few hundred KB."""
    buffer = io.BytesIO()
    chunk = b"0" * (1024 * 1024)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", PACKAGE_RELATIONSHIPS)
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            part.write(f'<w:document xmlns:w="{WORD_NAMESPACE}"><w:body><w:p><w:r><w:t>'.encode())
            for _ in range(inflated_mb):
                part.write(chunk)
            part.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return buffer.getvalue()

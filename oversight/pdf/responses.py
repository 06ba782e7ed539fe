"""The web side of PDF reports: a document stamped with this installation's company, and the download."""

from __future__ import annotations

from tempfile import SpooledTemporaryFile

from flask import Response, current_app
from werkzeug.wsgi import FileWrapper

from oversight.core.exports import content_disposition
from oversight.core.timeutil import utcnow
from oversight.pdf.document import ReportDocument
from oversight.pdf.render import write_pdf

SPOOL_BYTES = 2 * 1024 * 1024  # a PDF being sent stays in memory up to this, then in a temporary file


def new_document(
    title: str, *, subtitle: str = "", is_confidential: bool = True, is_landscape: bool = False
) -> ReportDocument:
    """An empty document with the configured company name and time zone, generated now (A4, portrait
    unless ``is_landscape``)."""
    return ReportDocument(
        title=title,
        subtitle=subtitle,
        company_name=current_app.config["COMPANY_NAME"],
        timezone=current_app.config["TIMEZONE"],
        generated_at=utcnow(),
        is_confidential=is_confidential,
        is_landscape=is_landscape,
    )


def pdf_response(document: ReportDocument, filename: str, *, inline: bool = False, fallback: str = "") -> Response:
    """The rendered document as a download (or shown in the browser when ``inline``), never cached.

    ``filename`` is sent as RFC 5987 UTF-8, ``fallback`` (ASCII) for older clients. The file is
    written into a temporary file (on disk past ``SPOOL_BYTES``) and sent from there in blocks, closed
    when the response ends: a long register is never whole in the worker's memory.
    """
    spool = SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - the response closes it
    try:
        write_pdf(document, spool)
        size = spool.tell()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    response = Response(FileWrapper(spool), mimetype="application/pdf")
    response.content_length = size
    response.headers["Content-Disposition"] = content_disposition(
        filename, "inline" if inline else "attachment", fallback=fallback
    )
    response.headers["Cache-Control"] = "no-store"
    return response

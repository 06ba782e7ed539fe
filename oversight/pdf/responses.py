"""The web side of PDF reports: a document stamped with this installation's company, and the download."""

from __future__ import annotations

from flask import Response, current_app

from oversight.core.exports import content_disposition
from oversight.core.timeutil import utcnow
from oversight.pdf.document import ReportDocument
from oversight.pdf.render import render_pdf


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

    ``filename`` is sent as RFC 5987 UTF-8, ``fallback`` (ASCII) for older clients.
    """
    response = Response(render_pdf(document), mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(
        filename, "inline" if inline else "attachment", fallback=fallback
    )
    response.headers["Cache-Control"] = "no-store"
    return response

from urllib.parse import unquote

from oversight.pdf.responses import new_document, pdf_response


def test_new_document_uses_the_configured_company(app_ctx, app):
    document = new_document("委託先台帳", subtitle="全件")
    assert document.company_name == app.config["COMPANY_NAME"]
    assert document.timezone == app.config["TIMEZONE"]
    assert document.generated_at.tzinfo is not None
    assert document.is_confidential


def test_pdf_response_is_a_named_uncached_download(app_ctx):
    document = new_document("委託先台帳")
    document.paragraph("本文")
    response = pdf_response(document, "委託先台帳 2026-11-26.pdf")
    assert response.mimetype == "application/pdf"
    assert response.get_data().startswith(b"%PDF-")
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="2026-11-26.pdf"; ')
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "委託先台帳 2026-11-26.pdf"


def test_pdf_response_inline(app_ctx):
    response = pdf_response(new_document("register"), "register.pdf", inline=True)
    assert response.headers["Content-Disposition"] == 'inline; filename="register.pdf"'


def test_pdf_response_is_sent_from_a_temporary_file_with_its_length(app_ctx):
    document = new_document("委託先台帳")
    for number in range(300):
        document.paragraph(f"本文 {number}")
    response = pdf_response(document, "register.pdf")
    assert response.is_streamed
    body = b"".join(response.response)
    response.close()
    assert body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")
    assert response.content_length == len(body)

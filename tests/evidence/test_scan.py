"""The My Number guard reads every accepted upload's name and text, within limits (issue #17 item 7)."""

from __future__ import annotations

import io
import random
import zipfile

import pytest
from flask import current_app
from werkzeug.datastructures import MultiDict

from oversight.core.mynumber import FILE_MY_NUMBER_MESSAGE
from oversight.evidence import services
from oversight.evidence.forms import EvidenceUploadForm
from oversight.evidence.models import EvidenceFile
from oversight.evidence.scan import ENCRYPTED_MESSAGE, TOO_LARGE_MESSAGE, UNREADABLE_MESSAGE
from oversight.evidence.validation import UploadRejected
from oversight.extensions import db
from tests.evidence.conftest import PNG_BYTES, upload
from tests.uploads import WORD_NAMESPACE, docx_bytes, pdf_bytes, xlsx_bytes, zip_bomb_docx

MY_NUMBER = "123456789018"  # check digit 8 is valid
NOT_MY_NUMBER = "123456789012"  # same digits, wrong check digit

HEADER_XML = (
    f'<?xml version="1.0" encoding="UTF-8"?><w:hdr xmlns:w="{WORD_NAMESPACE}">'
    "<w:p><w:r><w:t>本人番号 {number}</w:t></w:r></w:p></w:hdr>"
)

# (what, bytes with the number, the same file without it, file name)
FILES_WITH_A_MY_NUMBER = {
    "docx body": (docx_bytes("氏名 山田", f"個人番号 {MY_NUMBER}"), docx_bytes("氏名 山田", "個人番号 なし"), "a.docx"),
    "docx runs": (
        docx_bytes(["1234", "-5678", "-9018"]),
        docx_bytes(["1234", "-5678", "-9012"]),
        "runs.docx",
    ),
    "docx header": (
        docx_bytes("本文", parts={"word/header1.xml": HEADER_XML.format(number="1234 5678 9018")}),
        docx_bytes("本文", parts={"word/header1.xml": HEADER_XML.format(number="なし")}),
        "header.docx",
    ),
    "xlsx text cell": (
        xlsx_bytes(["氏名", "番号"], ["山田", "1234-5678-9018"]),
        xlsx_bytes(["氏名", "番号"], ["山田", "1234-5678-9012"]),
        "list.xlsx",
    ),
    "xlsx integer cell": (
        xlsx_bytes(["氏名", "番号"], ["山田", int(MY_NUMBER)]),
        xlsx_bytes(["氏名", "番号"], ["山田", int(NOT_MY_NUMBER)]),
        "ints.xlsx",
    ),
    "xlsx float cell": (
        xlsx_bytes(["氏名", "番号"], ["山田", float(MY_NUMBER)]),
        xlsx_bytes(["氏名", "番号"], ["山田", float(NOT_MY_NUMBER)]),
        "floats.xlsx",
    ),
    "pdf text": (
        pdf_bytes("Deletion certificate", f"Subject My Number {MY_NUMBER}"),
        pdf_bytes("Deletion certificate", f"Order {NOT_MY_NUMBER}"),
        "certificate.pdf",
    ),
    "csv": (f"氏名,番号\n山田,{MY_NUMBER}\n".encode("cp932"), "氏名,番号\n山田,なし\n".encode("cp932"), "list.csv"),
}


def upload_form(data: bytes, filename: str, **fields) -> tuple[EvidenceUploadForm, bool]:
    formdata = MultiDict({"description": "証跡", **fields})
    formdata.add("file", upload(data, filename))
    form = EvidenceUploadForm(formdata=formdata)
    return form, form.validate()


@pytest.mark.parametrize("what", FILES_WITH_A_MY_NUMBER)
def test_a_my_number_inside_an_upload_needs_confirmation(app, what):
    with_number, without_number, filename = FILES_WITH_A_MY_NUMBER[what]
    with app.test_request_context(method="POST"):
        form, valid = upload_form(with_number, filename)
        assert not valid and form.my_number_suspected
        assert FILE_MY_NUMBER_MESSAGE in form.file.errors
        assert form.file.inspected.my_numbers == (MY_NUMBER,)
        form, valid = upload_form(with_number, filename, confirm_not_my_number="y")
        assert valid, form.errors
        form, valid = upload_form(without_number, filename)
        assert valid, form.errors


@pytest.mark.parametrize(
    ("data", "filename"), [(pdf_bytes("Photo"), f"{MY_NUMBER}.pdf"), (PNG_BYTES, f"山田_{MY_NUMBER}.png")]
)
def test_a_my_number_in_the_file_name_needs_confirmation(app, data, filename):
    with app.test_request_context(method="POST"):
        form, valid = upload_form(data, filename)
        assert not valid and FILE_MY_NUMBER_MESSAGE in form.file.errors
        form, valid = upload_form(data, filename.replace("9018", "9012"))
        assert valid, form.errors


def refused(data: bytes, filename: str):
    with pytest.raises(UploadRejected) as caught:
        services.store_upload(upload(data, filename), ("vendor", 5), actor=None)
    assert db.session.scalar(db.select(db.func.count(EvidenceFile.id))) == 0
    return caught.value.message


def test_a_zip_bomb_docx_is_refused_before_it_is_unpacked(app_ctx):
    bomb = zip_bomb_docx(inflated_mb=100)  # over the 64 MB read from a file's XML parts
    assert len(bomb) < 1024 * 1024
    assert refused(bomb, "bomb.docx") == TOO_LARGE_MESSAGE
    small_bomb = zip_bomb_docx(inflated_mb=8)  # under it, but inflating ~1000 times
    assert refused(small_bomb, "small-bomb.docx") == TOO_LARGE_MESSAGE


def test_office_parts_over_the_size_limit_are_refused(app_ctx, monkeypatch):
    monkeypatch.setitem(current_app.config, "UPLOAD_SCAN_MAX_MB", 1)
    noise = random.Random(17)
    paragraphs = [noise.randbytes(100).hex() for _ in range(6000)]  # 1.5 MB of XML that compresses ~2x
    assert refused(docx_bytes(*paragraphs), "long.docx") == TOO_LARGE_MESSAGE
    monkeypatch.setitem(current_app.config, "UPLOAD_SCAN_MAX_MB", 2)
    assert services.store_upload(upload(docx_bytes(*paragraphs), "long.docx"), ("vendor", 5), actor=None).id


def test_an_entity_expansion_bomb_is_refused(app_ctx):
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>'
        f'<w:document xmlns:w="{WORD_NAMESPACE}"><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>'
    )
    buffer = io.BytesIO(docx_bytes("x"))
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("word/footer1.xml", laughs)
    assert refused(buffer.getvalue(), "laughs.docx") == UNREADABLE_MESSAGE


def test_pdf_over_the_page_limit_is_refused(app_ctx, monkeypatch):
    monkeypatch.setitem(current_app.config, "UPLOAD_SCAN_MAX_PAGES", 2)
    assert refused(pdf_bytes("page", pages=3), "three.pdf") == TOO_LARGE_MESSAGE
    assert services.store_upload(upload(pdf_bytes("page", pages=2), "two.pdf"), ("vendor", 5), actor=None).id


def test_text_over_the_character_limit_is_refused(app_ctx, monkeypatch):
    monkeypatch.setitem(current_app.config, "UPLOAD_SCAN_MAX_CHARS", 1000)
    assert refused(("あ" * 1001).encode(), "long.txt") == TOO_LARGE_MESSAGE
    assert refused(xlsx_bytes(*([["x" * 100]] * 20)), "long.xlsx") == TOO_LARGE_MESSAGE


def test_pdf_reading_is_bounded_in_time(app_ctx, monkeypatch):
    monkeypatch.setitem(current_app.config, "UPLOAD_SCAN_SECONDS", -1)
    assert refused(pdf_bytes("page"), "slow.pdf") == TOO_LARGE_MESSAGE


def test_unreadable_or_protected_files_are_refused_not_stored_unread(app_ctx):
    broken_pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    assert refused(broken_pdf, "broken.pdf") == UNREADABLE_MESSAGE
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=io.BytesIO(pdf_bytes(f"My Number {MY_NUMBER}")))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    protected = io.BytesIO()
    writer.write(protected)
    assert refused(protected.getvalue(), "protected.pdf") == ENCRYPTED_MESSAGE


def test_the_refusal_is_shown_next_to_the_file_field(app):
    with app.test_request_context(method="POST"):
        form, valid = upload_form(zip_bomb_docx(inflated_mb=100), "bomb.docx")
        assert not valid and form.file.errors == [TOO_LARGE_MESSAGE]

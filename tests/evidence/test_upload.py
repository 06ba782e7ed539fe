import pytest
from flask import current_app

from oversight.activity.models import ActivityLog
from oversight.evidence import services, storage
from oversight.evidence.models import EvidenceFile
from oversight.evidence.validation import UploadRejected, clean_filename, detect_kind
from oversight.extensions import db
from tests.evidence.conftest import (
    DOCX_BYTES,
    EXE_BYTES,
    JPEG_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    XLSX_BYTES,
    office_bytes,
    upload,
)


@pytest.mark.parametrize(
    ("data", "filename", "content_type"),
    [
        (PDF_BYTES, "契約書.pdf", "application/pdf"),
        (PNG_BYTES, "photo.PNG", "image/png"),
        (JPEG_BYTES, "写真.jpeg", "image/jpeg"),
        (JPEG_BYTES, "写真.jpg", "image/jpeg"),
        (DOCX_BYTES, "覚書.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (XLSX_BYTES, "台帳.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("研修記録\n2026-11-01 実施\n".encode(), "研修.txt", "text/plain; charset=utf-8"),
        ("氏名,部署\n山田,総務\n".encode("cp932"), "名簿.csv", "text/csv; charset=utf-8"),
    ],
)
def test_allowed_types_are_stored(app_ctx, data, filename, content_type):
    evidence = services.store_upload(upload(data, filename), ("vendor", 5), actor=None, description="説明")
    assert evidence.original_filename == filename
    assert evidence.content_type == content_type
    assert evidence.size == len(data)
    with services.open_blob(evidence.sha256) as stored:
        assert stored.read() == data


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (EXE_BYTES, "請求書.pdf"),  # an executable renamed .pdf
        (EXE_BYTES, "tool.exe"),
        (PDF_BYTES, "contract.docx"),  # real PDF, wrong extension
        (PNG_BYTES, "image.jpg"),
        (b"plain text", "notes.pdf"),
        (office_bytes("application/vnd.ms-word.document.macroEnabled.main+xml"), "macro.docx"),
        (office_bytes("application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"), "s.docx"),
        (b"PK\x03\x04 not really a zip", "broken.xlsx"),
        (b"text\x00with NUL", "data.txt"),
        (b"\xff\xfe\xfa\xfb\x80\x81", "binary.csv"),
        (PDF_BYTES, "no-extension"),
        (b"", "empty.txt"),
    ],
)
def test_disallowed_or_disguised_files_are_refused(app_ctx, data, filename):
    with pytest.raises(UploadRejected):
        services.store_upload(upload(data, filename), ("vendor", 5), actor=None)
    assert db.session.scalar(db.select(db.func.count(EvidenceFile.id))) == 0


def test_executable_renamed_pdf_message_names_the_mismatch(app_ctx):
    with pytest.raises(UploadRejected) as caught:
        services.store_upload(upload(EXE_BYTES, "invoice.pdf"), ("vendor", 5), actor=None)
    assert ".pdf" in str(caught.value.message) or "PDF" in str(caught.value.message)


def test_file_over_the_size_limit_is_refused(app_ctx, monkeypatch):
    monkeypatch.setitem(current_app.config, "UPLOAD_MAX_MB", 1)
    too_big = b"a" * (1024 * 1024 + 1)
    with pytest.raises(UploadRejected) as caught:
        services.store_upload(upload(too_big, "big.txt"), ("vendor", 5), actor=None)
    assert "1 MB" in str(caught.value.message)
    exactly = b"a" * (1024 * 1024)
    assert services.store_upload(upload(exactly, "ok.txt"), ("vendor", 5), actor=None).size == len(exactly)


def test_same_bytes_twice_are_stored_once_on_disk(app_ctx):
    data = PDF_BYTES + b"% unique to this test\n"
    first = services.store_upload(upload(data, "a.pdf"), ("vendor", 1), actor=None)
    second = services.store_upload(upload(data, "b.pdf"), ("contract", 2), actor=None)
    db.session.commit()
    assert first.id != second.id
    assert first.sha256 == second.sha256
    folder = storage.current_store().path(first.sha256).parent
    assert [path.name for path in folder.iterdir()] == [first.sha256]


def test_upload_is_logged_and_listed_for_its_owner(app_ctx, make_user):
    from oversight.auth.models import User

    user = db.session.get(User, make_user("procurement").id)
    services.store_upload(upload(PDF_BYTES, "x.pdf"), ("vendor", 9), actor=user, description="ISMS 証明書")
    services.store_upload(upload(PNG_BYTES, "y.png"), ("vendor", 9), actor=user)
    services.store_upload(upload(PNG_BYTES, "z.png"), ("vendor", 10), actor=user)
    db.session.commit()
    files = services.files_for("vendor", 9)
    assert [file.original_filename for file in files] == ["x.pdf", "y.png"]
    assert files[0].uploaded_by.email == user.email
    assert services.files_for_many("vendor", [9, 10, 11]) == {9: files, 10: services.files_for("vendor", 10), 11: []}
    log = db.session.scalars(db.select(ActivityLog).where(ActivityLog.action == "evidence.upload")).all()
    assert len(log) == 3 and log[0].actor_id == user.id


def test_owner_may_be_a_model_instance(app_ctx, make_user):
    from oversight.auth.models import User

    user = db.session.get(User, make_user("admin").id)
    evidence = services.store_upload(upload(PDF_BYTES, "x.pdf"), user, actor=user)
    assert (evidence.owner_type, evidence.owner_id) == ("user", user.id)


def test_filenames_are_cleaned():
    assert clean_filename("C:\\Users\\山田\\契約書.pdf") == "契約書.pdf"
    assert clean_filename("../../etc/passwd.txt") == "passwd.txt"
    assert clean_filename("bad\x00name\r\n.pdf") == "badname.pdf"
    assert clean_filename("ケ\u3099ート.pdf") == "ゲート.pdf"  # NFD from macOS becomes NFC
    assert len(clean_filename("あ" * 300 + ".pdf")) == 255


def test_detect_kind():
    assert detect_kind(PDF_BYTES) == "pdf"
    assert detect_kind(EXE_BYTES) is None
    assert detect_kind("日本語".encode("cp932")) == "text"

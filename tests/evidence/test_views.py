from urllib.parse import quote

import pytest
from flask import render_template_string
from werkzeug.datastructures import MultiDict

from oversight.activity.models import ActivityLog
from oversight.auth.roles import ALL_ROLES
from oversight.evidence import services
from oversight.evidence.forms import EvidenceUploadForm
from oversight.evidence.views import format_filesize
from oversight.extensions import db
from tests.evidence.conftest import EXE_BYTES, PDF_BYTES, upload

FILENAME = "委託契約書 2026.pdf"


def stored_file(app, owner=("test_owner", 7)) -> int:
    with app.app_context():
        evidence = services.store_upload(upload(PDF_BYTES, FILENAME), owner, actor=None, description="契約書")
        db.session.commit()
        return evidence.id


def test_download_sends_an_attachment_with_the_japanese_name(app, client, login_as, owner_registry):
    owner_registry("test_owner", lambda user, owner_id: owner_id == 7)
    file_id = stored_file(app)
    user = login_as("viewer")
    response = client.get(f"/evidence/{file_id}/download")
    assert response.status_code == 200
    assert response.data == PDF_BYTES
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(FILENAME, safe='')}" in disposition
    assert f'filename="evidence-{file_id}.pdf"' in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]
    with app.app_context():
        row = db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "evidence.download"))
        assert row.actor_id == user.id and row.object_id == file_id and row.object_type == "evidence_file"


def test_download_is_refused_when_the_owner_check_fails(app, client, login_as, owner_registry):
    owner_registry("test_owner", lambda user, owner_id: user.has_role("auditor"))
    file_id = stored_file(app)
    login_as("viewer")
    response = client.get(f"/evidence/{file_id}/download")
    assert response.status_code == 403
    assert PDF_BYTES not in response.data
    with app.app_context():
        assert db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "auth.forbidden"))
        assert not db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "evidence.download"))


def test_download_is_refused_for_an_unregistered_owner_type(app, client, login_as, owner_registry):
    file_id = stored_file(app, owner=("nobody_registered_this", 1))
    login_as("admin")
    assert client.get(f"/evidence/{file_id}/download").status_code == 403


def test_download_needs_sign_in(app, client, owner_registry):
    owner_registry("test_owner", lambda user, owner_id: True)
    file_id = stored_file(app)
    response = client.get(f"/evidence/{file_id}/download")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_download_of_a_missing_file_is_404(client, login_as):
    login_as("admin")
    assert client.get("/evidence/999999/download").status_code == 404


def upload_form(app, data: dict, file_bytes: bytes | None, filename: str = "x.pdf"):
    formdata = MultiDict(data)
    if file_bytes is not None:
        formdata.add("file", upload(file_bytes, filename))
    form = EvidenceUploadForm(formdata=formdata)
    return form, form.validate()


def test_upload_form_accepts_a_pdf(app):
    with app.test_request_context(method="POST"):
        form, valid = upload_form(app, {"document_date": "2026-11-01", "description": "ISMS"}, PDF_BYTES)
        assert valid, form.errors
        assert form.file.inspected.kind == "pdf"


def test_upload_form_error_keeps_the_other_input(app):
    template = '{% from "_macros/evidence.html" import upload_fields %}{{ upload_fields(form) }}'
    with app.test_request_context(method="POST"):
        form, valid = upload_form(app, {"document_date": "2026-11-01", "description": "実地調査の写真"}, EXE_BYTES)
        assert not valid
        assert form.file.errors
        html = render_template_string(template, form=form)
        assert "実地調査の写真" in html
        assert 'value="2026-11-01"' in html
        assert "invalid-feedback" in html
        assert f'data-max-bytes="{20 * 1024 * 1024}"' in html


def test_upload_form_needs_a_file(app):
    with app.test_request_context(method="POST"):
        form, valid = upload_form(app, {"description": "x"}, None)
        assert not valid and form.file.errors


def test_upload_form_guards_the_description(app):
    with app.test_request_context(method="POST"):
        form, valid = upload_form(app, {"description": "本人 1234-5678-9018"}, PDF_BYTES)
        assert not valid and form.my_number_suspected
        form, valid = upload_form(
            app, {"description": "本人 1234-5678-9018", "confirm_not_my_number": "y"}, PDF_BYTES
        )
        assert valid


def test_evidence_list_macro_shows_files_with_links(app, make_user):
    from oversight.auth.models import User

    template = '{% from "_macros/evidence.html" import evidence_list %}{{ evidence_list(files) }}'
    with app.app_context():
        user = db.session.get(User, make_user("procurement", name="調達 太郎").id)
        services.store_upload(upload(PDF_BYTES, FILENAME), ("test_owner", 3), actor=user, description="原本")
        db.session.commit()
        files = services.files_for("test_owner", 3)
        with app.test_request_context():
            html = render_template_string(template, files=files)
            empty = render_template_string(template, files=[])
    assert f"/evidence/{files[0].id}/download" in html
    assert FILENAME in html and "調達 太郎" in html and "原本" in html
    assert format_filesize(len(PDF_BYTES)) in html
    assert 'data-testid="evidence-empty"' in empty


def test_text_upload_with_a_my_number_needs_confirmation(app):
    csv = "氏名,番号\n山田,123456789018\n".encode("cp932")
    with app.test_request_context(method="POST"):
        form, valid = upload_form(app, {"description": "名簿"}, csv, "list.csv")
        assert not valid
        assert form.my_number_suspected and form.file.errors
        form, valid = upload_form(app, {"description": "名簿", "confirm_not_my_number": "y"}, csv, "list.csv")
        assert valid
        form, valid = upload_form(app, {"description": "名簿"}, "氏名\n山田\n".encode(), "list.csv")
        assert valid


@pytest.mark.parametrize("role", ALL_ROLES)
def test_download_follows_the_owner_check_for_every_role(app, client, login_as, owner_registry, role):
    owner_registry("test_owner", lambda user, owner_id: user.has_role("auditor", "manager"))
    file_id = stored_file(app)
    login_as(role)
    expected = 200 if role in ("auditor", "manager") else 403
    assert client.get(f"/evidence/{file_id}/download").status_code == expected


def test_ascii_names_are_sent_as_they_are(app, client, login_as, owner_registry):
    owner_registry("test_owner", lambda user, owner_id: True)
    with app.app_context():
        evidence = services.store_upload(upload(PDF_BYTES, "ISMS-cert_2026.pdf"), ("test_owner", 1), actor=None)
        db.session.commit()
        file_id = evidence.id
    login_as("viewer")
    response = client.get(f"/evidence/{file_id}/download")
    assert response.headers["Content-Disposition"] == 'attachment; filename="ISMS-cert_2026.pdf"'

"""A signed-in contact downloads the evidence files of their own vendor's requests, and no others."""

from __future__ import annotations

import io

from oversight.activity.models import ActivityLog
from oversight.evidence.models import EvidenceFile
from oversight.extensions import db
from tests.portal.helpers import fresh_token, send_request, vendor_with_contact
from tests.uploads import pdf_bytes

PDF = pdf_bytes("Handling rules")


def _vendor(app, name, contact_name, email):
    with app.app_context():
        vendor, contact = vendor_with_contact(name, contact_name=contact_name, email=email)
        request = send_request(vendor, contact)
        db.session.commit()
        return contact.id, request.id


def _sign_in(client, app, contact_id):
    from oversight.vendors.models import VendorContact

    with app.app_context():
        token = fresh_token(db.session.get(VendorContact, contact_id))
        db.session.commit()
    assert client.get(f"/portal/link/{token}").status_code == 302


def _upload(client, request_id, name):
    response = client.post(f"/portal/requests/{request_id}/evidence",
                           data={"file": (io.BytesIO(PDF), name), "description": "規程"})
    assert response.status_code == 302
    return response


def _file_id(app, request_id):
    with app.app_context():
        return db.session.scalar(db.select(EvidenceFile.id).where(EvidenceFile.owner_id == request_id))


def test_a_contact_downloads_their_own_file_and_gets_404_for_another_vendors(app):
    contact_a, request_a = _vendor(app, "株式会社A", "山田 花子", "hanako@vendor-a.example")
    contact_b, request_b = _vendor(app, "株式会社B", "佐藤 一郎", "ichiro@vendor-b.example")
    client_a, client_b = app.test_client(), app.test_client()
    _sign_in(client_a, app, contact_a)
    _sign_in(client_b, app, contact_b)
    _upload(client_a, request_a, "取扱規程.pdf")
    _upload(client_b, request_b, "b.pdf")
    file_a, file_b = _file_id(app, request_a), _file_id(app, request_b)

    page = client_a.get(f"/portal/requests/{request_a}").get_data(as_text=True)
    assert f"/portal/files/{file_a}" in page
    response = client_a.get(f"/portal/files/{file_a}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E5%8F%96" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"

    assert client_a.get(f"/portal/files/{file_b}").status_code == 404
    assert client_b.get(f"/portal/files/{file_a}").status_code == 404
    assert client_a.get("/portal/files/999999").status_code == 404
    with app.app_context():
        log = db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "evidence.download"))
        assert log.actor_id is None and "山田 花子" in log.actor_label and log.object_id == file_a


def test_only_portal_request_files_are_served(app, make_user):
    contact_a, request_a = _vendor(app, "株式会社A", "山田 花子", "hanako@vendor-a.example")
    with app.app_context():  # a staff file of another owner type, with the same owner id
        staff_file = EvidenceFile(owner_type="contract", owner_id=request_a, original_filename="c.pdf",
                                  content_type="application/pdf", size=len(PDF), sha256="0" * 64)
        db.session.add(staff_file)
        db.session.commit()
        staff_file_id = staff_file.id
    client = app.test_client()
    _sign_in(client, app, contact_a)
    assert client.get(f"/portal/files/{staff_file_id}").status_code == 404


def test_signed_out_visitors_and_staff_cannot_use_the_portal_download(app, client, login_as):
    contact_a, request_a = _vendor(app, "株式会社A", "山田 花子", "hanako@vendor-a.example")
    portal = app.test_client()
    _sign_in(portal, app, contact_a)
    _upload(portal, request_a, "a.pdf")
    file_a = _file_id(app, request_a)
    assert client.get(f"/portal/files/{file_a}").status_code == 302  # to the new-link page
    login_as("auditor")
    assert client.get(f"/portal/files/{file_a}").status_code == 403

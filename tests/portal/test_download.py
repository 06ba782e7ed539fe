"""A signed-in contact downloads the evidence files of their own vendor's requests, and no others."""

from __future__ import annotations

import io

import pytest

from oversight.activity.models import ActivityLog
from oversight.evidence.models import EvidenceFile
from oversight.extensions import db
from oversight.portal import services
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
        return db.session.scalar(db.select(EvidenceFile.id).where(
            EvidenceFile.owner_type == services.EVIDENCE_OWNER, EvidenceFile.owner_id == request_id
        ))


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


# --- every answering page: report, certificate, renewal and plan ---------------------------------------


def _subject(kind: str, vendor) -> int | None:
    """The record a request of ``kind`` is about, for ``vendor`` (None: a periodic report has none)."""
    from datetime import timedelta

    from oversight.core.timeutil import local_today
    from oversight.disposals import services as disposal_services
    from oversight.vendors.models import VendorCertification
    from tests.audits.helpers import finding, recording, user
    from tests.contracts.helpers import people, signed

    if kind == "deletion_certificate":
        procurement, legal, manager = people()
        contract = signed(procurement, legal, manager, vendor=vendor, end_on=local_today() + timedelta(days=200))
        disposal_services.terminate_contract(contract, ended_on=local_today() - timedelta(days=3), reason="契約解除",
                                             actor=procurement, today=local_today())
        return disposal_services.items_of_contract(contract)[0].id
    if kind == "certification_renewal":
        certification = VendorCertification(vendor_id=vendor.id, kind="pmark", number="10820001(03)",
                                            issuer="JIPDEC", expires_on=local_today() + timedelta(days=20))
        db.session.add(certification)
        db.session.flush()
        return certification.id
    if kind == "corrective_plan":
        vendor.status = "active"
        auditor = user("auditor", email="auditor-d@example.com")
        return finding(recording(vendor, auditor), auditor, due_on=local_today() + timedelta(days=60),
                       requested_on=local_today()).id
    return None


def _request_of_kind(app, kind: str) -> tuple[int, int]:
    """A vendor with one contact and a request of ``kind`` to them: (contact id, request id)."""
    from datetime import timedelta

    from oversight.core.timeutil import local_today, utcnow

    with app.app_context():
        vendor, contact = vendor_with_contact(f"株式会社{kind}", email=f"{kind}@vendor.example")
        request = services.create_request(
            vendor, kind=kind, contact_ids=[contact.id], due_on=local_today() + timedelta(days=10), message="",
            actor=None, now=utcnow(), subject_id=_subject(kind, vendor), notify=False,
        )
        db.session.commit()
        return contact.id, request.id


@pytest.mark.parametrize(
    ("kind", "form"),
    [("periodic_report", "report"), ("deletion_certificate", "certificate"),
     ("certification_renewal", "renewal"), ("corrective_plan", "plan")],
)
def test_every_answering_page_links_its_files_for_its_own_contact(app, kind, form):
    contact, request_id = _request_of_kind(app, kind)
    other_contact, _other_request = _vendor(app, "株式会社B", "佐藤 一郎", "ichiro@vendor-b.example")
    client, other = app.test_client(), app.test_client()
    _sign_in(client, app, contact)
    _sign_in(other, app, other_contact)
    _upload(client, request_id, "証明書.pdf")
    file_id = _file_id(app, request_id)

    page = client.get(f"/portal/requests/{request_id}").get_data(as_text=True)
    assert f'data-testid="portal-{form}-form"' in page
    assert f'<a href="/portal/files/{file_id}" download>証明書.pdf</a>' in page
    response = client.get(f"/portal/files/{file_id}")
    assert response.status_code == 200 and response.data == PDF
    assert other.get(f"/portal/files/{file_id}").status_code == 404


def test_the_answers_once_sent_still_link_their_files(app):
    from datetime import timedelta

    from oversight.core.timeutil import local_today
    from oversight.portal.models import PortalRequest

    contact, request_id = _request_of_kind(app, "certification_renewal")
    client = app.test_client()
    _sign_in(client, app, contact)
    _upload(client, request_id, "pmark.pdf")
    with app.app_context():
        version = str(db.session.get(PortalRequest, request_id).version)
    answers = {"version": version, "action": "submit", "number": "10820001(04)", "issuer": "JIPDEC",
               "expires_on": (local_today() + timedelta(days=730)).isoformat()}
    assert client.post(f"/portal/requests/{request_id}", data=answers).status_code == 302
    page = client.get(f"/portal/requests/{request_id}").get_data(as_text=True)
    assert 'data-testid="portal-upload-form"' not in page
    file_id = _file_id(app, request_id)
    assert f'<a href="/portal/files/{file_id}" download>pmark.pdf</a>' in page
    assert client.get(f"/portal/files/{file_id}").data == PDF

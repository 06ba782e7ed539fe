"""A vendor's contacts and certifications through the API: the contact and certification forms' rules and
messages, the vendor services (activity log with the token's owner), If-Match on changes and deletions."""

from __future__ import annotations

from oversight.activity.models import ActivityLog
from oversight.extensions import db
from oversight.vendors.models import Vendor, VendorCertification, VendorContact
from oversight.vendors.services import ARCHIVED_MESSAGE
from tests.vendors.factories import create_vendor


def _logged(app, action: str) -> ActivityLog | None:
    with app.app_context():
        return db.session.scalar(
            db.select(ActivityLog).where(ActivityLog.action == action).order_by(ActivityLog.id.desc())
        )


def test_a_contact_is_added_changed_and_deleted_with_if_match(app, client, make_token, a_vendor):
    holder = make_token("procurement")
    created = client.post(f"/api/v1/vendors/{a_vendor}/contacts", headers=holder.headers,
                          json={"name": "経理 花子", "email": "hanako@example.com", "department": "経理部"})
    assert created.status_code == 201, created.get_data(as_text=True)
    contact = created.get_json()
    path = f"/api/v1/vendors/{a_vendor}/contacts/{contact['id']}"
    assert created.headers["Location"].endswith(path)
    assert (contact["name"], contact["vendor_id"]) == ("経理 花子", a_vendor)
    assert _logged(app, "vendor.contact_add").actor_id == holder.user.id
    vendor = client.get(f"/api/v1/vendors/{a_vendor}", headers=holder.headers).get_json()
    assert [item["id"] for item in vendor["contacts"]] == [contact["id"]]

    etag = created.headers["ETag"]
    assert client.patch(path, headers=holder.headers, json={"phone": "03-1234-5678"}).status_code == 428
    changed = client.patch(path, headers={**holder.headers, "If-Match": etag}, json={"phone": "03-1234-5678"})
    assert changed.status_code == 200, changed.get_data(as_text=True)
    assert (changed.get_json()["phone"], changed.get_json()["email"]) == ("03-1234-5678", "hanako@example.com")
    assert changed.headers["ETag"] != etag
    assert _logged(app, "vendor.contact_update").actor_id == holder.user.id
    stale = client.patch(path, headers={**holder.headers, "If-Match": etag}, json={"phone": "0"})
    assert stale.status_code == 412 and stale.mimetype == "application/problem+json"

    assert client.delete(path, headers={**holder.headers, "If-Match": etag}).status_code == 412
    deleted = client.delete(path, headers={**holder.headers, "If-Match": changed.headers["ETag"]})
    assert deleted.status_code == 204
    assert _logged(app, "vendor.contact_remove").actor_id == holder.user.id
    with app.app_context():
        assert db.session.get(VendorContact, contact["id"]) is None
    assert client.get(path, headers=holder.headers).status_code == 404


def test_the_contact_forms_messages_come_back_per_field_in_the_asked_language(client, make_token, a_vendor):
    holder = make_token("procurement")
    path = f"/api/v1/vendors/{a_vendor}/contacts"
    refused = client.post(path, headers={**holder.headers, "Accept-Language": "en"},
                          json={"name": "経理 花子", "email": "not an address"})
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == [{"field": "email", "message": "Invalid email address."}]
    japanese = client.post(path, headers=holder.headers, json={"name": " ", "email": ""})
    assert japanese.status_code == 422 and japanese.get_json()["errors"][0]["field"] == "name"
    assert japanese.get_json()["errors"][0]["message"] == "このフィールドは必須です。"
    guarded = client.post(path, headers=holder.headers, json={"name": "山田", "role": "番号 123456789018"})
    assert guarded.status_code == 422 and guarded.get_json()["errors"][0]["field"] == "role"


def test_a_contact_of_another_vendor_or_an_archived_vendor_is_refused(app, client, make_token, a_contact):
    holder = make_token("admin")
    with app.app_context():
        other = create_vendor()
        db.session.commit()
        other_id = other.id
    path = f"/api/v1/vendors/{other_id}/contacts/{a_contact['contact']}"
    assert client.get(path, headers=holder.headers).status_code == 404
    with app.app_context():
        db.session.get(Vendor, a_contact["vendor"]).status = "archived"
        db.session.commit()
    refused = client.post(f"/api/v1/vendors/{a_contact['vendor']}/contacts", headers=holder.headers,
                          json={"name": "総務 次郎"})
    assert refused.status_code == 422 and refused.mimetype == "application/problem+json"
    with app.test_request_context(headers={"Accept-Language": "ja"}):
        assert refused.get_json()["detail"] == str(ARCHIVED_MESSAGE)


def test_a_certification_is_added_changed_and_deleted_with_if_match(app, client, make_token, a_vendor):
    holder = make_token("admin")
    path = f"/api/v1/vendors/{a_vendor}/certifications"
    other = client.post(path, headers={**holder.headers, "Accept-Language": "en"}, json={"kind": "other"})
    assert other.status_code == 422
    assert other.get_json()["errors"] == [{"field": "name", "message": "Name the certification."}]
    created = client.post(path, headers=holder.headers,
                          json={"kind": "isms", "number": "IS 123456", "expires_on": "2027-03-31"})
    assert created.status_code == 201, created.get_data(as_text=True)
    certification = created.get_json()
    assert (certification["kind"], certification["expires_on"]) == ("isms", "2027-03-31")
    assert _logged(app, "vendor.certification_add").actor_id == holder.user.id
    one = f"{path}/{certification['id']}"
    assert client.get(one, headers=holder.headers).headers["ETag"] == created.headers["ETag"]

    changed = client.patch(one, headers={**holder.headers, "If-Match": created.headers["ETag"]},
                           json={"expires_on": "2028-03-31"})
    assert changed.status_code == 200, changed.get_data(as_text=True)
    assert (changed.get_json()["expires_on"], changed.get_json()["number"]) == ("2028-03-31", "IS 123456")
    assert _logged(app, "vendor.certification_update").actor_id == holder.user.id
    cleared = client.patch(one, headers={**holder.headers, "If-Match": changed.headers["ETag"]},
                           json={"expires_on": None})
    assert cleared.status_code == 200 and cleared.get_json()["expires_on"] is None
    assert client.patch(one, headers={**holder.headers, "If-Match": created.headers["ETag"]},
                        json={"number": "X"}).status_code == 412

    assert client.delete(one, headers=holder.headers).status_code == 428
    assert client.delete(one, headers={**holder.headers, "If-Match": cleared.headers["ETag"]}).status_code == 204
    assert _logged(app, "vendor.certification_remove").actor_id == holder.user.id
    with app.app_context():
        assert db.session.get(VendorCertification, certification["id"]) is None


def test_a_read_token_and_other_roles_cannot_change_contacts(client, make_token, a_contact):
    path = f"/api/v1/vendors/{a_contact['vendor']}/contacts/{a_contact['contact']}"
    reader = make_token("procurement", scope="read")
    etag = client.get(path, headers=reader.headers).headers["ETag"]
    assert client.delete(path, headers={**reader.headers, "If-Match": etag}).status_code == 403
    legal = make_token("legal")
    assert client.delete(path, headers={**legal.headers, "If-Match": etag}).status_code == 403
    assert client.get(path, headers=legal.headers).get_json()["name"] == "経理 花子", "still there"

"""``/api/v1/vendors/{id}/contacts`` and ``…/certifications``: a vendor's contact persons and certifications,
added, changed and deleted as on the vendor page (the same forms, services and roles: ``vendor.edit``)."""

from __future__ import annotations

from typing import Any

from flask import url_for
from spectree import Response

from oversight.api import saving
from oversight.api import schemas as s
from oversight.api.access import actor, api_access
from oversight.api.blueprint import bp
from oversight.api.problems import Problem
from oversight.api.spec import spec
from oversight.api.vendors import EDITORS, NOT_FOUND, READ_ERRORS, WRITE_ERRORS
from oversight.extensions import db
from oversight.vendors import services
from oversight.vendors.forms import CertificationEditForm, CertificationForm, ContactEditForm, ContactForm
from oversight.vendors.models import Vendor, VendorCertification, VendorContact

UPDATE_ERRORS = {"HTTP_404": s.Problem, "HTTP_412": s.Problem, "HTTP_428": s.Problem, **WRITE_ERRORS}


def _vendor(vendor_id: int) -> Vendor:
    vendor = db.session.get(Vendor, vendor_id)
    if vendor is None:
        raise Problem(404, NOT_FOUND)
    return vendor


def _child(model, vendor_id: int, child_id: int):
    """The vendor's contact or certification ``child_id`` (404 when it is another vendor's)."""
    child = db.session.get(model, child_id)
    if child is None or child.vendor_id != vendor_id:
        raise Problem(404, NOT_FOUND)
    return child


def _answer(model, document, child_id: int, status: int = 200):
    record = db.session.get(model, child_id)
    headers = {"ETag": saving.etag(record)}
    if status == 201:
        endpoint = "api.vendor_contact" if model is VendorContact else "api.vendor_certification"
        headers["Location"] = url_for(endpoint, vendor_id=record.vendor_id, **{
            "contact_id" if model is VendorContact else "certification_id": record.id})
    return document.model_validate(record, from_attributes=True), status, headers


def _current(record: Any, fields: list[str]) -> dict[str, Any]:
    return {field: getattr(record, field) for field in fields}


# --- contacts -----------------------------------------------------------------------------------


@bp.get("/vendors/<int:vendor_id>/contacts/<int:contact_id>")
@api_access()
@spec.validate(resp=Response(HTTP_200=s.Contact, HTTP_404=s.Problem, **READ_ERRORS), tags=["vendors"],
               operation_id="getVendorContact")
def vendor_contact(vendor_id: int, contact_id: int):
    """One contact person of a vendor; its ETag is for If-Match."""
    return _answer(VendorContact, s.Contact, _child(VendorContact, vendor_id, contact_id).id)


@bp.post("/vendors/<int:vendor_id>/contacts")
@api_access(*EDITORS, write=True)
@spec.validate(json=s.ContactInput, resp=Response(HTTP_201=s.Contact, HTTP_404=s.Problem, **WRITE_ERRORS),
               tags=["vendors"], operation_id="createVendorContact")
def create_vendor_contact(vendor_id: int, json: s.ContactInput):
    """Add a contact person, with the contact form's rules and messages."""
    vendor = _vendor(vendor_id)
    form = ContactForm(formdata=saving.form_data(json.model_dump()), meta={"csrf": False})
    saving.validated(form)
    created = saving.commit(lambda: services.add_contact(vendor, form.data, actor=actor()))
    return _answer(VendorContact, s.Contact, created.id, 201)


@bp.patch("/vendors/<int:vendor_id>/contacts/<int:contact_id>")
@api_access(*EDITORS, write=True)
@spec.validate(json=s.ContactPatch, resp=Response(HTTP_200=s.Contact, **UPDATE_ERRORS), tags=["vendors"],
               operation_id="updateVendorContact")
def update_vendor_contact(vendor_id: int, contact_id: int, json: s.ContactPatch):
    """Change a contact person. Send its ETag in If-Match: a stale one is refused (412)."""
    contact = _child(VendorContact, vendor_id, contact_id)
    version = saving.matched_version(contact)
    values = {**_current(contact, services.CONTACT_FIELDS), **json.model_dump(exclude_unset=True)}
    form = ContactEditForm(formdata=saving.form_data({**values, "version": version}), meta={"csrf": False})
    saving.validated(form)
    saving.commit(lambda: services.update_contact(contact, form.data, actor=actor()), record=contact,
                  version=version)
    return _answer(VendorContact, s.Contact, contact_id)


@bp.delete("/vendors/<int:vendor_id>/contacts/<int:contact_id>")
@api_access(*EDITORS, write=True)
@spec.validate(resp=Response("HTTP_204", **UPDATE_ERRORS), tags=["vendors"], operation_id="deleteVendorContact")
def delete_vendor_contact(vendor_id: int, contact_id: int):
    """Delete a contact person (as the vendor page does: contacts are deleted, not archived). Send its ETag
    in If-Match: a stale one is refused (412)."""
    contact = _child(VendorContact, vendor_id, contact_id)
    version = saving.matched_version(contact)
    saving.commit(lambda: services.remove_contact(contact, actor=actor()), record=contact, version=version)
    return "", 204


# --- certifications -----------------------------------------------------------------------------


@bp.get("/vendors/<int:vendor_id>/certifications/<int:certification_id>")
@api_access()
@spec.validate(resp=Response(HTTP_200=s.Certification, HTTP_404=s.Problem, **READ_ERRORS), tags=["vendors"],
               operation_id="getVendorCertification")
def vendor_certification(vendor_id: int, certification_id: int):
    """One certification of a vendor; its ETag is for If-Match."""
    found = _child(VendorCertification, vendor_id, certification_id)
    return _answer(VendorCertification, s.Certification, found.id)


@bp.post("/vendors/<int:vendor_id>/certifications")
@api_access(*EDITORS, write=True)
@spec.validate(json=s.CertificationInput,
               resp=Response(HTTP_201=s.Certification, HTTP_404=s.Problem, **WRITE_ERRORS),
               tags=["vendors"], operation_id="createVendorCertification")
def create_vendor_certification(vendor_id: int, json: s.CertificationInput):
    """Record a certification the vendor holds, with the certification form's rules and messages."""
    vendor = _vendor(vendor_id)
    form = CertificationForm(formdata=saving.form_data(json.model_dump()), meta={"csrf": False})
    saving.validated(form)
    created = saving.commit(lambda: services.add_certification(vendor, form.data, actor=actor()))
    return _answer(VendorCertification, s.Certification, created.id, 201)


@bp.patch("/vendors/<int:vendor_id>/certifications/<int:certification_id>")
@api_access(*EDITORS, write=True)
@spec.validate(json=s.CertificationPatch, resp=Response(HTTP_200=s.Certification, **UPDATE_ERRORS),
               tags=["vendors"], operation_id="updateVendorCertification")
def update_vendor_certification(vendor_id: int, certification_id: int, json: s.CertificationPatch):
    """Change a certification. Send its ETag in If-Match: a stale one is refused (412)."""
    certification = _child(VendorCertification, vendor_id, certification_id)
    version = saving.matched_version(certification)
    values = {**_current(certification, services.CERTIFICATION_FIELDS), **json.model_dump(exclude_unset=True)}
    form = CertificationEditForm(formdata=saving.form_data({**values, "version": version}), meta={"csrf": False})
    saving.validated(form)
    saving.commit(lambda: services.update_certification(certification, form.data, actor=actor()),
                  record=certification, version=version)
    return _answer(VendorCertification, s.Certification, certification_id)


@bp.delete("/vendors/<int:vendor_id>/certifications/<int:certification_id>")
@api_access(*EDITORS, write=True)
@spec.validate(resp=Response("HTTP_204", **UPDATE_ERRORS), tags=["vendors"],
               operation_id="deleteVendorCertification")
def delete_vendor_certification(vendor_id: int, certification_id: int):
    """Delete a certification record (as the vendor page does). Send its ETag in If-Match: a stale one is
    refused (412)."""
    certification = _child(VendorCertification, vendor_id, certification_id)
    version = saving.matched_version(certification)
    saving.commit(lambda: services.remove_certification(certification, actor=actor()), record=certification,
                  version=version)
    return "", 204

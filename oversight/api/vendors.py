"""``/api/v1/vendors``: the vendor register, read and written as on its pages."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from spectree import Response
from sqlalchemy.orm import selectinload

from oversight.api import documents, saving
from oversight.api import schemas as s
from oversight.api.access import actor, api_access
from oversight.api.blueprint import bp
from oversight.api.pagination import page
from oversight.api.problems import Problem
from oversight.api.spec import spec
from oversight.auth import services as auth_services
from oversight.auth.roles import ADMIN, PROCUREMENT
from oversight.core.timeutil import local_today
from oversight.extensions import db
from oversight.status import register
from oversight.vendors import services
from oversight.vendors.forms import VendorEditForm, VendorForm
from oversight.vendors.models import Vendor

EDITORS = (PROCUREMENT, ADMIN)  # vendor.edit in docs/permissions.md, as vendors.views
NOT_FOUND = _l("The page or record was not found.")  # the pages' message (web.errors)
READ_ERRORS = {"HTTP_401": s.Problem, "HTTP_403": s.Problem, "HTTP_429": s.Problem}
WRITE_ERRORS = {**READ_ERRORS, "HTTP_422": s.Problem}
WITH_PEOPLE_AND_PAPERS = (selectinload(Vendor.contacts), selectinload(Vendor.certifications))


def _load(vendor_id: int) -> Vendor:
    vendor = services.load_vendor_detail(vendor_id)
    if vendor is None:
        raise Problem(404, NOT_FOUND)
    return vendor


def _answer(vendor: Vendor, status: int = 200) -> tuple[s.Vendor, int, dict[str, str]]:
    document = documents.vendors([vendor], local_today())[0]
    headers = {"ETag": saving.etag(vendor)}
    if status == 201:
        headers["Location"] = url_for("api.vendor", vendor_id=vendor.id)
    return document, status, headers


def _form_values(values: dict[str, Any]) -> dict[str, Any]:
    entrustment = values.get("is_entrustment")
    return {**values, "is_entrustment": {True: "yes", False: "no"}.get(entrustment, "")}


def _current_values(vendor: Vendor) -> dict[str, Any]:
    return {field: getattr(vendor, field) for field in services.VENDOR_FIELDS}


@bp.get("/vendors")
@api_access()
@spec.validate(query=s.VendorFilters, resp=Response(HTTP_200=s.VendorPage, HTTP_400=s.Problem, **READ_ERRORS),
               tags=["vendors"], operation_id="listVendors")
def vendors(query: s.VendorFilters):
    """The vendor register with the list page's filters, in cursor pages."""
    filters = query.model_dump(exclude={"cursor", "limit"})
    filters["owner"] = str(query.owner or "")
    listed = register.list_query(filters, sort=None, today=local_today()).options(*WITH_PEOPLE_AND_PAPERS)
    rows, next_cursor = page(listed, Vendor.id, cursor=query.cursor, limit=query.limit)
    items = documents.vendors(rows, local_today())
    db.session.commit()  # the stored lights re-judged on reading, if the day changed
    return s.VendorPage(items=items, next_cursor=next_cursor)


@bp.get("/vendors/<int:vendor_id>")
@api_access()
@spec.validate(resp=Response(HTTP_200=s.Vendor, HTTP_404=s.Problem, **READ_ERRORS), tags=["vendors"],
               operation_id="getVendor")
def vendor(vendor_id: int):
    """One vendor with its contacts, certifications and five lights; its ETag is for If-Match."""
    answer = _answer(_load(vendor_id))
    db.session.commit()
    return answer


@bp.post("/vendors")
@api_access(*EDITORS, write=True)
@spec.validate(json=s.VendorInput, resp=Response(HTTP_201=s.Vendor, **WRITE_ERRORS), tags=["vendors"],
               operation_id="createVendor")
def create_vendor(json: s.VendorInput):
    """Register a vendor as a candidate, with the vendor form's rules and messages."""
    form = VendorForm(
        formdata=saving.form_data(_form_values(json.model_dump())), meta={"csrf": False},
        users=auth_services.selectable_users(),
    )
    saving.validated(form)
    created = saving.commit(lambda: services.create_vendor(form.values(), actor=actor()), field="corporate_number")
    return _answer(_load(created.id), 201)


@bp.patch("/vendors/<int:vendor_id>")
@api_access(*EDITORS, write=True)
@spec.validate(
    json=s.VendorPatch,
    resp=Response(HTTP_200=s.Vendor, HTTP_404=s.Problem, HTTP_412=s.Problem, HTTP_428=s.Problem, **WRITE_ERRORS),
    tags=["vendors"], operation_id="updateVendor",
)
def update_vendor(vendor_id: int, json: s.VendorPatch):
    """Change a vendor's register data. Send its ETag in If-Match: a stale one is refused (412)."""
    vendor = _load(vendor_id)
    version = saving.matched_version(vendor)
    values = {**_current_values(vendor), **json.model_dump(exclude_unset=True)}
    form = VendorEditForm(
        formdata=saving.form_data({**_form_values(values), "version": version}), meta={"csrf": False},
        users=auth_services.selectable_users(keep=(vendor.owner_id, vendor.manager_id)), vendor=vendor,
    )
    saving.validated(form)
    saving.commit(
        lambda: services.update_vendor(vendor, form.values(), actor=actor()),
        record=vendor, version=version, field="corporate_number",
    )
    return _answer(_load(vendor_id))

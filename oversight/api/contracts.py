"""``/api/v1/contracts``: contracts with their clause review rounds; drafting a contract, and a manager
deciding on a cleared one, as on its page; approval is refused while its page asks for a new code (step-up,
``access.mirrors``)."""

from __future__ import annotations

from flask import url_for
from spectree import Response
from sqlalchemy.orm import selectinload

from oversight.api import documents, saving
from oversight.api import schemas as s
from oversight.api.access import actor, api_access, mirrors, refused_on_the_page
from oversight.api.blueprint import bp
from oversight.api.pagination import page
from oversight.api.problems import Problem
from oversight.api.spec import spec
from oversight.api.vendors import NOT_FOUND, READ_ERRORS, WRITE_ERRORS
from oversight.auth.roles import MANAGER
from oversight.contracts import pages, services
from oversight.contracts.forms import ContractForm, ManagerReturnForm
from oversight.contracts.models import Contract, ContractReview
from oversight.core.timeutil import local_today
from oversight.extensions import db
from oversight.vendors.models import Vendor

WITH_REVIEWS = selectinload(Contract.reviews).selectinload(ContractReview.results)


def _load(contract_id: int) -> Contract:
    contract = db.session.scalar(db.select(Contract).where(Contract.id == contract_id).options(WITH_REVIEWS))
    if contract is None:
        raise Problem(404, NOT_FOUND)
    return contract


@bp.get("/contracts")
@api_access()
@spec.validate(query=s.ContractFilters, resp=Response(HTTP_200=s.ContractPage, HTTP_400=s.Problem, **READ_ERRORS),
               tags=["contracts"], operation_id="listContracts")
def contracts(query: s.ContractFilters):
    """Contracts with the list page's filters, each with its review rounds, in cursor pages."""
    filters = query.model_dump(exclude={"cursor", "limit"})
    filters["vendor_id"] = query.vendor
    listed = pages.list_query(filters, sort=None, today=local_today()).options(WITH_REVIEWS)
    rows, next_cursor = page(listed, Contract.id, cursor=query.cursor, limit=query.limit)
    return s.ContractPage(items=[documents.contract(row) for row in rows], next_cursor=next_cursor)


@bp.get("/contracts/<int:contract_id>")
@api_access()
@spec.validate(resp=Response(HTTP_200=s.Contract, HTTP_404=s.Problem, **READ_ERRORS), tags=["contracts"],
               operation_id="getContract")
def contract(contract_id: int):
    """One contract with every clause review round and its result per clause."""
    found = _load(contract_id)
    return documents.contract(found), 200, {"ETag": saving.etag(found)}


@bp.post("/contracts")
@api_access(*pages.EDITORS, write=True)
@spec.validate(json=s.ContractInput, resp=Response(HTTP_201=s.Contract, HTTP_404=s.Problem, **WRITE_ERRORS),
               tags=["contracts"], operation_id="createContract")
def create_contract(json: s.ContractInput):
    """Draft a contract (起案) with a vendor, with the contract form's rules and messages."""
    vendor = db.session.get(Vendor, json.vendor_id)
    if vendor is None:
        raise Problem(404, NOT_FOUND)
    values = json.model_dump(exclude={"vendor_id"})
    form = ContractForm(formdata=saving.form_data(values), meta={"csrf": False})
    saving.validated(form)
    created = saving.commit(
        lambda: services.create_contract(vendor, form.values(), actor=actor()), field="number"
    )
    found = _load(created.id)
    headers = {"ETag": saving.etag(found), "Location": url_for("api.contract", contract_id=found.id)}
    return documents.contract(found), 201, headers


@bp.post("/contracts/<int:contract_id>/decision")
@api_access(MANAGER, write=True)
@mirrors(decision={"approve": "contracts.approve", "return": "contracts.return_to_procurement"})
@spec.validate(
    json=s.ContractDecisionInput,
    resp=Response(HTTP_200=s.Contract, HTTP_404=s.Problem, HTTP_412=s.Problem, HTTP_428=s.Problem, **WRITE_ERRORS),
    tags=["contracts"], operation_id="decideContract",
)
def decide_contract(contract_id: int, json: s.ContractDecisionInput):
    """A manager decides on a contract legal has cleared, as the contract page does: ``return`` sends it back
    to procurement with the reason (``ManagerReturnForm``, ``contracts.services.return_by_manager``, which asks
    ``contracts.permissions.can_approve``: the manager who drafted or submitted it or reviewed its clauses
    may not, 422 with the reason). ``approve`` is refused (403): on the page approval asks for a new code
    from the approver's authenticator app (step-up), which a token cannot give. Send the contract's ETag in
    If-Match: a stale one is refused (412)."""
    if json.decision == "approve":
        refused_on_the_page()
    found = _load(contract_id)
    version = saving.matched_version(found)
    values = {**json.model_dump(exclude={"decision"}), "version": version}
    form = ManagerReturnForm(formdata=saving.form_data(values), meta={"csrf": False})
    saving.validated(form)
    saving.commit(lambda: services.return_by_manager(found, actor=actor(), note=form.note.data),
                  record=found, version=version)
    found = _load(contract_id)
    return documents.contract(found), 200, {"ETag": saving.etag(found)}

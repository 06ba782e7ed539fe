"""``/api/v1/subcontracts`` and ``/api/v1/consents``: subcontract nodes (再委託) with their light from the
node rule and their consents, read as on the subcontract index and node pages; a consent requested
and reviewed as on the node page (the same forms, services, roles and predicates); the decision is refused:
its page asks for a new second-factor code (step-up, ``access.mirrors``)."""

from __future__ import annotations

from datetime import date

from flask import url_for
from spectree import Response

from oversight.api import saving
from oversight.api import schemas as s
from oversight.api.access import actor, api_access, mirrors, refused_on_the_page
from oversight.api.blueprint import bp
from oversight.api.pagination import page
from oversight.api.problems import Problem
from oversight.api.spec import spec
from oversight.api.vendors import NOT_FOUND, READ_ERRORS, WRITE_ERRORS
from oversight.core.timeutil import local_today, utcnow
from oversight.extensions import db
from oversight.subcontracts import permissions, queries, services, worklist
from oversight.subcontracts.chain import NodeStatus
from oversight.subcontracts.forms import ConsentRequestForm, ReviewForm
from oversight.subcontracts.models import Subcontract, SubcontractConsent

STEP_ERRORS = {"HTTP_404": s.Problem, "HTTP_412": s.Problem, "HTTP_428": s.Problem, **WRITE_ERRORS}


def _document(status: NodeStatus) -> s.Subcontract:
    node = status.node
    fields = {name: getattr(node, name) for name in s.Subcontract.model_fields if name not in (
        "contract_number", "vendor_name", "parent_vendor_name", "has_valid_consent", "light", "consents")}
    return s.Subcontract(
        **fields,
        contract_number=node.contract.number,
        vendor_name=node.vendor.name,
        parent_vendor_name=node.parent_vendor.name,
        has_valid_consent=status.has_valid_consent,
        light=s.NodeLight(code=status.code, colour=status.light.state, text=str(status.light.text),
                          detail=str(status.light.detail)),
        consents=[_consent_document(status, consent, s.Consent) for consent in status.consents],
    )


def _consent_document(status: NodeStatus, consent: SubcontractConsent, model=s.ConsentDocument):
    return model(
        **{name: getattr(consent, name) for name in model.model_fields if name != "label"},
        label=str(status.consent_label(consent)),
    )


def _listed(query: s.SubcontractFilters, today: date):
    """The nodes of the index page: every relation searched by ``q`` and filtered by ``scope`` (the page's
    ``all`` section), or one of its exception sections."""
    ids = worklist.all_nodes(q=query.q, scope=query.scope).order_by(None)
    listed = queries._node_query().where(Subcontract.id.in_(ids))
    if query.section:
        flagged = worklist._flagged_nodes(today).subquery("flagged")
        listed = listed.where(Subcontract.id.in_(db.select(flagged.c.id).where(flagged.c[query.section])))
    return listed


@bp.get("/subcontracts")
@api_access()
@spec.validate(query=s.SubcontractFilters,
               resp=Response(HTTP_200=s.SubcontractPage, HTTP_400=s.Problem, **READ_ERRORS),
               tags=["subcontracts"], operation_id="listSubcontracts")
def subcontracts(query: s.SubcontractFilters):
    """Subcontract nodes with the index page's search, contract scope and sections, in cursor pages."""
    today = local_today()
    rows, next_cursor = page(_listed(query, today), Subcontract.id, cursor=query.cursor, limit=query.limit)
    statuses = queries.assess(today, Subcontract.id.in_([row.id for row in rows])) \
        if rows else {}
    db.session.commit()  # the stored node states re-judged on reading, if the day changed
    return s.SubcontractPage(items=[_document(statuses[row.id]) for row in rows], next_cursor=next_cursor)


@bp.get("/subcontracts/<int:node_id>")
@api_access()
@spec.validate(resp=Response(HTTP_200=s.Subcontract, HTTP_404=s.Problem, **READ_ERRORS), tags=["subcontracts"],
               operation_id="getSubcontract")
def subcontract(node_id: int):
    """One node: level, parent, vendor, contract, its light from the node rule and its consents."""
    node = services.load_node(node_id)
    if node is None:
        raise Problem(404, NOT_FOUND)
    status = queries.node_status(node, local_today())
    return _document(status), 200, {"ETag": saving.etag(node)}


def _load_node(node_id: int) -> Subcontract:
    node = services.load_node(node_id)
    if node is None:
        raise Problem(404, NOT_FOUND)
    return node


def _load_consent(consent_id: int) -> SubcontractConsent:
    consent = services.load_consent(consent_id)
    if consent is None:
        raise Problem(404, NOT_FOUND)
    return consent


def _consent_answer(consent_id: int, status: int = 200):
    consent = _load_consent(consent_id)
    node_status = queries.node_status(consent.subcontract, local_today())
    headers = {"ETag": saving.etag(consent)}
    if status == 201:
        headers["Location"] = url_for("api.consent", consent_id=consent.id)
    return _consent_document(node_status, consent), status, headers


@bp.get("/consents/<int:consent_id>")
@api_access()
@spec.validate(resp=Response(HTTP_200=s.ConsentDocument, HTTP_404=s.Problem, **READ_ERRORS),
               tags=["subcontracts"], operation_id="getConsent")
def consent(consent_id: int):
    """One consent request (再委託許諾) and its decision; its ETag is for If-Match."""
    return _consent_answer(consent_id)


@bp.post("/subcontracts/<int:node_id>/consents")
@api_access(*permissions.REQUESTERS, write=True)
@spec.validate(json=s.ConsentRequestInput,
               resp=Response(HTTP_201=s.ConsentDocument, HTTP_404=s.Problem, **WRITE_ERRORS),
               tags=["subcontracts"], operation_id="requestConsent")
def request_consent(node_id: int, json: s.ConsentRequestInput):
    """Request the principal's consent for a subcontractor (§5.2), as the node page's request form does; it
    goes to legal for review. ``evaluation_id`` is one of the subcontractor's selection evaluations."""
    node = _load_node(node_id)
    values = json.model_dump(exclude={"evaluation_id"})
    values["evaluation"] = json.evaluation_id
    form = ConsentRequestForm(formdata=saving.form_data(values), meta={"csrf": False},
                              evaluations=services.evaluations_of(node.vendor_id))
    saving.validated(form)
    created = saving.commit(
        lambda: services.request_consent(node, form.values(), actor=actor(), now=utcnow())
    )
    return _consent_answer(created.id, 201)


@bp.post("/consents/<int:consent_id>/review")
@api_access(*permissions.REVIEWERS, write=True)
@spec.validate(json=s.ConsentReviewInput, resp=Response(HTTP_200=s.ConsentDocument, **STEP_ERRORS),
               tags=["subcontracts"], operation_id="reviewConsent")
def review_consent(consent_id: int, json: s.ConsentReviewInput):
    """Legal's recommendation and note on a requested consent (``subcontracts.permissions.can_review``).
    Send the consent's ETag in If-Match: a stale one is refused (412)."""
    found = _load_consent(consent_id)
    version = saving.matched_version(found)
    form = ReviewForm(formdata=saving.form_data({**json.model_dump(), "version": version}), meta={"csrf": False})
    saving.validated(form)
    saving.commit(
        lambda: services.review(found, recommendation=form.recommendation.data, note=form.note.data,
                                actor=actor(), now=utcnow()),
        record=found, version=version,
    )
    return _consent_answer(consent_id)


@bp.post("/consents/<int:consent_id>/decision")
@api_access(*permissions.DECIDERS, write=True)
@mirrors("subcontracts.decide")
@spec.validate(json=s.ConsentDecisionInput, resp=Response(HTTP_200=s.ConsentDocument, **STEP_ERRORS),
               tags=["subcontracts"], operation_id="decideConsent")
def decide_consent(consent_id: int, json: s.ConsentDecisionInput):
    """A manager of the principal's grant or refusal of a reviewed consent: always refused (403), both ways.
    On the node page the decision asks for a new code from the manager's authenticator app (step-up), which a
    token cannot give; decide there (the body is the page's decision form)."""
    refused_on_the_page()

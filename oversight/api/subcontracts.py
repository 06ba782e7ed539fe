"""``/api/v1/subcontracts``: subcontract nodes (再委託) with their light from the node rule and their
consents, read as on the subcontract index and node pages."""

from __future__ import annotations

from datetime import date

from spectree import Response

from oversight.api import saving
from oversight.api import schemas as s
from oversight.api.access import api_access
from oversight.api.blueprint import bp
from oversight.api.pagination import page
from oversight.api.problems import Problem
from oversight.api.spec import spec
from oversight.api.vendors import NOT_FOUND, READ_ERRORS
from oversight.core.timeutil import local_today
from oversight.extensions import db
from oversight.subcontracts import queries, services, worklist
from oversight.subcontracts.chain import NodeStatus
from oversight.subcontracts.models import Subcontract


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
        consents=[
            s.Consent(
                **{name: getattr(consent, name) for name in s.Consent.model_fields if name != "label"},
                label=str(status.consent_label(consent)),
            )
            for consent in status.consents
        ],
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
    statuses = queries._assess(queries._node_query().where(Subcontract.id.in_([row.id for row in rows])), today) \
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

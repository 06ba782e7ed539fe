"""What the subcontract pages show: computed statuses, permissions and pre-filled forms (views stay thin)."""

from __future__ import annotations

from typing import Any

from flask import render_template

from oversight.contracts import services as contract_services
from oversight.contracts.models import CLOSED, Contract
from oversight.core.pagination import paginate
from oversight.core.timeutil import local_today
from oversight.evaluations.models import APPROVED as EVALUATION_APPROVED
from oversight.evaluations.models import CONDITIONAL
from oversight.evidence import services as evidence_services
from oversight.extensions import db
from oversight.status import lights as status_lights
from oversight.subcontracts import chain, permissions, queries, services
from oversight.subcontracts.forms import (
    ConsentRequestForm,
    DecisionForm,
    EntrustedForm,
    NodeForm,
    NotifiedForm,
    ReviewForm,
    RevokeForm,
)
from oversight.subcontracts.models import APPROVED, REVIEWED, Subcontract
from oversight.subcontracts.services import SubcontractRuleError
from oversight.units.services import unit_ids_for_action
from oversight.vendors.models import Vendor

REQUESTERS = permissions.REQUESTERS


def contract_page(contract: Contract, *, user: Any) -> dict[str, Any]:
    roots = queries.contract_tree(contract, local_today())
    return {
        "contract": contract,
        "roots": roots,
        "chain_light": chain.combined_light(chain.flatten(roots)),
        "can_add": permissions.is_requester(user, contract) and not contract.is_closed,
    }


def start_page(q: str, user: Any) -> dict[str, Any]:
    """The entry point to record a subcontractor: a page of the contracts that have not ended and whose chain
    ``user`` may change (``permissions.is_requester``: the contract's unit), searched by number, title or
    contractor, each leading to its chain's form (which asks for the parent node)."""
    query = contract_services.contract_query(q=q, today=local_today()).where(Contract.status.not_in(CLOSED))
    allowed = unit_ids_for_action(user, *permissions.REQUESTERS)
    if allowed is not None:
        query = query.where(Contract.unit_id.in_(allowed))
    return {"q": q, "pagination": paginate(query)}


def vendor_page(vendor: Vendor) -> dict[str, Any]:
    """The chains ``vendor`` takes part in, and its 再委託 light."""
    today = local_today()
    light = status_lights.duty_lights("subcontract", [vendor.id], today)[vendor.id]
    return {"trees": queries.vendor_trees(vendor, today), "subcontract_light": light}


def vendor_section(vendor: Vendor) -> dict[str, Any]:
    """The vendor detail page's 再委託 section: the chains it takes part in (its light is in the summary)."""
    return {"subcontract_trees": queries.vendor_trees(vendor, local_today())}


# --- forms ------------------------------------------------------------------------------------------


def node_form(contract: Contract, *, parent_id: str = "") -> NodeForm:
    form = NodeForm(
        parents=services.nodes_of_contract(contract),
        vendors=services.candidate_vendors(contract),
        contractor_name=contract.vendor.name,
    )
    if not form.is_submitted() and parent_id.isdigit():
        form.parent.data = parent_id
    return form


def chosen_parent(contract: Contract, value: str | None) -> Subcontract | None:
    if not value:
        return None
    node = db.session.get(Subcontract, int(value)) if value.isdigit() else None
    if node is None or node.contract_id != contract.id:
        raise SubcontractRuleError(services.PARENT_MESSAGE)
    return node


def chosen_vendor(value: str | None) -> Vendor:
    vendor = db.session.get(Vendor, int(value)) if (value or "").isdigit() else None
    if vendor is None:
        raise SubcontractRuleError(services.VENDOR_MESSAGE)
    return vendor


def request_form(node: Subcontract) -> ConsentRequestForm:
    evaluations = services.evaluations_of(node.vendor_id)
    form = ConsentRequestForm(obj=node, evaluations=evaluations)
    if not form.is_submitted():
        approved = [e for e in evaluations if e.status in (EVALUATION_APPROVED, CONDITIONAL)]
        if approved:
            form.evaluation.data = str(approved[0].id)
    return form


def render_detail(node: Subcontract, *, user: Any, status: int = 200, **forms: Any):
    """The node page with the forms the user may use (``forms`` carry the user's input after a failure)."""
    today = local_today()
    statuses = queries.chain_statuses(node.contract_id, today)
    own = statuses[node.id]
    ancestors = []
    parent_id = node.parent_id
    while parent_id is not None:
        ancestors.insert(0, statuses[parent_id])
        parent_id = statuses[parent_id].node.parent_id
    consents = services.consents_of(node)
    current = consents[0] if consents else None
    version = {"version": current.version} if current else {}
    is_requester = permissions.is_requester(user, node)
    context = {
        "node": node,
        "status": own,
        "ancestors": ancestors,
        "children": sorted(own.children, key=lambda child: child.node.id),
        "consents": consents,
        # Files the vendor attached to a request made through the portal (one query for every consent).
        "consent_files": evidence_services.files_for_many("subcontract_consent", [c.id for c in consents]),
        "current": current,
        "can_add_below": is_requester and not node.contract.is_closed,
        "can_request": is_requester and not node.contract.is_closed and not (current and current.is_pending),
        "can_start_evaluation": is_requester and current is not None and current.is_pending,
        "can_review": current is not None and permissions.can_review(user, current),
        "can_decide": current is not None and permissions.can_decide(user, current),
        "is_own_review": current is not None
        and current.status == REVIEWED
        and permissions.is_principal_manager(user, current)
        and permissions.took_part(user, current),
        "can_revoke": current is not None and permissions.can_revoke(user, current),
        "can_notify": is_requester and current is not None and current.status == APPROVED,
        "review_form": ReviewForm(formdata=None, data=version),
        "decision_form": DecisionForm(formdata=None, data={**version, "expires_on": node.contract.end_on}),
        "revoke_form": RevokeForm(formdata=None, data=version),
        "notified_form": NotifiedForm(formdata=None, data={**version, "notified_on": today}),
        "can_record_entrustment": is_requester and not node.is_entrusted and not node.contract.is_closed,
        "entrusted_form": EntrustedForm(formdata=None, data={"version": node.version}),
    }
    context.update(forms)
    return render_template("subcontracts/detail.html", **context), status

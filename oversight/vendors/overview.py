"""What the vendor pages show beside the register data: the oversight lights and the evaluations."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select

from oversight.audits import pages as audit_pages
from oversight.audits import schedule as audit_schedule
from oversight.auth.roles import ADMIN, PROCUREMENT
from oversight.contracts import lights as contract_lights
from oversight.contracts import services as contract_services
from oversight.core.timeutil import local_today
from oversight.disposals import lights as termination_lights
from oversight.evaluations import lights
from oversight.evaluations import services as evaluation_services
from oversight.incidents import status as incident_status
from oversight.subcontracts import pages as subcontract_pages
from oversight.subcontracts import queries as subcontract_queries
from oversight.vendors import services
from oversight.vendors.models import LOCATION_LABELS, SITE_LABELS, Vendor

LIGHT_STATES = (lights.GREEN, lights.AMBER, lights.RED)
GRASP_STATES = (*LIGHT_STATES, audit_schedule.GREY)


def list_query(filters: dict[str, Any], *, sort: str) -> Select:
    """The register list's query for the filter form's data (the 選定 light filter in SQL)."""
    owner = filters.get("owner") or ""
    selection = filters.get("selection") or ""
    extra = (lights.light_condition(selection, local_today()),) if selection in LIGHT_STATES else ()
    grasp = filters.get("grasp") or ""
    if grasp in GRASP_STATES:
        extra = (*extra, audit_schedule.light_condition(grasp, local_today()))
    for key, module in (("contract", contract_lights), ("termination", termination_lights)):
        state = filters.get(key) or ""
        if state in LIGHT_STATES:
            extra = (*extra, module.light_condition(state, local_today()))
    subcontract = filters.get("subcontract") or ""
    if subcontract in GRASP_STATES:
        extra = (*extra, subcontract_queries.light_condition(subcontract, local_today()))
    return services.vendor_query(
        q=filters.get("q") or "",
        status=filters.get("status") or "",
        risk_tier=filters.get("risk_tier") or "",
        owner_id=int(owner) if owner.isdigit() else None,
        sort=sort,
        extra_conditions=extra,
    )


def selection_lights(vendor_ids: list[int]) -> dict[int, lights.Light]:
    """The 選定 light of each listed vendor, in one query."""
    return lights.lights_for(vendor_ids, local_today())


def grasp_lights(vendor_ids: list[int]) -> dict[int, lights.Light]:
    """The 把握 (audit) light of each listed vendor, in a constant number of queries."""
    return audit_schedule.lights_for(vendor_ids, local_today())


def contract_and_termination_lights(vendor_ids: list[int]) -> dict[str, dict[int, lights.Light]]:
    """The 契約 and 終了 lights of each listed vendor, one query each."""
    today = local_today()
    return {
        "contract_lights": contract_lights.lights_for(vendor_ids, today),
        "termination_lights": termination_lights.lights_for(vendor_ids, today),
    }


def incident_badges(vendor_ids: list[int]) -> dict[int, lights.Light]:
    """A red badge for each listed vendor with open incidents, in one query."""
    return incident_status.vendor_badges(vendor_ids)


def subcontract_lights(vendor_ids: list[int]) -> dict[int, lights.Light]:
    """The 再委託 light of each listed vendor, in two queries."""
    return subcontract_queries.lights_for(vendor_ids, local_today())


def detail_extras(vendor: Vendor, *, user: Any) -> dict[str, Any]:
    """Values the detail page shows besides the vendor itself."""
    today = local_today()
    evaluations = evaluation_services.evaluations_of(vendor)
    return {
        "selection_light": lights.lights_for([vendor.id], today)[vendor.id],
        "evaluations": evaluations,
        "evaluation_progress": evaluation_services.progress_by_evaluation(evaluations),
        "can_start_evaluation": user.has_role(PROCUREMENT, ADMIN)
        and evaluation_services.can_start(vendor)
        and not any(evaluation.is_open for evaluation in evaluations),
        "location_labels": LOCATION_LABELS,
        "site_labels": SITE_LABELS,
        "expired_certifications": {c.id for c in vendor.certifications if c.is_expired_on(today)},
        **audit_pages.vendor_section(vendor, user=user, today=today),
        "incident_light": incident_status.vendor_badges([vendor.id]).get(vendor.id),
        "contract_light": contract_lights.lights_for([vendor.id], today)[vendor.id],
        "termination_light": termination_lights.lights_for([vendor.id], today)[vendor.id],
        "contracts": contract_services.contracts_of(vendor),
        "can_draft_contract": user.has_role(PROCUREMENT, ADMIN),
        **subcontract_pages.vendor_section(vendor),
    }

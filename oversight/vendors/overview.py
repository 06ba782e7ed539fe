"""What the vendor pages show beside the register data: the oversight lights and the evaluations."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select

from oversight.audits import pages as audit_pages
from oversight.audits import schedule as audit_schedule
from oversight.audits import settings as audit_settings
from oversight.auth.roles import ADMIN, PROCUREMENT
from oversight.contracts import lights as contract_lights
from oversight.contracts import services as contract_services
from oversight.core.i18n import translator
from oversight.core.timeutil import local_today
from oversight.disposals import lights as termination_lights
from oversight.evaluations import lights
from oversight.evaluations import services as evaluation_services
from oversight.evaluations.lights import Light
from oversight.extensions import db
from oversight.incidents import status as incident_status
from oversight.subcontracts import pages as subcontract_pages
from oversight.subcontracts import queries as subcontract_queries
from oversight.vendors import services
from oversight.vendors.models import LOCATION_LABELS, SITE_LABELS, Vendor

LIGHT_STATES = (lights.GREEN, lights.AMBER, lights.RED)
FACT_LIGHTS = ("lights", "contract_lights", "grasp_lights", "termination_lights", "incident_badges")
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


def list_lights(vendor_ids: list[int]) -> dict[str, dict[int, Light]]:
    """Every oversight light of each listed vendor, in two queries whatever their number (plus the
    audit settings): :func:`duty_lights`, and ``subcontract_lights`` from the chains."""
    return {**duty_lights(vendor_ids), "subcontract_lights": subcontract_queries.lights_for(vendor_ids, local_today())}


def duty_lights(vendor_ids: list[int]) -> dict[str, dict[int, Light]]:
    """The 選定, 契約, 把握 and 終了 lights and the incident badges of each vendor, in one statement.

    Each duty contributes correlated subqueries for its facts and keeps its rule in its module.
    Keys: ``lights`` (選定), ``contract_lights``, ``grasp_lights``, ``termination_lights`` and
    ``incident_badges`` (only vendors with open incidents).
    """
    found: dict[str, dict[int, Light]] = {key: {} for key in FACT_LIGHTS}
    if not vendor_ids:
        return found
    today = local_today()
    config = audit_settings.current()
    query = db.select(
        Vendor.id,
        Vendor.status,
        Vendor.risk_tier,
        *lights.facts_columns(Vendor.id),
        *contract_lights.facts_columns(Vendor.id, today),
        *audit_schedule.facts_columns(Vendor.id, today),
        *termination_lights.facts_columns(Vendor.id, today),
        *incident_status.facts_columns(Vendor.id),
    ).where(Vendor.id.in_(vendor_ids))
    _ = translator()
    for row in db.session.execute(query):
        found["lights"][row.id] = lights.light_from_row(row, today, _=_)
        found["contract_lights"][row.id] = contract_lights.light_from_row(row, today, _=_)
        found["grasp_lights"][row.id] = audit_schedule.light_from_row(row, today, config, _=_)
        found["termination_lights"][row.id] = termination_lights.light_from_row(row, today, _=_)
        badge = incident_status.incident_badge(row.incident_open_count, _=_)
        if badge is not None:
            found["incident_badges"][row.id] = badge
    return found


def detail_extras(vendor: Vendor, *, user: Any) -> dict[str, Any]:
    """Values the detail page shows besides the vendor itself."""
    today = local_today()
    evaluations = evaluation_services.evaluations_of(vendor)
    duty = {key: found.get(vendor.id) for key, found in duty_lights([vendor.id]).items()}
    return {
        "selection_light": duty["lights"],
        "evaluations": evaluations,
        "evaluation_progress": evaluation_services.progress_by_evaluation(evaluations),
        "can_start_evaluation": user.has_role(PROCUREMENT, ADMIN)
        and evaluation_services.can_start(vendor)
        and not any(evaluation.is_open for evaluation in evaluations),
        "location_labels": LOCATION_LABELS,
        "site_labels": SITE_LABELS,
        "expired_certifications": {c.id for c in vendor.certifications if c.is_expired_on(today)},
        **audit_pages.vendor_section(vendor, user=user, today=today, grasp_light=duty["grasp_lights"]),
        "incident_light": duty["incident_badges"],
        "contract_light": duty["contract_lights"],
        "termination_light": duty["termination_lights"],
        "contracts": contract_services.contracts_of(vendor),
        "can_draft_contract": user.has_role(PROCUREMENT, ADMIN),
        **subcontract_pages.vendor_section(vendor),
    }

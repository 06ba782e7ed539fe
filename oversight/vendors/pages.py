"""What the vendor pages show beside the register data: the oversight lights and the duties' sections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from oversight.audits import pages as audit_pages
from oversight.auth.roles import ADMIN, PROCUREMENT
from oversight.contracts import services as contract_services
from oversight.core.pagination import paginate
from oversight.core.timeutil import local_today
from oversight.evaluations import services as evaluation_services
from oversight.status import lights as status_lights
from oversight.status import register
from oversight.subcontracts import pages as subcontract_pages
from oversight.vendors.models import LOCATION_LABELS, SITE_LABELS, Vendor


@dataclass(frozen=True)
class ListRow:
    """One row of the register list: the vendor and its lights."""

    vendor: Vendor
    lights: status_lights.VendorLights


def list_page(filters: dict[str, Any], *, sort: str, today: date | None = None) -> dict[str, Any]:
    """One page of the register for the filter form's data, each vendor with its lights (one statement)."""
    today = today or local_today()
    pagination = paginate(register.list_query(filters, sort=sort, today=today))
    found = status_lights.vendor_lights([vendor.id for vendor in pagination.items], today)
    return {"pagination": pagination, "rows": [ListRow(vendor, found[vendor.id]) for vendor in pagination.items]}


def detail_extras(vendor: Vendor, *, user: Any) -> dict[str, Any]:
    """Values the detail page shows besides the vendor itself."""
    today = local_today()
    evaluations = evaluation_services.evaluations_of(vendor)
    found = status_lights.vendor_lights([vendor.id], today)[vendor.id]
    return {
        "lights": found,
        "evaluations": evaluations,
        "evaluation_progress": evaluation_services.progress_by_evaluation(evaluations),
        "can_start_evaluation": user.has_role(PROCUREMENT, ADMIN)
        and evaluation_services.can_start(vendor)
        and not any(evaluation.is_open for evaluation in evaluations),
        "location_labels": LOCATION_LABELS,
        "site_labels": SITE_LABELS,
        "expired_certifications": {c.id for c in vendor.certifications if c.is_expired_on(today)},
        **audit_pages.vendor_section(vendor, user=user, today=today),
        "contracts": contract_services.contracts_of(vendor),
        "can_draft_contract": user.has_role(PROCUREMENT, ADMIN),
        **subcontract_pages.vendor_section(vendor),
    }

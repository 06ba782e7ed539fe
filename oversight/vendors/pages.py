"""What the vendor pages show beside the register data: the oversight lights and the duties' sections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import joinedload, load_only, raiseload

from oversight.audits import pages as audit_pages
from oversight.auth.models import User
from oversight.contracts import permissions as contract_permissions
from oversight.contracts import services as contract_services
from oversight.core.i18n import labels
from oversight.core.pagination import paginate
from oversight.core.sorting import Sort
from oversight.core.timeutil import local_today, to_local
from oversight.corporate_numbers import services as corporate_data
from oversight.evaluations import permissions as evaluation_permissions
from oversight.evaluations import services as evaluation_services
from oversight.portal import permissions as portal_permissions
from oversight.status import lights as status_lights
from oversight.status import register
from oversight.subcontracts import pages as subcontract_pages
from oversight.units import services as unit_services
from oversight.vendors.models import LOCATION_LABELS, RISK_LABELS, SITE_LABELS, STATUS_LABELS, Vendor
from oversight.web.templating import url_prefix


@dataclass(frozen=True)
class ListRow:
    """One row of the register list, every value ready to show (the template calls nothing per row)."""

    vendor: Vendor
    url: str
    status: str
    risk: str
    owner: str
    updated_on: str
    lights: status_lights.VendorLights


def _row(vendor: Vendor, lights: status_lights.VendorLights, status_labels, risk_labels, detail: str) -> ListRow:
    return ListRow(
        vendor,
        detail + str(vendor.id),
        status_labels.get(vendor.status, vendor.status),
        risk_labels.get(vendor.risk_tier, vendor.risk_tier),
        vendor.owner.name if vendor.owner else "—",
        to_local(vendor.updated_at).date().isoformat() if vendor.updated_at else "",
        lights,
    )


# The register list reads only what its table shows: these columns of the vendor and its owner's name (not
# the manager); an attribute the page does not read raises rather than loading behind the template's back.
LIST_LOADING = (
    load_only(
        Vendor.name, Vendor.name_kana, Vendor.corporate_number, Vendor.status, Vendor.risk_tier, Vendor.owner_id,
        Vendor.updated_at, Vendor.version, raiseload=True,
    ),
    joinedload(Vendor.owner).load_only(User.name, raiseload=True).raiseload("*"),
    raiseload("*"),
)


def list_page(filters: dict[str, Any], *, sort: Sort, today: date | None = None) -> dict[str, Any]:
    """One page of the register for the filter form's data, each vendor with its lights (one statement)."""
    today = today or local_today()
    query = register.list_query(filters, sort=sort, today=today, loading=LIST_LOADING)
    pagination = paginate(query)
    found = status_lights.vendor_lights([vendor.id for vendor in pagination.items], today)
    status_labels, risk_labels = labels(STATUS_LABELS), labels(RISK_LABELS)
    detail = url_prefix("vendors.detail", "vendor_id")  # one route build, not one per row
    rows = [_row(vendor, found[vendor.id], status_labels, risk_labels, detail) for vendor in pagination.items]
    return {"pagination": pagination, "rows": rows}


def detail_extras(
    vendor: Vendor, *, user: Any, corporate_record: Any = None, units: str | None = None
) -> dict[str, Any]:
    """Values the detail page shows besides the vendor itself (``units``: ``units.services.vendor_units_column``,
    read with the vendor)."""
    today = local_today()
    evaluations = evaluation_services.evaluations_of(vendor)
    found = status_lights.vendor_lights([vendor.id], today)[vendor.id]
    unit_names, in_other_units = unit_services.vendor_units_for_reader(units)
    return {
        "vendor_units": unit_names,
        "vendor_in_other_units": in_other_units,
        "lights": found,
        "evaluations": evaluations,
        "evaluation_progress": evaluation_services.progress_by_evaluation(evaluations),
        "can_start_evaluation": user.has_role(*evaluation_permissions.EDITORS)
        and evaluation_services.can_start(vendor)
        and not any(evaluation.is_open for evaluation in evaluations),
        "location_labels": LOCATION_LABELS,
        "site_labels": SITE_LABELS,
        "expired_certifications": {c.id for c in vendor.certifications if c.is_expired_on(today)},
        **audit_pages.vendor_section(vendor, user=user, today=today),
        "contracts": contract_services.contracts_of(vendor),
        "can_draft_contract": user.has_role(*contract_permissions.EDITORS),
        **subcontract_pages.vendor_section(vendor),
        "can_send_request": portal_permissions.can_send(user) and not vendor.is_archived,
        "corporate_findings": corporate_data.findings(vendor.name, corporate_record),
    }

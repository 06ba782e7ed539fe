"""What the vendor pages show beside the register data: the oversight lights and the evaluations."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select

from oversight.core.timeutil import local_today
from oversight.vendors import services
from oversight.vendors.models import LOCATION_LABELS, SITE_LABELS, Vendor


def list_query(filters: dict[str, Any], *, sort: str) -> Select:
    """The register list's query for the filter form's data."""
    owner = filters.get("owner") or ""
    return services.vendor_query(
        q=filters.get("q") or "",
        status=filters.get("status") or "",
        risk_tier=filters.get("risk_tier") or "",
        owner_id=int(owner) if owner.isdigit() else None,
        sort=sort,
    )


def selection_lights(vendor_ids: list[int]) -> dict[int, Any]:
    """The 選定 light of each listed vendor."""
    return {}


def detail_extras(vendor: Vendor, *, user: Any) -> dict[str, Any]:
    """Values the detail page shows besides the vendor itself."""
    today = local_today()
    return {
        "selection_light": None,
        "location_labels": LOCATION_LABELS,
        "site_labels": SITE_LABELS,
        "expired_certifications": {c.id for c in vendor.certifications if c.is_expired_on(today)},
    }

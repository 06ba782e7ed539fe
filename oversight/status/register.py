"""The vendor register filtered by its lights: the list page's, the exports' and the register PDF's query."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select

from oversight.core.lights import COLOURS
from oversight.core.sorting import Sort
from oversight.status import store
from oversight.vendors import services

# The list filter's parameter for each light (kept as published in links and bookmarks).
FILTERS = {
    "selection": "selection",
    "contract": "contract",
    "grasp": "monitoring",
    "subcontract": "subcontract",
    "termination": "disposal",
}


def list_query(
    filters: dict[str, Any], *, sort: Sort | str | None, today: date, loading: tuple | None = None
) -> Select:
    """The register list's query for the filter form's data, the light filters in SQL (``loading``: the
    loader options, see ``vendors.services.vendor_query``)."""
    owner = filters.get("owner") or ""
    wanted = [(key, filters[parameter]) for parameter, key in FILTERS.items() if filters.get(parameter) in COLOURS]
    if wanted:
        store.ensure_current(today)
    conditions = store.conditions(wanted, today)
    return services.vendor_query(
        q=filters.get("q") or "",
        status=filters.get("status") or "",
        risk_tier=filters.get("risk_tier") or "",
        owner_id=int(owner) if owner.isdigit() else None,
        sort=sort,
        extra_conditions=conditions,
        loading=loading,
    )

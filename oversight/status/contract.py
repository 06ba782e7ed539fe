"""The 契約 light as the register shows it: a vendor's own contracts, or, for a subcontractor-only vendor,
its consents.

A vendor that has no contract of its own that has not ended, but is a subcontractor in the chain of such a
contract, handles the data under the principal's consent to the subcontracting, not under a direct contract:
its 契約 light is the subcontractor consent rule (``subcontracts.lights.subcontractor_state``) instead of a
red "no contract in force". Every other vendor keeps the contract rule (``contracts.lights.state``).

This module only composes the two features' rules (contracts cannot read subcontracts: layers); it has the
:class:`~oversight.core.lights.LightRule` shape, so ``status.lights`` uses it for every page, filter, count,
export and PDF.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, not_

from oversight.contracts import lights as contract
from oversight.core.i18n import Translate
from oversight.core.lights import Light
from oversight.extensions import db
from oversight.subcontracts import lights as subcontract
from oversight.vendors.models import VENDORS

KEY = contract.KEY
COLOURS = {**contract.COLOURS, **subcontract.SUBCONTRACTOR_COLOURS}


def facts(vendors: Select, today: date) -> Select:
    """``vendor_id``, the contract rule's facts and the subcontractor rule's, for the vendors of ``vendors``."""
    return db.select(
        VENDORS.c.id.label("vendor_id"),
        *contract.facts_columns(VENDORS.c.id, today),
        *subcontract.subcontractor_columns(VENDORS.c.id, today),
    ).where(VENDORS.c.id.in_(vendors))


def is_subcontractor_only(facts: Mapping[str, Any]) -> ColumnElement[bool]:
    """No contract of its own that has not ended, and a subcontractor in an open chain."""
    return and_(not_(facts["contract_has_open"]), subcontract.is_subcontractor_of(facts))


def state(facts: Mapping[str, Any], today: date) -> ColumnElement[str]:
    """The rule: the subcontractor consent rule for a subcontractor-only vendor, else the contract rule."""
    return case(
        (is_subcontractor_only(facts), subcontract.subcontractor_state(facts, today)),
        else_=contract.state(facts, today),
    )


def light(code: str, row: Any, today: date, *, _: Translate) -> Light:
    """The light of state ``code``, worded by the feature whose rule gave it."""
    if code in subcontract.SUBCONTRACTOR_COLOURS:
        return subcontract.subcontractor_light(code, row, today, _=_)
    return contract.light(code, row, today, _=_)


def columns(facts: Mapping[str, Any], today: date) -> dict[str, ColumnElement]:
    """The state code (``code``) from ``facts``, for a query that selects the light."""
    return {"code": state(facts, today)}

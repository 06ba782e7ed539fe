"""A vendor's five lights (選定, 契約, 把握, 再委託, 返却・廃棄) and its incident badge.

Each duty feature owns its rule (its ``lights`` module: facts read by SQL and a ``CASE`` over them
giving a state code); this module only composes them (the 契約 light through ``status.contract``: a
subcontractor-only vendor is judged on its consents). One statement reads every light of a page of
vendors (:func:`vendor_lights`). The same rules judge every vendor into the stored states of
:mod:`oversight.status.store`, which the list filters, the dashboard's counts and the register PDF
read (one rule: the stored codes are its results).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import CTE, ColumnElement, Select, bindparam

from oversight.audits import lights as monitoring
from oversight.audits import settings as audit_settings
from oversight.core.i18n import translator
from oversight.core.lights import SEVERITY, Light, LightRule
from oversight.disposals import lights as disposal
from oversight.evaluations import lights as selection
from oversight.extensions import db
from oversight.incidents import status as incident_status
from oversight.status import contract
from oversight.subcontracts import lights as subcontract
from oversight.units import scope as unit_scope
from oversight.units import services as unit_services
from oversight.vendors.models import VENDORS, Vendor

# The duties in their legal order, by the name the pages and the list filters use.
RULES: dict[str, LightRule] = {
    "selection": selection,
    "contract": contract,
    "monitoring": monitoring,
    "subcontract": subcontract,
    "disposal": disposal,
}
KEYS = tuple(RULES)
# The lights that read contract-bound records (a contract's unit decides who sees them): a reader bound to
# units reads them over their units' records (``status.store`` keeps them per (vendor, unit) too).
UNIT_BOUND = ("contract", "subcontract", "disposal")


@dataclass(frozen=True)
class VendorLights:
    """The five duty lights of one vendor, and its incident badge (None without open incidents)."""

    selection: Light
    contract: Light
    monitoring: Light
    subcontract: Light
    disposal: Light
    incident: Light | None = None

    def __iter__(self) -> Iterator[Light]:
        """The five duty lights in their legal order."""
        return iter((self.selection, self.contract, self.monitoring, self.subcontract, self.disposal))


def vendor_set(*conditions: ColumnElement[bool]) -> Select:
    """The set of vendors a statement is about (``conditions`` on :data:`VENDORS`), never correlated with an
    enclosing query on vendors."""
    return db.select(VENDORS.c.id).where(*conditions).correlate(None)


def facts_cte(
    vendors: Select,
    today: date,
    keys: tuple[str, ...],
    *,
    incidents: bool = False,
    which: ColumnElement[bool] | None = None,
) -> CTE:
    """Each vendor of ``vendors`` with the facts of the ``keys`` rules, computed once (a materialised CTE).

    ``which``: the same vendors as a condition on :class:`Vendor` (e.g. ``id IN (:ids)``), when there is
    one: PostgreSQL then reads those vendors by their key, where ``id IN (SELECT …)`` made it walk every
    vendor and merge-join each rule's facts along the way.

    The vendors are read here as :class:`Vendor`, once: the reader's scope binds them (a vendor it does not
    see has no row). The rules' facts name them by the table (``vendors.models.VENDORS``), so that the
    scope's conditions, which reach every subquery, bind only the records the rules read about them
    (contracts, nodes, items); as entities, each of the facts' subqueries carried the scope's vendor condition
    again (seventeen copies in the five lights' statement, each a union SQLite computed: most of a unit
    member's vendor list; four are left, this one and the vendor-bound evaluations' and triggers')."""
    query = db.select(Vendor.id).where(Vendor.id.in_(vendors) if which is None else which)
    columns = list(incident_status.facts_columns(Vendor.id)) if incidents else []
    for key in keys:
        found = RULES[key].facts(vendors, today).subquery(f"{key}_facts")
        query = query.outerjoin(found, found.c.vendor_id == Vendor.id)
        columns += [column for column in found.c if column.name != "vendor_id"]
    return query.add_columns(*columns).cte("facts").prefix_with("MATERIALIZED")


def lights_query(vendor_ids: list[int], today: date, keys: tuple[str, ...] = KEYS) -> Select:
    """One statement: each vendor's facts, each duty's state code (``<key>_code``) and what its words read."""
    return _statement(keys, today, settings_key()).params(vendor_ids=list(vendor_ids))


def _execute_lights(vendor_ids: list[int], today: date, keys: tuple[str, ...]):
    # The statement object is reused (and its cache key with it): building and hashing this tree of
    # subqueries cost a list page more than running it.
    return db.session.execute(_statement(keys, today, settings_key()), {"vendor_ids": list(vendor_ids)})


def settings_key() -> str:
    """The settings that shape the rules' SQL (the audit intervals and warning days), as a cache key."""
    return repr(audit_settings.current())


@lru_cache(maxsize=32)
def _statement(keys: tuple[str, ...], today: date, _settings: str) -> Select:
    """The lights statement for ``keys`` on ``today`` under the current settings (``_settings`` keys the
    cache), the vendors' ids bound as ``vendor_ids``."""
    ids = bindparam("vendor_ids", expanding=True)
    facts = facts_cte(vendor_set(VENDORS.c.id.in_(ids)), today, keys, incidents=keys == KEYS, which=Vendor.id.in_(ids))
    columns = []
    for key in keys:
        for name, column in RULES[key].columns(facts.c, today).items():
            columns.append(column.label(f"{key}_code" if name == "code" else name))
    return db.select(facts, *columns)


def vendor_lights(vendor_ids: list[int], today: date) -> dict[int, VendorLights]:
    """The lights of each vendor in ``vendor_ids``, in one statement whatever their number (judged under the
    reader's scope; for a reader holding roles in several units apart, one more per such unit: below)."""
    if not vendor_ids:
        return {}
    _ = translator()
    found = {}
    worst = _worst_of_roots(vendor_ids, today)
    for row in _execute_lights(vendor_ids, today, KEYS):
        duty = {key: rule.light(getattr(row, f"{key}_code"), row, today, _=_) for key, rule in RULES.items()}
        for key, (code, judged) in worst.get(row.id, {}).items():
            duty[key] = RULES[key].light(code, judged, today, _=_)
        found[row.id] = VendorLights(**duty, incident=incident_status.incident_badge(row.incident_open_count, _=_))
    return found


def _worst_of_roots(vendor_ids: list[int], today: date) -> dict[int, dict[str, tuple[str, Any]]]:
    """For a reader whose roles are held in several units none of which is below another (root units), each
    contract-bound light (:data:`UNIT_BOUND`) as the worst of its judgements under each root unit's scope,
    with the row it was judged in: what the stored per-unit rows give their filters and counts
    (``status.store``). Nothing for any other reader: their scope's judgement is already that."""
    roots = unit_services.reader_roots()
    if roots is None or len(roots) < 2:
        return {}
    worst: dict[int, dict[str, tuple[str, Any]]] = {}
    for root in roots:
        with unit_scope.activate(unit_scope.Scope(unit_services.with_descendants({root}), f"unit {root}")):
            rows = _execute_lights(vendor_ids, today, UNIT_BOUND).all()
        for row in rows:
            kept = worst.setdefault(row.id, {})
            for key in UNIT_BOUND:
                code = getattr(row, f"{key}_code")
                colours = RULES[key].COLOURS
                if key not in kept or SEVERITY[colours[code]] > SEVERITY[colours[kept[key][0]]]:
                    kept[key] = (code, row)
    return worst


def duty_lights(key: str, vendor_ids: list[int], today: date) -> dict[int, Light]:
    """One duty's light of each vendor in ``vendor_ids`` (e.g. the audit page's 把握 light), in one statement."""
    if not vendor_ids:
        return {}
    _ = translator()
    rule = RULES[key]
    rows = _execute_lights(vendor_ids, today, (key,))
    return {row.id: rule.light(getattr(row, f"{key}_code"), row, today, _=_) for row in rows}

"""The role step of a decision's rule (``oversight.core.predicates``) held per business unit (docs/units.md).

:class:`HoldsRole` replaces ``core.predicates.HasRole`` where a record belongs to a unit: the user holds one
of the roles for the whole group, or in the record's unit or a unit above it (``units.services.holds``). Its
SQL form selects the records of the units where the user holds the role: the record's own ``unit_id``
column, or, for a record whose unit is its contract's (a consent, a return/deletion item), the condition
``in_units(table, unit_ids)`` the feature writes. Every waiting list selects the unit of its rows
(``unit_id``), so the work list and the approval-wait reminders judge a row as the record's page does.

:class:`HoldsRoleForVendor` is the same step for a record that belongs to a vendor (a selection evaluation):
a vendor can be in several units, and a role held in any of them (or group-wide) counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import false, select, true

from oversight.core.predicates import Condition
from oversight.units.models import vendor_units
from oversight.units.services import holds, holds_for_vendor, unit_ids_for_action


@dataclass(frozen=True)
class HoldsRole(Condition):
    """The user holds one of ``roles`` for record ``record`` (or for ``unit_of(record)``, the record whose unit
    counts, e.g. a return/deletion item's contract). ``in_units(table, unit_ids)`` is the SQL condition
    selecting the rows of ``table`` in those units, for a record that has no ``unit_id`` column."""

    roles: tuple[str, ...]
    record: int = 0
    unit_of: Callable[[Any], Any] | None = None
    in_units: Callable[[Any, list[int]], Any] | None = None

    def check(self, user, records) -> bool:
        target = records[self.record] if self.record < len(records) else None
        links = getattr(user, "role_links", None)
        if target is None or (links is not None and all(link.unit_id is None for link in links)):
            return bool(user.has_role(*self.roles))  # a group-wide user: the record's unit is not needed
        if self.unit_of is not None and not hasattr(target, "unit_id"):
            target = self.unit_of(target)
        return holds(user, target, *self.roles)

    def clause(self, user, tables):
        allowed = unit_ids_for_action(user, *self.roles)
        if allowed is None:  # a role held for the whole group
            return true()
        if not allowed:
            return false()
        table = tables[self.record]
        column = getattr(table, "unit_id", None)
        if column is not None:
            return column.in_(allowed)
        if self.in_units is not None:
            return self.in_units(table, allowed)
        raise LookupError("HoldsRole needs a unit_id column or in_units for its SQL form")


@dataclass(frozen=True)
class HoldsRoleForVendor(Condition):
    """The user holds one of ``roles`` for the group, or in one of the units of record ``record``'s vendor
    (``units.services.holds_for_vendor``; a waiting list's row carries them as ``vendor_unit_ids``)."""

    roles: tuple[str, ...]
    record: int = 0

    def check(self, user, records) -> bool:
        target = records[self.record] if self.record < len(records) else None
        if target is None:
            return bool(user.has_role(*self.roles))
        return holds_for_vendor(user, target, *self.roles)

    def clause(self, user, tables):
        allowed = unit_ids_for_action(user, *self.roles)
        if allowed is None:
            return true()
        if not allowed:
            return false()
        members = select(vendor_units.c.vendor_id).where(vendor_units.c.unit_id.in_(allowed)).correlate(None)
        return tables[self.record].vendor_id.in_(members)

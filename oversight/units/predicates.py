"""The role step of a decision's rule (``oversight.core.predicates``) held per business unit (docs/units.md).

:class:`HoldsRole` replaces ``core.predicates.HasRole`` where a record belongs to a unit: the user holds one
of the roles for the whole group, or in the record's unit or a unit above it (``units.services.holds``). Its
SQL form selects the records of the units where the user holds the role; a queue whose rows carry no unit
(a list already limited to the user's units by the read scope) is judged on the user's roles anywhere, as
``holds`` judges such a row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import false, true

from oversight.core.predicates import Condition
from oversight.units.services import holds, unit_ids_for_action


@dataclass(frozen=True)
class HoldsRole(Condition):
    """The user holds one of ``roles`` for record ``record`` (or for ``unit_of(record)``, the record whose unit
    counts, e.g. a return/deletion item's contract)."""

    roles: tuple[str, ...]
    record: int = 0
    unit_of: Callable[[Any], Any] | None = None

    def check(self, user, records) -> bool:
        target = records[self.record] if self.record < len(records) else None
        if target is None:
            return bool(user.has_role(*self.roles))
        return holds(user, self.unit_of(target) if self.unit_of else target, *self.roles)

    def clause(self, user, tables):
        allowed = unit_ids_for_action(user, *self.roles)
        if allowed is None:  # a role held for the whole group
            return true()
        if not allowed:
            return false()
        column = None if self.unit_of is not None else getattr(tables[self.record], "unit_id", None)
        return true() if column is None else column.in_(allowed)

"""Who may download the evidence files of a record type (``Feature.evidence_owners`` in ``oversight/features.py``).

An owner type is the record type's name in the activity log (``activity.services.type_name``: ``contract``,
``audit_item``…), so the model behind it is found among the mapped classes by that name: the feature list
names the types it serves and imports no model.
"""

from __future__ import annotations

from functools import cache

from oversight.activity.services import type_name
from oversight.core.registry import OwnerCheck
from oversight.extensions import db
from oversight.units import scope as unit_scope


@cache
def model_of(owner_type: str) -> type:
    """The one model whose records the activity log (and the evidence files) call ``owner_type``.

    :raises LookupError: none or several.
    """
    found = [mapper.class_ for mapper in db.Model.registry.mappers if type_name(mapper.class_) == owner_type]
    if len(found) != 1:
        raise LookupError(f"{len(found)} models are named {owner_type!r} in the activity log")
    return found[0]


def _in_sight(owner_type: str) -> OwnerCheck:
    """Whoever sees the owning record (it is in their business units, docs/units.md: the read scope applies to
    this query) may download its files."""

    def check(user, owner_id: int) -> bool:
        if unit_scope.current().is_group_wide:
            return True  # every record is in sight: no query
        model = model_of(owner_type)
        return db.session.scalar(db.select(model.id).where(model.id == owner_id)) is not None

    return check


def readable_by_everyone(*owner_types: str) -> dict[str, OwnerCheck]:
    """Owner checks for record types every role may read."""
    return {owner_type: _in_sight(owner_type) for owner_type in owner_types}

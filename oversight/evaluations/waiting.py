"""Evaluations waiting for a manager's decision (what is waiting for whom, see ``oversight.core.waiting``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, String, cast, func, literal, select
from sqlalchemy.orm import Session

from oversight.auth.roles import MANAGER
from oversight.core.waiting import Waiting, ordered
from oversight.evaluations import permissions
from oversight.evaluations.models import SUBMITTED, Evaluation
from oversight.units.models import vendor_units
from oversight.vendors.models import Vendor

ROLES = frozenset({MANAGER})
KIND = "evaluation_approval"


def query(user: Any = None) -> Select:
    """The submitted evaluations (those ``user`` may decide, when given), oldest submission first, each
    with its ``kind``, the moment it has waited ``since`` and the vendor's units (``vendor_unit_ids``,
    comma-separated: whose managers decide)."""
    units = (
        select(func.aggregate_strings(cast(vendor_units.c.unit_id, String), ","))
        .where(vendor_units.c.vendor_id == Evaluation.vendor_id)
        .scalar_subquery()
    )
    found = (
        select(
            Evaluation.id,
            Evaluation.status,
            Evaluation.submitted_by_id,
            Evaluation.submitted_at,
            Evaluation.vendor_id,
            units.label("vendor_unit_ids"),
            Vendor.name,
            literal(KIND).label("kind"),
            Evaluation.submitted_at.label("since"),
        )
        .join(Vendor, Vendor.id == Evaluation.vendor_id)
        .where(Evaluation.status == SUBMITTED, Evaluation.submitted_at.is_not(None))
    )
    if user is not None:
        found = found.where(permissions.DECIDE.clause(user, Evaluation))
    return ordered(found, Evaluation.submitted_at, Evaluation.id)


def waiting(session: Session) -> Iterator[Waiting]:
    """Each submitted evaluation, since its submission, for a manager who did not submit it (one query)."""
    return items(session.execute(query()))


def items(rows: Iterable) -> Iterator[Waiting]:
    """The waiting items of ``rows`` of :func:`query`."""
    title = str(_l("Selection evaluation"))
    for row in rows:
        yield Waiting(
            kind=row.kind,
            object_type="evaluation",
            object_id=row.id,
            title=title,
            vendor_name=row.name,
            since=row.since,
            role=MANAGER,
            url_path=f"/evaluations/{row.id}",
            may_act=partial(_may_decide, row),
        )


def _may_decide(row, user) -> bool:
    return permissions.can_decide(user, row)

"""Return/deletion certificates waiting for a manager's confirmation (see ``oversight.core.waiting``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial
from typing import Any

from sqlalchemy import Select, literal, select
from sqlalchemy.orm import Session

from oversight.auth.roles import MANAGER
from oversight.contracts.models import Contract
from oversight.core.waiting import Waiting, ordered
from oversight.disposals import permissions
from oversight.disposals.models import DisposalItem
from oversight.vendors.models import Vendor

ROLES = frozenset({MANAGER})
KIND = "deletion_confirmation"


def query(user: Any = None) -> Select:
    """The recorded, unconfirmed certificates (those ``user`` may confirm, when given), oldest first,
    each with its ``kind`` and the moment it has waited ``since``."""
    found = (
        select(
            DisposalItem.id,
            DisposalItem.recorded_at,
            DisposalItem.recorded_by_id,
            DisposalItem.confirmed_at,
            Contract.number,
            Contract.title,
            Contract.unit_id,  # the contract's unit: whose managers confirm
            Vendor.name,  # whose data was returned or deleted
            literal(KIND).label("kind"),
            DisposalItem.recorded_at.label("since"),
        )
        .join(Contract, Contract.id == DisposalItem.contract_id)
        .join(Vendor, Vendor.id == DisposalItem.vendor_id)
        .where(DisposalItem.confirmed_at.is_(None), DisposalItem.recorded_at.is_not(None))
    )
    if user is not None:
        found = found.where(permissions.CONFIRM.clause(user, DisposalItem))
    return ordered(found, DisposalItem.recorded_at, DisposalItem.id)


def waiting(session: Session) -> Iterator[Waiting]:
    """Each recorded, unconfirmed certificate, since it was recorded, for a manager who did not record it."""
    return items(session.execute(query()))


def items(rows: Iterable) -> Iterator[Waiting]:
    """The waiting items of ``rows`` of :func:`query`."""
    for row in rows:
        yield Waiting(
            kind=row.kind,
            object_type="disposal",
            object_id=row.id,
            title=f"{row.number} {row.title}",
            vendor_name=row.name,
            since=row.since,
            role=MANAGER,
            url_path=f"/disposals/{row.id}",
            may_act=partial(_may_confirm, row),
        )


def _may_confirm(row, user) -> bool:
    return permissions.can_confirm(user, row)

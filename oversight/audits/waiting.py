"""Audits waiting for a manager's sign-off (see ``oversight.core.waiting``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, String, cast, func, literal, select
from sqlalchemy.orm import Session

from oversight.audits import permissions
from oversight.audits.models import SUBMITTED, Audit, audit_auditors
from oversight.auth.roles import MANAGER
from oversight.core.waiting import Waiting, ordered
from oversight.vendors.models import Vendor

ROLES = frozenset({MANAGER})


@dataclass(frozen=True)
class _SubmittedAudit:
    """The columns the sign-off predicate reads."""

    id: int
    status: str
    submitted_by_id: int | None
    recorded_by_id: int | None
    submitted_at: datetime
    vendor_name: str
    unit_id: int | None
    auditor_ids: frozenset[int]


KIND = "audit_signoff"


def query(user: Any = None) -> Select:
    """Submitted audits (those ``user`` may sign off, when given), oldest submission first, one row per
    audit with its auditors' ids (``auditor_ids``, comma-separated), its ``kind`` and ``since``."""
    auditors = (
        select(func.aggregate_strings(cast(audit_auditors.c.user_id, String), ","))
        .where(audit_auditors.c.audit_id == Audit.id)
        .scalar_subquery()
    )
    found = (
        select(
            Audit.id,
            Audit.status,
            Audit.submitted_by_id,
            Audit.recorded_by_id,
            Audit.submitted_at,
            Audit.unit_id,  # whose managers sign off
            Vendor.name,
            auditors.label("auditor_ids"),
            literal(KIND).label("kind"),
            Audit.submitted_at.label("since"),
        )
        .join(Vendor, Vendor.id == Audit.vendor_id)
        .where(Audit.status == SUBMITTED, Audit.submitted_at.is_not(None))
    )
    if user is not None:
        found = found.where(permissions.SIGN_OFF.clause(user, Audit))
    return ordered(found, Audit.submitted_at, Audit.id)


def _submitted(rows: Iterable) -> list[_SubmittedAudit]:
    """The audits of ``rows`` of :func:`query`, each with its auditors."""
    return [
        _SubmittedAudit(
            row.id,
            row.status,
            row.submitted_by_id,
            row.recorded_by_id,
            row.since,
            row.name,
            row.unit_id,
            auditor_ids=frozenset(int(text) for text in (row.auditor_ids or "").split(",") if text),
        )
        for row in rows
    ]


def waiting(session: Session) -> Iterator[Waiting]:
    """Each submitted audit, since its submission, for a manager who took no part in it."""
    return items(session.execute(query()))


def items(rows: Iterable) -> Iterator[Waiting]:
    """The waiting items of ``rows`` of :func:`query`."""
    title = str(_l("Audit"))
    for audit in _submitted(rows):
        yield Waiting(
            kind=KIND,
            object_type="audit",
            object_id=audit.id,
            title=title,
            vendor_name=audit.vendor_name,
            since=audit.submitted_at,
            role=MANAGER,
            url_path=f"/audits/{audit.id}",
            may_act=partial(_may_sign_off, audit),
        )


def _may_sign_off(audit: _SubmittedAudit, user) -> bool:
    return permissions.can_sign_off(user, audit)

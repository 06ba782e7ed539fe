"""Audits waiting for a manager's sign-off (see ``oversight.core.waiting``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from oversight.audits import permissions
from oversight.audits.models import SUBMITTED, Audit, audit_auditors
from oversight.auth.roles import MANAGER
from oversight.core.waiting import Waiting
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
    auditor_ids: frozenset[int]


def _submitted(session: Session) -> list[_SubmittedAudit]:
    """Submitted audits with their auditors, in one query (a row per audit and auditor)."""
    rows = session.execute(
        select(
            Audit.id,
            Audit.status,
            Audit.submitted_by_id,
            Audit.recorded_by_id,
            Audit.submitted_at,
            Vendor.name,
            audit_auditors.c.user_id,
        )
        .join(Vendor, Vendor.id == Audit.vendor_id)
        .outerjoin(audit_auditors, audit_auditors.c.audit_id == Audit.id)
        .where(Audit.status == SUBMITTED, Audit.submitted_at.is_not(None))
        .order_by(Audit.submitted_at, Audit.id)
    )
    audits: dict[int, tuple] = {}
    auditors: dict[int, set[int]] = {}
    for *columns, auditor_id in rows:
        audits.setdefault(columns[0], tuple(columns))
        if auditor_id is not None:
            auditors.setdefault(columns[0], set()).add(auditor_id)
    return [
        _SubmittedAudit(*columns, auditor_ids=frozenset(auditors.get(audit_id, ())))
        for audit_id, columns in audits.items()
    ]


def waiting(session: Session) -> Iterator[Waiting]:
    """Each submitted audit, since its submission, for a manager who took no part in it."""
    title = str(_l("Audit"))
    for audit in _submitted(session):
        yield Waiting(
            kind="audit_signoff",
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

"""Who may do what with an audit and its findings: one predicate per decision (docs/permissions.md).

Pages (which buttons show), services (which refuse), the dashboard's work list and the approval
reminders all ask these. They read only columns (an audit's ``status``, ``submitted_by_id``,
``recorded_by_id`` and ``auditor_ids``; a finding's ``status``), so a waiting list may pass a
selected row instead of an ORM object.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from oversight.audits.models import (
    CLOSED,
    EDITABLE,
    PLAN_RECEIVED,
    PLANNED,
    RECORDING,
    SUBMITTED,
    UNRESOLVED,
    VERIFIED,
    audit_auditors,
)
from oversight.auth.roles import AUDITOR, MANAGER
from oversight.core.predicates import Custom, Equals, Predicate, actors, step
from oversight.units.predicates import HoldsRole
from oversight.units.services import holds

RECORDERS = (AUDITOR,)  # plan, record and submit audits; raise findings, record plans, verify, close
SIGNERS = (MANAGER,)  # sign off or return a submitted audit
TRIGGERERS = (AUDITOR, MANAGER)  # ask for an extra audit


def _audit_of(finding: Any) -> Any:
    """The finding's audit, whose unit the roles are checked in (the finding itself when not loaded)."""
    return getattr(finding, "audit", None) or finding


def can_edit(user: Any, audit: Any) -> bool:
    """Change the plan of ``audit`` (until it is submitted): an auditor."""
    return audit.status in EDITABLE and holds(user, audit, *RECORDERS)


def can_start(user: Any, audit: Any) -> bool:
    """Start fieldwork on a planned ``audit``: an auditor."""
    return audit.status == PLANNED and holds(user, audit, *RECORDERS)


def can_record(user: Any, audit: Any) -> bool:
    """Record checklist results, evidence and findings on ``audit`` in progress, and submit it: an auditor."""
    return audit.status in RECORDING and holds(user, audit, *RECORDERS)


def _not_auditor_clause(user: Any, tables) -> Any:
    """SQL: ``user`` is not one of the audit's auditors (``tables[0]``: where the audit's ``id`` is)."""
    auditor = select(audit_auditors.c.audit_id).where(
        audit_auditors.c.audit_id == tables[0].id, audit_auditors.c.user_id == user.id
    )
    return ~auditor.exists()


# Separation of duties: the signing manager did not record or submit the audit and is not one of its auditors.
_NOT_PARTICIPANT = (
    actors("submitted_by_id", "recorded_by_id"),
    Custom(lambda user, records: user.id not in records[0].auditor_ids, _not_auditor_clause),
)
SIGN_OFF = Predicate(
    (
        step(_l("Only an audit awaiting sign-off can be signed off or returned."), Equals("status", (SUBMITTED,))),
        step(_l("Only a manager can sign off an audit."), HoldsRole(SIGNERS)),
        step(_l("You took part in this audit; another manager must sign it off."), *_NOT_PARTICIPANT),
    )
)


def took_part(user: Any, audit: Any) -> bool:
    """``user`` recorded or submitted ``audit``, or is one of its auditors."""
    return not all(condition.check(user, (audit,)) for condition in _NOT_PARTICIPANT)


def signoff_refusal(user: Any, audit: Any) -> Any:
    """Why ``user`` may not sign off or return ``audit`` (a message), or None when they may (:data:`SIGN_OFF`)."""
    return SIGN_OFF.refusal(user, audit)


def can_sign_off(user: Any, audit: Any) -> bool:
    """``user`` may sign off or return ``audit``."""
    return SIGN_OFF.allows(user, audit)


def can_record_plan(user: Any, finding: Any) -> bool:
    """Enter the vendor's corrective plan for an unresolved ``finding``: an auditor."""
    return finding.status in UNRESOLVED and holds(user, _audit_of(finding), *RECORDERS)


def verify_refusal(user: Any, finding: Any) -> Any:
    """Why ``user`` may not verify the corrective action of ``finding``, or None when they may (an auditor)."""
    if not holds(user, _audit_of(finding), *RECORDERS):
        return _l("Only an auditor can verify a corrective action.")
    if finding.status != PLAN_RECEIVED:
        return _l("Record the vendor's corrective plan before verifying it.")
    return None


def can_verify(user: Any, finding: Any) -> bool:
    """``user`` may verify the corrective action of ``finding``."""
    return verify_refusal(user, finding) is None


def can_close_finding(user: Any, finding: Any) -> bool:
    """Close a verified ``finding``: an auditor."""
    return finding.status == VERIFIED and holds(user, _audit_of(finding), *RECORDERS)


def evidence_refusal(user: Any, finding: Any) -> Any:
    """Why ``user`` may not attach a file to ``finding`` (a message), or None when they may.

    An auditor attaches the vendor's plan, response or proof until the finding is closed.
    """
    if not holds(user, _audit_of(finding), *RECORDERS):
        return _l("Only an auditor can attach files to a finding.")
    if finding.status == CLOSED:
        return _l("This finding is closed; no more files can be attached.")
    return None


def can_attach_evidence(user: Any, finding: Any) -> bool:
    """``user`` may attach a file to ``finding``."""
    return evidence_refusal(user, finding) is None

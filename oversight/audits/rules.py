"""Reminder rules: audits falling due (by risk tier or after a trigger) and findings past their due date.

Audit reminders go to the enabled auditors and the vendor's responsible manager; finding reminders
to the auditor who raised the finding and the vendor's responsible manager. A vendor never audited
counts from the day it was registered, so its due date stays the same from one sweep to the next.

Listed in ``oversight/features.py``. Audits use the lead
times of ``reminders.audit_lead_days`` (30, 7 and 1 days) and repeat weekly once overdue; findings
use ``reminders.finding_lead_days`` (7 days).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from oversight.admin.reminder_settings import AUDIT_LEAD_DAYS, FINDING_LEAD_DAYS, stage_policy
from oversight.audits import schedule, settings
from oversight.audits.models import SEVERITY_LABELS, UNRESOLVED, Finding
from oversight.auth.models import User, UserRole
from oversight.auth.roles import AUDITOR
from oversight.core.due import (
    DigestKind,
    DueItem,
    days_late,
    label_code,
    reminded_ids,
    reminder_stage,
    stage_horizon,
)
from oversight.core.timeutil import to_local
from oversight.vendors.models import Vendor

AUDIT_KIND = "audit_due"
FINDING_KIND = "audit_finding"
KIND_LABELS = {AUDIT_KIND: _l("Audits falling due"), FINDING_KIND: _l("Audit findings to be corrected")}


def _auditor_ids(session: Session) -> frozenset[int]:
    query = (
        select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == AUDITOR, User.is_enabled.is_(True))
    )
    return frozenset(session.scalars(query))


def audit_due(session: Session, today: date) -> Iterator[DueItem]:
    """Each vendor in the audit cycle whose next audit (regular or triggered) is near or past."""
    policy, config = stage_policy(AUDIT_LEAD_DAYS), settings.current()
    auditors = _auditor_ids(session)
    # Kept as msgids in the stored titles, translated in each reader's language (``core.due.title_text``).
    never_audited, next_audit = label_code(_l("Never audited")), label_code(_l("Next audit"))
    last = schedule.last_audits_query().subquery()
    triggers = schedule.open_triggers_query().subquery()
    # Columns, not Vendor objects: every vendor in the cycle is read, and few of them are due.
    query = (
        select(
            Vendor.id,
            Vendor.name,
            Vendor.status,
            Vendor.risk_tier,
            Vendor.created_at,
            Vendor.manager_id,
            last.c.last_audit_on,
            triggers.c.trigger_due_on,
        )
        .outerjoin(last, last.c.vendor_id == Vendor.id)
        .outerjoin(triggers, triggers.c.vendor_id == Vendor.id)
        .where(Vendor.status.in_(schedule.SCHEDULED_STATUSES))
    )
    for vendor in session.execute(query):
        last_audit_on, trigger_due_on = vendor.last_audit_on, vendor.trigger_due_on
        facts = schedule.VendorFacts(
            vendor.id,
            vendor.status,
            vendor.risk_tier,
            last_audit_on,
            trigger_due_on,
            interval_months=config.interval_months(vendor.risk_tier),
        )
        due_on = facts.next_due_on(today) if last_audit_on else to_local(vendor.created_at).date()
        if trigger_due_on and trigger_due_on < due_on:
            due_on = trigger_due_on
        stage = reminder_stage(due_on, today, policy)
        label = never_audited if last_audit_on is None else next_audit
        recipients = auditors | ({vendor.manager_id} if vendor.manager_id else frozenset())
        if stage is None or not recipients:
            continue
        yield DueItem(
            rule="audits.audit_due",
            kind=AUDIT_KIND,
            object_type="vendor",
            object_id=vendor.id,
            title=f"{vendor.name} — {label}",
            due_on=due_on,
            stage=stage,
            days_late=days_late(due_on, today),
            url_path=f"/vendors/{vendor.id}#audits",
            recipients=recipients,
        )


def finding_due(session: Session, today: date) -> Iterator[DueItem]:
    """Each finding not yet verified, before and after its corrective-action due date."""
    policy = stage_policy(FINDING_LEAD_DAYS)
    query = (
        select(Finding)
        .where(Finding.status.in_(UNRESOLVED), Finding.due_on <= stage_horizon(today, policy))
        .order_by(Finding.due_on, Finding.id)
    )
    for finding in session.scalars(query).unique():
        stage = reminder_stage(finding.due_on, today, policy)
        vendor = finding.vendor
        recipients = reminded_ids(finding.created_by_id, vendor.manager_id)
        if stage is None or not recipients:
            continue
        yield DueItem(
            rule="audits.finding_due",
            kind=FINDING_KIND,
            object_type="finding",
            object_id=finding.id,
            title=f"{vendor.name} — {label_code(SEVERITY_LABELS.get(finding.severity, finding.severity))}: "
            f"{finding.description[:60]}",
            due_on=finding.due_on,
            stage=stage,
            days_late=days_late(finding.due_on, today),
            url_path=f"/audits/findings/{finding.id}",
            recipients=recipients,
        )


RULES = (audit_due, finding_due)
DIGEST_KINDS = tuple(
    DigestKind(kind, label, order=order) for order, (kind, label) in enumerate(KIND_LABELS.items(), start=40)
)

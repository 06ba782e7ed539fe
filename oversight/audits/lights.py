"""The 把握 (monitoring: grasping the handling status) light of a vendor.

The rule is :func:`state`, one SQL ``CASE`` over the vendor's status and audit facts
(:func:`facts_columns`); the due dates follow ``schedule`` (rules in its docstring). Red: an overdue
finding, or a vendor in the audit cycle never audited or whose audit is overdue; amber: an
unresolved serious finding, or an audit due within ``audit.warning_days``; grey: not in the cycle
(and nothing above); green: otherwise.

The light is unit-neutral (docs/status.md): supervising the vendor is the vendor's duty, so its audits
and findings are read as tables, which the read scope's ORM criteria do not reach, and every unit's
audit counts whoever reads the light (a member of one unit sees the same 把握 as the group).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, select

from oversight.audits import schedule, settings
from oversight.audits.models import SERIOUS, SIGNED_OFF, UNRESOLVED, Audit, AuditTrigger, Finding
from oversight.core.i18n import Translate
from oversight.core.lights import AMBER, GREEN, GREY, RED, Light
from oversight.extensions import db
from oversight.vendors.models import VENDORS

KEY = "monitoring"
OVERDUE_FINDINGS, NEVER_AUDITED, AUDIT_OVERDUE = "overdue_findings", "never_audited", "audit_overdue"
SERIOUS_FINDING, OUT_OF_CYCLE, DUE_SOON, AUDITED = "serious_finding", "out_of_cycle", "due_soon", "audited"
COLOURS = {
    OVERDUE_FINDINGS: RED,
    NEVER_AUDITED: RED,
    AUDIT_OVERDUE: RED,
    SERIOUS_FINDING: AMBER,
    OUT_OF_CYCLE: GREY,
    DUE_SOON: AMBER,
    AUDITED: GREEN,
}


def facts_columns(vendor_id: ColumnElement[int], today: date) -> list[ColumnElement]:
    """Correlated subqueries: the vendor's status and risk tier, last signed-off audit, earliest open
    trigger, and its unresolved findings that are overdue and that are serious (every unit's audits and
    findings, whatever the reader's scope: the module's docstring)."""
    audits, findings = Audit.__table__, Finding.__table__
    unresolved = and_(findings.c.vendor_id == vendor_id, findings.c.status.in_(UNRESOLVED))
    vendor_row = VENDORS.alias("grasp_vendor")
    vendor = select(vendor_row.c.status).where(vendor_row.c.id == vendor_id)
    return [
        vendor.scalar_subquery().label("grasp_status"),
        vendor.with_only_columns(vendor_row.c.risk_tier).scalar_subquery().label("grasp_risk_tier"),
        db.select(func.max(audits.c.completed_on))
        .where(audits.c.vendor_id == vendor_id, audits.c.status == SIGNED_OFF)
        .scalar_subquery()
        .label("grasp_last_audit_on"),
        db.select(func.min(AuditTrigger.due_on))
        .where(AuditTrigger.vendor_id == vendor_id, AuditTrigger.resolved_on.is_(None))
        .scalar_subquery()
        .label("grasp_trigger_due_on"),
        # Severity and due date tested inside the counts: in WHERE they tempted SQLite (without
        # statistics) to walk the severity or due-date index instead of the vendor's findings.
        db.select(func.count(case((findings.c.due_on < today, findings.c.id))))
        .where(unresolved)
        .scalar_subquery()
        .label("grasp_overdue_findings"),
        db.select(func.count(case((findings.c.severity == SERIOUS, findings.c.id))))
        .where(unresolved)
        .scalar_subquery()
        .label("grasp_serious_findings"),
    ]


def facts(vendors: Select, today: date) -> Select:
    """``vendor_id`` and :func:`facts_columns` of each vendor in ``vendors`` (a select of vendor ids)."""
    vendor_id = VENDORS.c.id  # the table, not the entity: status.lights.facts_cte
    return db.select(vendor_id.label("vendor_id"), *facts_columns(vendor_id, today)).where(vendor_id.in_(vendors))


def next_due(facts: Mapping[str, Any], config: settings.AuditSettings) -> ColumnElement[date]:
    """The next audit's due date (``schedule.sql_next_due_on``); NULL when never audited."""
    return schedule.sql_next_due_on(
        facts["grasp_last_audit_on"], facts["grasp_trigger_due_on"], facts["grasp_risk_tier"], config
    )


def schedule_due_on(facts: Mapping[str, Any], today: date) -> ColumnElement[date]:
    """The vendor's due date on the audit schedule (``schedule.sql_schedule_due_on``; NULL off the
    schedule): stored per vendor by ``status.store`` for the schedule page, the due lists and the work list."""
    return schedule.sql_schedule_due_on(
        facts["grasp_status"],
        facts["grasp_last_audit_on"],
        facts["grasp_trigger_due_on"],
        facts["grasp_risk_tier"],
        today,
        settings.current(),
    )


def state(
    facts: Mapping[str, Any], today: date, config: settings.AuditSettings | None = None
) -> ColumnElement[str]:
    """The rule: the state code from the columns of :func:`facts_columns` (``facts``: by name)."""
    config = config or settings.current()
    scheduled = facts["grasp_status"].in_(schedule.SCHEDULED_STATUSES)
    due = next_due(facts, config)
    return case(
        (facts["grasp_overdue_findings"] > 0, OVERDUE_FINDINGS),
        (and_(scheduled, facts["grasp_last_audit_on"].is_(None)), NEVER_AUDITED),
        (and_(scheduled, due < today), AUDIT_OVERDUE),
        (facts["grasp_serious_findings"] > 0, SERIOUS_FINDING),
        (~scheduled, OUT_OF_CYCLE),
        (due <= today + timedelta(days=config.warning_days), DUE_SOON),
        else_=AUDITED,
    )


def light(code: str, row: Any, today: date, *, _: Translate) -> Light:
    """The light of state ``code``, worded from the facts in ``row`` (``grasp_next_due_on`` for the dates)."""
    label = _("Monitoring")
    due = row.grasp_next_due_on
    if code == OVERDUE_FINDINGS:
        count = int(row.grasp_overdue_findings)
        return Light(KEY, RED, label, _("%(count)d overdue findings", count=count))
    if code == NEVER_AUDITED:
        return Light(KEY, RED, label, _("Never audited"))
    if code == AUDIT_OVERDUE:
        return Light(KEY, RED, label, _("Audit overdue"), due.isoformat())
    if code == SERIOUS_FINDING:
        return Light(KEY, AMBER, label, _("Open serious finding"))
    if code == OUT_OF_CYCLE:
        return Light(KEY, GREY, label, _("No audit cycle in this status"))
    if code == DUE_SOON:
        days = (due - today).days
        return Light(KEY, AMBER, label, _("Audit due in %(days)d days", days=days), due.isoformat())
    return Light(KEY, GREEN, label, _("Audited"), _("next due %(date)s", date=due.isoformat()))


def columns(facts: Mapping[str, Any], today: date) -> dict[str, ColumnElement]:
    """The state code (``code``) and the next due date :func:`light` shows, from ``facts`` (settings read once)."""
    config = settings.current()
    return {"code": state(facts, today, config), "grasp_next_due_on": next_due(facts, config)}

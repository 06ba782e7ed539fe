"""Audit rules: plan, record the A01–A20 checklist, submit, sign off or return; extra-audit triggers.

An audit keeps the checklist version it was recorded against. It can be submitted and signed off
only when every item has a result. The manager who signs off must not be the auditor who recorded
or submitted it, nor one of its auditors (separation of duties).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from oversight.activity import services as activity
from oversight.audits import permissions, settings
from oversight.audits.models import (
    CANCELLED,
    CONFORMING,
    DECISION_LABELS,
    EDITABLE,
    FINDING,
    IN_PROGRESS,
    KIND_LABELS,
    ON_SITE,
    OPEN_STATUSES,
    PLANNED,
    RATING_LABELS,
    RECORDING,
    RESULT_LABELS,
    RETURNED,
    SIGNED_OFF,
    SUBMITTED,
    TRIGGER_LABELS,
    Audit,
    AuditResult,
    AuditTrigger,
)
from oversight.auth.models import User
from oversight.checklists import filling
from oversight.checklists import services as checklist_services
from oversight.checklists.models import AUDIT
from oversight.core.editing import apply_changes, plain, snapshot
from oversight.core.errors import RuleError
from oversight.extensions import db
from oversight.units import services as unit_services
from oversight.vendors.models import Vendor

AUDIT_FIELDS = (
    "kind",
    "planned_on",
    "period_start_on",
    "period_end_on",
    "conducted_on",
    "conducted_end_on",
    "is_indirect",
    "performed_by_vendor_id",
    "performed_by_name",
    "scope_note",
)


class AuditRuleError(RuleError):
    """A step the audit rules refuse; ``message`` is shown to the user."""


@dataclass(frozen=True)
class Progress:
    """How far the checklist is filled in."""

    answered: int
    total: int
    counts: dict[str, int]

    @property
    def is_complete(self) -> bool:
        return self.total > 0 and self.answered == self.total


def load_audit(audit_id: int) -> Audit | None:
    """An audit with everything its pages show loaded."""
    return db.session.scalar(
        db.select(Audit)
        .where(Audit.id == audit_id)
        .options(
            joinedload(Audit.template),
            joinedload(Audit.recorded_by),
            joinedload(Audit.submitted_by),
            joinedload(Audit.signed_off_by),
            joinedload(Audit.performed_by_vendor),
            selectinload(Audit.results),
            selectinload(Audit.findings),
            selectinload(Audit.triggers),
        )
    )


def _auditors(ids: list[int]) -> list[User]:
    if not ids:
        return []
    return list(db.session.scalars(db.select(User).where(User.id.in_(ids)).order_by(User.id)))


def _check_values(vendor: Vendor, values: dict[str, Any]) -> None:
    if values.get("kind") not in KIND_LABELS:
        raise AuditRuleError(_l("Choose the kind of audit."))
    if values.get("is_indirect") and values.get("performed_by_vendor_id") == vendor.id:
        raise AuditRuleError(_l("An indirect audit is performed by another vendor (the contractor)."))


def plan_audit(vendor: Vendor, values: dict[str, Any], *, actor: User | None, today: date) -> Audit:
    """Create a planned audit of ``vendor`` (``values`` as the audit form gives them)."""
    _check_values(vendor, values)
    if values.get("unit_id") and values["unit_id"] not in unit_services.unit_ids_of_vendor(vendor.id):
        raise AuditRuleError(_l("This vendor does not belong to the chosen unit."))
    audit = Audit(
        vendor=vendor,
        unit_id=unit_services.unit_for_new_record(vendor.id, values.get("unit_id")),
        status=PLANNED,
        recorded_by_id=getattr(actor, "id", None),
    )
    for name in AUDIT_FIELDS:
        setattr(audit, name, values.get(name))
    audit.planned_on = audit.planned_on or audit.conducted_on or today
    audit.performed_by_name = (audit.performed_by_name or "").strip()
    audit.scope_note = (audit.scope_note or "").strip()
    audit.auditors = _auditors(values.get("auditor_ids") or [])
    db.session.add(audit)
    db.session.flush()
    activity.record(
        "audit.plan",
        actor=actor,
        target=audit,
        summary=f"{vendor.name}: {audit.kind_label}",
        changes={
            **snapshot(audit, [*AUDIT_FIELDS, "unit_id"]),
            "auditors": [None, [user.name for user in audit.auditors]],
        },
    )
    return audit


def update_audit(audit: Audit, values: dict[str, Any], *, actor: User) -> dict[str, list]:
    """Change an audit's header (kind, dates, auditors, indirect supervision) while it is editable."""
    _ensure_editable(audit)
    _check_values(audit.vendor, values)
    changes = apply_changes(audit, {name: values.get(name) for name in AUDIT_FIELDS if name in values})
    if "auditor_ids" in values:
        new_ids = sorted(values["auditor_ids"] or [])
        old_ids = sorted(user.id for user in audit.auditors)
        if new_ids != old_ids:
            old_names = [user.name for user in audit.auditors]
            audit.auditors = _auditors(new_ids)
            changes["auditors"] = [old_names, [user.name for user in audit.auditors]]
    if changes:
        activity.record("audit.update", actor=actor, target=audit, summary=audit.vendor.name, changes=changes)
    return changes


def _ensure_editable(audit: Audit) -> None:
    if audit.status not in EDITABLE:
        raise AuditRuleError(_l("This audit was submitted and can no longer be changed."))


def _ensure_recording(audit: Audit) -> None:
    if audit.status not in RECORDING:
        raise AuditRuleError(_l("Start recording the audit first; a submitted audit can no longer be changed."))


def start_recording(audit: Audit, *, actor: User, today: date) -> None:
    """Move a planned audit to 実施中 with one empty result per item of the current audit checklist."""
    if audit.status != PLANNED:
        raise AuditRuleError(_l("Only a planned audit can be started."))
    template = checklist_services.current_template(AUDIT)
    audit.template = template
    audit.results = [AuditResult(item=item) for item in template.items]
    audit.status = IN_PROGRESS
    audit.recorded_by_id = getattr(actor, "id", audit.recorded_by_id)  # the recording auditor may not sign off
    if audit.conducted_on is None:
        audit.conducted_on = today
    if actor is not None and actor not in audit.auditors:
        audit.auditors.append(actor)
    db.session.flush()  # the results get their ids and item ids, which the checklist form is keyed by
    activity.record(
        "audit.start",
        actor=actor,
        target=audit,
        summary=f"{audit.vendor.name}: {template.label}",
        changes={"status": [PLANNED, IN_PROGRESS], "template_id": [None, template.id]},
    )


def save_results(audit: Audit, values: dict[int, dict[str, Any]], *, actor: User, now: datetime) -> dict[str, list]:
    """Store results keyed by item id (``result``, ``note``); logs what changed."""
    _ensure_recording(audit)
    changes: dict[str, list] = {}
    for row in audit.results:
        submitted = values.get(row.item_id)
        if submitted is None:
            continue
        result = submitted.get("result") or None
        if result is not None and result not in RESULT_LABELS:
            raise AuditRuleError(_l("Unknown result."))
        for name, value in (("result", result), ("note", (submitted.get("note") or "").strip())):
            before = getattr(row, name)
            if before != value:
                changes[f"{row.item.code}.{name}"] = [before, value]
                setattr(row, name, value)
    if changes:
        audit.updated_at = now  # raises the audit's version, so a stale checklist form is refused
        activity.record(
            "audit.results", actor=actor, target=audit, summary=f"{audit.vendor.name}: {len(changes)}", changes=changes
        )
    return changes


def newly_marked_finding(audit: Audit, changes: dict[str, list]) -> int | None:
    """The item id of the first item (in checklist order) that ``changes`` (from :func:`save_results`)
    marked 指摘, for the finding form to preselect; None when the save marked none."""
    marked = {
        key.removesuffix(".result")
        for key, (_, after) in changes.items()
        if key.endswith(".result") and after == FINDING
    }
    return next((row.item_id for row in sorted_results(audit) if row.item.code in marked), None)


def fill_rest_conforming(audit: Audit, values: dict[int, dict[str, Any]], *, actor: User, now: datetime) -> int:
    """Save the results as typed, then set every item still without a result to 適合; returns how many.

    Nothing is submitted: the results stay editable like any other.
    """
    save_results(audit, values, actor=actor, now=now)
    count = filling.fill_unanswered(
        audit.results,
        field="result",
        value=CONFORMING,
        label=RESULT_LABELS[CONFORMING],
        action="audit.results_fill",
        actor=actor,
        target=audit,
        name=audit.vendor.name,
    )
    if count:
        audit.updated_at = now
    return count


def progress(audit: Audit) -> Progress:
    """Answered items, total items and counts per result (results must be loaded)."""
    counts = Counter(row.result for row in audit.results if row.result)
    return Progress(sum(counts.values()), len(audit.results), dict(counts))


def sorted_results(audit: Audit) -> list[AuditResult]:
    return sorted(audit.results, key=lambda row: (row.item.position, row.item.id))


def submit(
    audit: Audit, *, rating: str, decision: str, conditions: str, summary: str, actor: User, now: datetime
) -> None:
    """Send a complete audit for a manager's sign-off with the overall rating and decision."""
    _ensure_recording(audit)
    if rating not in RATING_LABELS:
        raise AuditRuleError(_l("Choose an overall rating."))
    if decision not in DECISION_LABELS:
        raise AuditRuleError(_l("Choose a decision."))
    if decision == "conditional" and not (conditions or "").strip():
        raise AuditRuleError(_l("A conditional continuation needs its conditions."))
    if not progress(audit).is_complete:
        raise AuditRuleError(_l("Give every checklist item a result before submitting."))
    if audit.conducted_on is None:
        raise AuditRuleError(_l("Enter the date the audit was conducted."))
    old = audit.status
    audit.status = SUBMITTED
    audit.overall_rating = rating
    audit.decision = decision
    audit.decision_conditions = (conditions or "").strip() if decision == "conditional" else ""
    audit.summary = (summary or "").strip()
    audit.submitted_by_id = actor.id
    audit.submitted_at = now
    activity.record(
        "audit.submit",
        actor=actor,
        target=audit,
        summary=f"{audit.vendor.name}: {audit.rating_label} / {audit.decision_label}",
        changes={"status": [old, SUBMITTED], "overall_rating": [None, rating], "decision": [None, decision]},
    )


def _ensure_signer(audit: Audit, actor: User) -> None:
    refusal = permissions.signoff_refusal(actor, audit)
    if refusal is not None:
        raise AuditRuleError(refusal)


def sign_off(audit: Audit, *, actor: User, note: str, today: date, now: datetime) -> None:
    """Sign off a submitted, complete audit; it resets the vendor's audit clock and settles its triggers."""
    _ensure_signer(audit, actor)
    if not progress(audit).is_complete:
        raise AuditRuleError(_l("Every checklist item needs a result before sign-off."))
    audit.status = SIGNED_OFF
    audit.signed_off_by_id = actor.id
    audit.signed_off_at = now
    audit.signoff_note = (note or "").strip()
    audit.completed_on = audit.last_day_on or today
    resolved = _resolve_triggers(audit)
    activity.record(
        "audit.signoff",
        actor=actor,
        target=audit,
        summary=f"{audit.vendor.name}: {audit.decision_label}",
        changes={
            "status": [SUBMITTED, SIGNED_OFF],
            "completed_on": [None, plain(audit.completed_on)],
            "resolved_triggers": [None, resolved] if resolved else [None, []],
        },
    )


def _resolve_triggers(audit: Audit) -> list[int]:
    """Settle the vendor's open triggers raised up to the audit's last day, and those it was planned for."""
    triggers = db.session.scalars(
        db.select(AuditTrigger).where(AuditTrigger.vendor_id == audit.vendor_id, AuditTrigger.resolved_on.is_(None))
    )
    resolved = []
    for trigger in triggers:
        if trigger.audit_id == audit.id or trigger.raised_on <= audit.completed_on:
            trigger.resolved_on = audit.completed_on
            trigger.resolved_by_audit_id = audit.id
            resolved.append(trigger.id)
    return resolved


def return_audit(audit: Audit, *, actor: User, note: str) -> None:
    """Send a submitted audit back to the auditors with the reason."""
    _ensure_signer(audit, actor)
    if not (note or "").strip():
        raise AuditRuleError(_l("Say why the audit is returned."))
    audit.status = RETURNED
    audit.return_note = note.strip()
    activity.record(
        "audit.return",
        actor=actor,
        target=audit,
        summary=f"{audit.vendor.name}: {note.strip()}"[:2000],
        changes={"status": [SUBMITTED, RETURNED]},
    )


def cancel_audit(audit: Audit, *, actor: User, reason: str) -> None:
    """Cancel a planned audit with the reason; triggers waiting for it stay open for the next audit."""
    if audit.status != PLANNED:
        raise AuditRuleError(_l("Only a planned audit can be cancelled."))
    if not (reason or "").strip():
        raise AuditRuleError(_l("Say why the audit is cancelled."))
    audit.status = CANCELLED
    audit.return_note = reason.strip()
    for trigger in audit.triggers:
        if trigger.resolved_on is None:
            trigger.audit_id = None
    activity.record(
        "audit.cancel",
        actor=actor,
        target=audit,
        summary=f"{audit.vendor.name}: {reason.strip()}"[:2000],
        changes={"status": [PLANNED, CANCELLED]},
    )


def open_audit_of(vendor: Vendor) -> Audit | None:
    """The vendor's audit that is planned or under way, if any (the oldest)."""
    return db.session.scalar(
        db.select(Audit)
        .where(Audit.vendor_id == vendor.id, Audit.status.in_(OPEN_STATUSES))
        .order_by(Audit.id)
        .limit(1)
    )


def trigger_extra_audit(
    vendor: Vendor, reason_kind: str, reason_text: str, actor: User | None, today: date
) -> AuditTrigger:
    """Record why ``vendor`` needs an extra audit and make sure one is planned.

    ``reason_kind`` is one of ``incident``, ``subcontractor``, ``renewal``, ``location``, ``other``.
    The extra audit is due ``audit.trigger_due_days`` (30) days after ``today``. The trigger is
    attached to the vendor's audit already planned or under way, or to a new planned on-site audit;
    it stays open until an audit of the vendor is signed off. The caller commits.
    """
    if reason_kind not in TRIGGER_LABELS:
        raise AuditRuleError(_l("Unknown reason for an extra audit."))
    due_on = today + timedelta(days=settings.current().trigger_due_days)
    audit = open_audit_of(vendor)
    if audit is None:
        audit = plan_audit(
            vendor,
            {"kind": ON_SITE, "planned_on": due_on, "scope_note": (reason_text or "").strip()},
            actor=actor,
            today=today,
        )
    elif audit.status == PLANNED and (audit.planned_on is None or audit.planned_on > due_on):
        audit.planned_on = due_on
    trigger = AuditTrigger(
        vendor_id=vendor.id,
        audit_id=audit.id,
        kind=reason_kind,
        reason=(reason_text or "").strip(),
        raised_on=today,
        due_on=due_on,
        raised_by_id=getattr(actor, "id", None),
    )
    db.session.add(trigger)
    db.session.flush()
    activity.record(
        "audit.trigger",
        actor=actor,
        target=trigger,
        summary=f"{vendor.name}: {trigger.kind_label} — {trigger.reason}"[:2000],
        changes=snapshot(trigger, ["kind", "reason", "raised_on", "due_on", "audit_id"]),
    )
    return trigger


def audits_of(vendor: Vendor) -> list[Audit]:
    """Every audit of ``vendor``, newest first, with its auditors (joined)."""
    query = (
        db.select(Audit)
        .where(Audit.vendor_id == vendor.id)
        .options(joinedload(Audit.auditors))
        .order_by(Audit.id.desc())
    )
    return list(db.session.scalars(query).unique())


def open_triggers_of(vendor: Vendor) -> list[AuditTrigger]:
    query = (
        db.select(AuditTrigger)
        .where(AuditTrigger.vendor_id == vendor.id, AuditTrigger.resolved_on.is_(None))
        .order_by(AuditTrigger.due_on)
    )
    return list(db.session.scalars(query))

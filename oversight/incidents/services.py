"""Incident rules: recording and editing the facts, the response steps, closing, and what is open.

The clocks and reportability shown for an incident come from ``oversight.incidents.status``;
these functions change data. None of them commits: the view, CLI command or job does.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy.orm import contains_eager, joinedload, load_only, selectinload

from oversight.activity import services as activity
from oversight.audits import services as audit_services
from oversight.auth.models import User
from oversight.auth.roles import MANAGER
from oversight.contracts.models import Contract
from oversight.core.editing import apply_changes, snapshot
from oversight.core.errors import RuleError
from oversight.core.sorting import Reversed, Sort, Sorting, order_by
from oversight.events import services as events
from oversight.events import types as event_types
from oversight.evidence import services as evidence_services
from oversight.extensions import db
from oversight.incidents import permissions
from oversight.incidents.models import (
    CLOSED,
    FINAL_REPORT,
    INDIVIDUAL_NOTICE,
    OPEN,
    PRELIMINARY_REPORT,
    PUBLICATION,
    STEP_CODES,
    STEP_DONE,
    STEP_WAIVED,
    VENDOR_PLAN,
    Incident,
    IncidentStep,
)
from oversight.units import services as unit_services
from oversight.vendors import services as vendor_services
from oversight.vendors.models import Vendor

FACT_FIELDS = (
    "vendor_id", "contract_id", "chain_level", "where_vendor_id", "title", "kind", "is_suspected", "description",
    "discovered_by", "occurred_on", "vendor_knew_on", "vendor_notified_on", "department_knew_on", "categories",
    "is_highly_encrypted", "is_improper_purpose", "people_min", "people_max", "people_final", "data_items", "media",
    "cause", "cause_party", "secondary_harm", "containment", "other_notes", "owner_id", "finding_override_reason",
)  # fmt: skip


class IncidentRuleError(RuleError):
    """A change the incident rules refuse; ``message`` is shown to the user."""


def load_incident(incident_id: int) -> Incident | None:
    """One incident with its steps, contract and the people shown on its page."""
    query = (
        db.select(Incident)
        .options(
            selectinload(Incident.steps),
            # Joined, not selectin: a selectin load of a many-to-one is skipped when the key is NULL, so the
            # page's statement count would depend on which of these the incident happens to have.
            joinedload(Incident.contract),
            joinedload(Incident.owner),
            joinedload(Incident.where_vendor),
            joinedload(Incident.closed_by),
        )
        .where(Incident.id == incident_id)
    )
    return db.session.scalar(query)


LIST_SORTS = {
    "number": (),
    "title": (Incident.title,),
    "vendor": (vendor_services.KANA_ORDER,),
    "kind": (Incident.kind,),
    # Open before closed, then the newest first.
    "status": (db.case((Incident.status == OPEN, 0), else_=1), Reversed(Incident.id)),
}
LIST_SORTING = Sorting(LIST_SORTS, default="status", descending_first=("number",))


def incident_query(
    *, status: str = "", vendor_id: int | None = None, vendor_text: str = "", q: str = "", sort: Sort | None = None
):
    """The list page's query: open ones first, newest first, unless sorted otherwise; filtered (``vendor_text``
    finds the vendor as the register's search does)."""
    query = (
        db.select(Incident)
        .join(Vendor, Vendor.id == Incident.vendor_id)
        .options(selectinload(Incident.steps), selectinload(Incident.contract))
    )
    if status in (OPEN, CLOSED):
        query = query.where(Incident.status == status)
    if vendor_id:
        query = query.where(Incident.vendor_id == vendor_id)
    if (vendor_text or "").strip():
        query = query.where(Incident.vendor_id.in_(vendor_services.ids_matching(vendor_text)))
    if q:
        pattern = f"%{q}%"
        query = query.where(db.or_(Incident.title.ilike(pattern), Vendor.name.ilike(pattern)))
    return query.order_by(*order_by(LIST_SORTING.coerce(sort), LIST_SORTS, Incident.id))


# The steps the clocks of ``status.incident_clocks`` read.
CLOCK_STEPS = (PRELIMINARY_REPORT, FINAL_REPORT, INDIVIDUAL_NOTICE, PUBLICATION)


def list_rows(query):
    """``incident_query`` as the list page reads it: the vendor's name from the join the query already makes
    (not a second join loading every column of the vendor); of the steps, only those the clocks read (the
    reports, the notice to individuals, the publication) with the columns they read; the contract's number
    and notice hours. The export and the other pages keep ``incident_query``'s loading (every step)."""
    return query.options(
        contains_eager(Incident.vendor).load_only(Vendor.name, raiseload=True).raiseload("*"),
        selectinload(Incident.steps.and_(IncidentStep.code.in_(CLOCK_STEPS)))
        .load_only(IncidentStep.code, IncidentStep.status, IncidentStep.done_on, IncidentStep.waiver_reason,
                   raiseload=True)
        .raiseload("*"),
        selectinload(Incident.contract).load_only(Contract.number, Contract.incident_notice_hours, raiseload=True)
        .raiseload("*"),
    )


def contract_choices() -> list[Contract]:
    return list(db.session.scalars(db.select(Contract).order_by(Contract.number)))


def _unit_of(incident: Incident, chosen: int | None) -> int:
    """An incident under a contract belongs to the contract's unit; else the one chosen or the vendor's."""
    if incident.contract_id is not None:
        unit_id = db.session.scalar(db.select(Contract.unit_id).where(Contract.id == incident.contract_id))
        if unit_id is not None:
            return unit_id
    return unit_services.unit_for_new_record(incident.vendor_id, chosen)


def create_incident(values: dict[str, Any], *, actor: Any) -> Incident:
    """Record an incident with the full list of response steps, all open.

    ``actor`` is a staff user, or a vendor's contact giving notice through the portal (no account).
    """
    incident = Incident(**{field: values[field] for field in FACT_FIELDS if field in values})
    incident.unit_id = _unit_of(incident, values.get("unit_id"))
    incident.created_by_id = getattr(actor, "id", None)
    if incident.owner_id is None and isinstance(actor, User) and actor.has_role(MANAGER):
        incident.owner_id = actor.id
    incident.steps = [IncidentStep(code=code, position=index) for index, code in enumerate(STEP_CODES)]
    db.session.add(incident)
    db.session.flush()
    activity.record(
        "incident.create",
        actor=actor,
        target=incident,
        summary=f"{incident.vendor.name}: {incident.title}",
        changes=snapshot(incident, [*(field for field in FACT_FIELDS if field in values), "unit_id"]),
    )
    events.record(event_types.INCIDENT_OPENED, {
        "incident_id": incident.id, "vendor_id": incident.vendor_id, "contract_id": incident.contract_id,
        "kind": incident.kind, "is_suspected": incident.is_suspected, "occurred_on": incident.occurred_on,
        "vendor_knew_on": incident.vendor_knew_on,
    })
    return incident


def update_incident(incident: Incident, values: dict[str, Any], *, actor: User) -> dict[str, list]:
    """Change the recorded facts, and the business unit; logs what changed.

    The unit follows the contract when one is named (changing the contract may move the incident), else it is
    ``values['unit_id']`` (absent or None: unchanged), one of the vendor's units. Moving an incident to another
    unit needs the role to record incidents in both units (``permissions.move_refusal``).
    """
    if not incident.is_open:
        raise IncidentRuleError(_l("This incident is closed and can no longer be changed."))
    _refuse_if(permissions.edit_refusal(actor, incident))
    before_unit = incident.unit_id
    changes = apply_changes(incident, {field: values[field] for field in FACT_FIELDS if field in values})
    unit_id = _unit_of(incident, values.get("unit_id") or before_unit)
    if unit_id != before_unit:
        _refuse_if(permissions.move_refusal(actor, incident, unit_id))
        if incident.contract_id is None and unit_id not in unit_services.unit_ids_of_vendor(incident.vendor_id):
            raise IncidentRuleError(_l("This vendor does not belong to the chosen unit."))
        incident.unit_id = unit_id
        changes["unit_id"] = [before_unit, unit_id]
    if changes:
        activity.record("incident.update", actor=actor, target=incident, summary=incident.title, changes=changes)
    return changes


def _refuse_if(refusal: Any) -> None:
    """Raise the refusal a permission predicate gave (``oversight.incidents.permissions``)."""
    if refusal is not None:
        raise IncidentRuleError(refusal)


def _ensure_open(step: IncidentStep) -> None:
    if not step.incident.is_open:
        raise IncidentRuleError(_l("This incident is closed and can no longer be changed."))


def plan_files(step: IncidentStep) -> list:
    """The evidence files attached to a step (the vendor's plan for ``vendor_plan``)."""
    return evidence_services.files_for("incident_step", step.id)


def save_step(step: IncidentStep, values: dict[str, Any], *, actor: User) -> dict[str, list]:
    """Save a step's due date, reference and note without settling it."""
    _ensure_open(step)
    _refuse_if(permissions.step_refusal(actor, step.incident))
    changes = apply_changes(step, {key: values[key] for key in ("due_on", "reference", "note") if key in values})
    if changes:
        activity.record("incident.step_update", actor=actor, target=step, summary=step.label, changes=changes)
    return changes


def complete_step(step: IncidentStep, values: dict[str, Any], *, actor: User, today: date, now: datetime) -> None:
    """Mark a step done on ``values['done_on']`` (default today), with who did it.

    The vendor's recurrence-prevention plan counts as done only with the plan attached as a file.
    """
    _ensure_open(step)
    _refuse_if(permissions.step_refusal(actor, step.incident))
    if step.code == VENDOR_PLAN and not plan_files(step):
        raise IncidentRuleError(_l("Attach the vendor's written plan before marking this step done."))
    before = {key: getattr(step, key) for key in ("status", "done_on")}
    changes = apply_changes(
        step,
        {
            "status": STEP_DONE,
            "done_on": values.get("done_on") or today,
            "reference": (values.get("reference") or step.reference or "").strip(),
            "note": (values.get("note") if values.get("note") is not None else step.note).strip(),
            "due_on": values.get("due_on", step.due_on),
            "waiver_reason": "",
        },
    )
    step.completed_by_id = actor.id
    step.completed_at = now
    summary = f"{step.incident.title}: {step.label}"
    activity.record(
        "incident.step_done",
        actor=actor,
        target=step,
        summary=summary,
        changes=changes or {key: [value, getattr(step, key)] for key, value in before.items()},
    )


def waive_step(step: IncidentStep, reason: str, *, actor: User, now: datetime) -> None:
    """Settle a step that does not apply, with the reason (a manager's decision)."""
    _ensure_open(step)
    _refuse_if(permissions.manage_refusal(actor, step.incident))
    reason = (reason or "").strip()
    if not reason:
        raise IncidentRuleError(_l("Give the reason for waiving this step."))
    changes = apply_changes(step, {"status": STEP_WAIVED, "waiver_reason": reason, "done_on": None})
    step.completed_by_id = actor.id
    step.completed_at = now
    activity.record(
        "incident.step_waive", actor=actor, target=step, summary=f"{step.incident.title}: {step.label}", changes=changes
    )


def reopen_step(step: IncidentStep, *, actor: User) -> None:
    """Put a settled step back to open (a mistake, or new facts)."""
    _ensure_open(step)
    _refuse_if(permissions.manage_refusal(actor, step.incident))
    changes = apply_changes(step, {"status": "open", "done_on": None, "waiver_reason": ""})
    step.completed_by_id = None
    step.completed_at = None
    activity.record(
        "incident.step_reopen",
        actor=actor,
        target=step,
        summary=f"{step.incident.title}: {step.label}",
        changes=changes,
    )


def unsettled_steps(incident: Incident) -> list[IncidentStep]:
    return [step for step in incident.steps if not step.is_settled]


def close_incident(incident: Incident, note: str, *, actor: User, today: date) -> None:
    """Close an incident whose steps are all done or waived.

    Closing asks for a re-evaluation of the vendor (``reevaluation_requested_on``, read through
    ``reevaluation_requests``) and an extra audit (``audits.trigger_extra_audit``).
    """
    refusal = permissions.close_refusal(actor, incident)
    if refusal is not None:
        raise IncidentRuleError(refusal)
    open_steps = unsettled_steps(incident)
    if open_steps:
        names = "、".join(step.label for step in open_steps)
        raise IncidentRuleError(_l("Settle every step first (done or waived with a reason): %(steps)s", steps=names))
    changes = apply_changes(
        incident,
        {
            "status": CLOSED,
            "closed_on": today,
            "closed_by_id": actor.id,
            "closing_note": (note or "").strip(),
            "reevaluation_requested_on": today,
        },
    )
    activity.record("incident.close", actor=actor, target=incident, summary=incident.title, changes=changes)
    # The reason is data, not a sentence: the trigger's kind (漏えい等事案) is shown in the reader's language.
    audit_services.trigger_extra_audit(incident.vendor, "incident", f"#{incident.id} {incident.title}", actor, today)


def open_incident_counts(vendor_ids: list[int]) -> dict[int, int]:
    """How many open incidents each vendor has (vendors without any are left out), in one query."""
    if not vendor_ids:
        return {}
    query = (
        db.select(Incident.vendor_id, func.count(Incident.id))
        .where(Incident.vendor_id.in_(vendor_ids), Incident.status == OPEN)
        .group_by(Incident.vendor_id)
    )
    return {vendor_id: count for vendor_id, count in db.session.execute(query)}


def reevaluation_requests(vendor_ids: list[int]) -> dict[int, date]:
    """The latest day a closed incident asked for each vendor's re-evaluation, in one query.

    The evaluations feature can compare it with the vendor's latest decision: a decision older
    than this date means the re-evaluation is still due.
    """
    if not vendor_ids:
        return {}
    query = (
        db.select(Incident.vendor_id, func.max(Incident.reevaluation_requested_on))
        .where(Incident.vendor_id.in_(vendor_ids), Incident.reevaluation_requested_on.is_not(None))
        .group_by(Incident.vendor_id)
    )
    return {vendor_id: day for vendor_id, day in db.session.execute(query)}


# What the clocks (``incidents.status``) and the due lists (``dashboard.due``) read of an open incident, its
# vendor, contract and steps: only those columns are loaded, anything else raises (a test then fails).
CLOCK_COLUMNS = (
    Incident.title,
    Incident.kind,
    Incident.reported_by_label,
    Incident.vendor_knew_on,
    Incident.vendor_notified_on,
    Incident.department_knew_on,
    Incident.categories,
    Incident.is_highly_encrypted,
    Incident.is_improper_purpose,
    Incident.finding_override_reason,
    Incident.people_min,
    Incident.people_max,
    Incident.people_final,
    Incident.vendor_id,
    Incident.contract_id,
)


def open_incident_list() -> list[Incident]:
    """Every open incident with what its clocks need (one query whatever the number: open incidents
    are few, so their steps and contract are joined rather than read by a query each). Only the columns
    the clocks and the due lists read are loaded (:data:`CLOCK_COLUMNS`): the joined rows (an incident
    per step) carried every column of the incident, its vendor, its contract, the contract's vendor and
    each step's completing user, most of the dashboard's incident time."""
    query = (
        db.select(Incident)
        .options(
            load_only(*CLOCK_COLUMNS, raiseload=True),
            joinedload(Incident.vendor).load_only(Vendor.name),
            joinedload(Incident.contract)
            .load_only(Contract.number, Contract.incident_notice_hours)
            .lazyload(Contract.vendor),
            joinedload(Incident.steps)
            .load_only(
                IncidentStep.code,
                IncidentStep.position,
                IncidentStep.status,
                IncidentStep.done_on,
                IncidentStep.waiver_reason,
            )
            .lazyload(IncidentStep.completed_by),
        )
        .where(Incident.status == OPEN)
        .order_by(Incident.id)
    )
    return list(db.session.scalars(query).unique())

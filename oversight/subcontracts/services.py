"""Recording chain nodes and taking a consent from request to decision, revocation and notice.

The rules (guideline-reference §5): every level needs the consent of the original principal, so
a decision is only ever taken by a manager of the principal (``permissions.is_principal_manager``), after
legal's review by somebody else (separation of duties). Advance consent needs all three
conditions of Q&A 3-9. Services do not commit.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from oversight.activity import services as activity
from oversight.audits import services as audit_services
from oversight.audits.models import NEW_SUBCONTRACTOR
from oversight.auth.models import User
from oversight.contracts.models import Contract
from oversight.core.editing import snapshot
from oversight.core.errors import RuleError
from oversight.evaluations import services as evaluation_services
from oversight.evaluations.models import APPROVED as EVALUATION_APPROVED
from oversight.evaluations.models import CONDITIONAL, Evaluation
from oversight.events import services as events
from oversight.events import types as event_types
from oversight.extensions import db
from oversight.subcontracts import permissions
from oversight.subcontracts.models import (
    ADVANCE,
    APPROVED,
    CONSENT_TYPE_LABELS,
    LOCATION_LABELS,
    PENDING,
    RECOMMEND_REFUSE,
    RECOMMENDATION_LABELS,
    REFUSED,
    REQUESTED,
    REVIEWED,
    REVOKED,
    Subcontract,
    SubcontractConsent,
)
from oversight.vendors import services as vendor_services
from oversight.vendors.models import Vendor

NODE_FIELDS = ("scope_of_work", "data_scope", "handling_method", "handling_location", "handling_country")
REQUEST_FIELDS = (
    *NODE_FIELDS,
    "evaluation_id",
    "supervision_plan",
    "has_c04",
    "has_c14",
    "has_c16",
    "consent_type",
    "advance_identified",
    "advance_ability_confirmed",
    "advance_reporting_agreed",
    "report_schedule",
    "request_note",
    "safety_measures",
)
# Free text of a request that may be left empty (the staff form has no safety measures; the portal's has).
REQUEST_TEXT_FIELDS = (
    "supervision_plan", "report_schedule", "request_note", "scope_of_work", "data_scope", "safety_measures"
)
ADVANCE_CONDITIONS = ("advance_identified", "advance_ability_confirmed", "advance_reporting_agreed")


PARENT_MESSAGE = _l("The parent belongs to another contract.")
VENDOR_MESSAGE = _l("Choose the subcontractor from the vendor register.")


class SubcontractRuleError(RuleError):
    """A rule of §5 refuses the action; ``message`` says which, translated."""


# --- loading --------------------------------------------------------------------------------------


def load_node(node_id: int) -> Subcontract | None:
    return db.session.scalar(
        db.select(Subcontract)
        .where(Subcontract.id == node_id)
        .options(
            joinedload(Subcontract.vendor),
            joinedload(Subcontract.parent_vendor),
            joinedload(Subcontract.contract),
        )
    )


def load_consent(consent_id: int) -> SubcontractConsent | None:
    """A consent with its node (and the node's vendor and contract) loaded."""
    node = joinedload(SubcontractConsent.subcontract)
    return db.session.scalar(
        db.select(SubcontractConsent)
        .where(SubcontractConsent.id == consent_id)
        .options(node.joinedload(Subcontract.vendor), node.joinedload(Subcontract.contract))
    )


def consents_of(node: Subcontract) -> list[SubcontractConsent]:
    """The node's consents, newest first, with the people and the evaluation loaded."""
    query = (
        db.select(SubcontractConsent)
        .where(SubcontractConsent.subcontract_id == node.id)
        .options(
            joinedload(SubcontractConsent.evaluation),
            joinedload(SubcontractConsent.requested_by),
            joinedload(SubcontractConsent.reviewed_by),
            joinedload(SubcontractConsent.decided_by),
            joinedload(SubcontractConsent.revoked_by),
        )
        .order_by(SubcontractConsent.id.desc())
    )
    return list(db.session.scalars(query))


def nodes_of_contract(contract: Contract) -> list[Subcontract]:
    query = db.select(Subcontract).where(Subcontract.contract_id == contract.id)
    return list(db.session.scalars(query.options(joinedload(Subcontract.vendor)).order_by(Subcontract.path)))


def candidate_vendors(contract: Contract) -> list[Vendor]:
    """Register entries that may be added to the chain: selectable (not ended, not adopted or archived),
    not the contractor, not already in it."""
    taken = db.select(Subcontract.vendor_id).where(Subcontract.contract_id == contract.id)
    query = db.select(Vendor).where(
        vendor_services.selectable_condition(), Vendor.id != contract.vendor_id, Vendor.id.not_in(taken)
    )
    return list(db.session.scalars(query.order_by(vendor_services.KANA_ORDER, Vendor.id)))


def evaluations_of(vendor_id: int) -> list[Evaluation]:
    query = db.select(Evaluation).where(Evaluation.vendor_id == vendor_id).order_by(Evaluation.id.desc())
    return list(db.session.scalars(query))


# --- the chain ------------------------------------------------------------------------------------


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = {key: (value.strip() if isinstance(value, str) else value) for key, value in values.items()}
    if cleaned.get("handling_location") not in LOCATION_LABELS:
        raise SubcontractRuleError(_l("Choose where the data is handled."))
    if cleaned["handling_location"] != "abroad":
        cleaned["handling_country"] = ""
    elif not cleaned.get("handling_country"):
        raise SubcontractRuleError(_l("Name the country where the data is handled abroad."))
    return cleaned


def record_node(
    contract: Contract, *, parent: Subcontract | None, vendor: Vendor, values: dict[str, Any], actor: User | None
) -> Subcontract:
    """Add ``vendor`` to the chain under the contractor (``parent`` None) or under ``parent``.

    The level follows from the parent. A node recorded without a consent is a violation until one is granted.
    """
    _refuse_if(permissions.request_refusal(actor, contract))
    if contract.is_closed:
        raise SubcontractRuleError(_l("This contract has ended; its chain can no longer change."))
    if parent is not None and parent.contract_id != contract.id:
        raise SubcontractRuleError(PARENT_MESSAGE)
    if vendor.id == contract.vendor_id:
        raise SubcontractRuleError(_l("The contractor cannot be its own subcontractor."))
    if db.session.scalar(
        db.select(Subcontract.id).where(Subcontract.contract_id == contract.id, Subcontract.vendor_id == vendor.id)
    ):
        raise SubcontractRuleError(_l("This vendor is already in the chain of this contract."))
    cleaned = _clean({field: values.get(field, "") for field in NODE_FIELDS})
    cleaned["is_entrusted"] = bool(values.get("is_entrusted", False))
    node = Subcontract(
        contract=contract,
        parent_id=parent.id if parent else None,
        vendor=vendor,
        parent_vendor=db.session.get(Vendor, parent.vendor_id if parent else contract.vendor_id),
        level=parent.level + 1 if parent else 1,
        recorded_by_id=getattr(actor, "id", None),
        **cleaned,
    )
    db.session.add(node)
    db.session.flush()
    node.path = f"{parent.path if parent else '/'}{node.id}/"
    activity.record(
        "subcontract.record",
        actor=actor,
        target=node,
        summary=f"{contract.number}: {vendor.name}",
        changes=snapshot(node, ["contract_id", "parent_id", "vendor_id", "level", *NODE_FIELDS, "is_entrusted"]),
    )
    return node


def record_entrustment(node: Subcontract, *, actor: User) -> None:
    """Record that a planned subcontractor now handles the data: without a valid consent it is a violation,
    even while a request awaits a decision."""
    _refuse_if(permissions.request_refusal(actor, node))
    if node.is_entrusted:
        raise SubcontractRuleError(_l("This subcontractor is already recorded as entrusted."))
    node.is_entrusted = True
    activity.record(
        "subcontract.entrusted",
        actor=actor,
        target=node,
        summary=f"{node.vendor.name} ({node.level_label})",
        changes={"is_entrusted": [False, True]},
    )


# --- the consent ----------------------------------------------------------------------------------


def _node(consent: SubcontractConsent) -> Subcontract:
    """The consent's node with its vendor and contract (from the session when already loaded)."""
    if "subcontract" in consent.__dict__ and {"vendor", "contract"} <= consent.subcontract.__dict__.keys():
        return consent.subcontract
    return load_node(consent.subcontract_id)


def pending_consent(node: Subcontract) -> SubcontractConsent | None:
    return db.session.scalar(
        db.select(SubcontractConsent).where(
            SubcontractConsent.subcontract_id == node.id, SubcontractConsent.status.in_(PENDING)
        )
    )


def _check_request(node: Subcontract, values: dict[str, Any]) -> None:
    if values.get("consent_type") not in CONSENT_TYPE_LABELS:
        raise SubcontractRuleError(_l("Choose the type of consent."))
    if not values.get("scope_of_work") or not values.get("data_scope"):
        raise SubcontractRuleError(_l("Describe the work and the data subcontracted."))
    if values["consent_type"] == ADVANCE:
        if not all(values.get(condition) for condition in ADVANCE_CONDITIONS):
            raise SubcontractRuleError(
                _l("Advance consent is valid only when all three conditions of Q&A 3-9 are confirmed.")
            )
        if not values.get("report_schedule"):
            raise SubcontractRuleError(_l("Advance consent needs the schedule of the periodic reports."))
    evaluation_id = values.get("evaluation_id")
    if evaluation_id is not None:
        evaluation = db.session.get(Evaluation, evaluation_id)
        if evaluation is None or evaluation.vendor_id != node.vendor_id:
            raise SubcontractRuleError(_l("Choose an evaluation of the subcontractor itself."))


def request_consent(node: Subcontract, values: dict[str, Any], *, actor: Any, now: datetime) -> SubcontractConsent:
    """Procurement asks the principal's consent on the vendor's behalf (§5.2 fields), or the vendor's contact
    asks through the portal (an actor with ``contact_id`` and no account: kept as the requesting contact)."""
    _refuse_if(permissions.request_refusal(actor, node))
    if node.contract.is_closed:
        raise SubcontractRuleError(_l("This contract has ended; its chain can no longer change."))
    if pending_consent(node) is not None:
        raise SubcontractRuleError(_l("A consent request for this subcontractor is already awaiting a decision."))
    cleaned = _clean({field: values.get(field) for field in REQUEST_FIELDS})
    for field in REQUEST_TEXT_FIELDS:
        cleaned[field] = cleaned.get(field) or ""
    cleaned["handling_method"] = cleaned.get("handling_method") or ""
    _check_request(node, cleaned)
    if cleaned["consent_type"] != ADVANCE:
        cleaned.update(dict.fromkeys(ADVANCE_CONDITIONS, False), report_schedule="")
    contact_id = getattr(actor, "contact_id", None)
    consent = SubcontractConsent(
        subcontract_id=node.id,
        status=REQUESTED,
        requested_by_id=getattr(actor, "id", None),
        requested_by_contact_id=contact_id,
        requested_by_label=actor.activity_label if contact_id else "",
        requested_at=now,
        **cleaned,
    )
    db.session.add(consent)
    db.session.flush()
    activity.record(
        "subcontract.request",
        actor=actor,
        target=consent,
        summary=f"{node.contract.number}: {node.vendor.name} — {consent.consent_type_label}",
        changes=snapshot(consent, ["subcontract_id", "status", "consent_type", "evaluation_id"]),
    )
    return consent


def start_evaluation(consent: SubcontractConsent, *, actor: User, now: datetime) -> Evaluation:
    """Open (or reuse) the subcontractor's selection evaluation and link it to the pending request."""
    _refuse_if(permissions.request_refusal(actor, consent))
    if not consent.is_pending:
        raise SubcontractRuleError(_l("Only a request awaiting a decision can be changed."))
    vendor = _node(consent).vendor
    evaluation = evaluation_services.open_evaluation(vendor)
    if evaluation is None:
        try:
            evaluation = evaluation_services.start_evaluation(vendor, actor=actor, now=now)
        except evaluation_services.EvaluationRuleError as error:
            raise SubcontractRuleError(error.message) from error
    old = consent.evaluation_id
    consent.evaluation_id = evaluation.id
    activity.record(
        "subcontract.evaluation",
        actor=actor,
        target=consent,
        summary=f"{vendor.name}: #{evaluation.id}",
        changes={"evaluation_id": [old, evaluation.id]},
    )
    return evaluation


def review(consent: SubcontractConsent, *, recommendation: str, note: str, actor: User, now: datetime) -> None:
    """Legal's review: a recommendation and a note, before a manager decides."""
    _refuse_if(permissions.review_refusal(actor, consent))
    if recommendation not in RECOMMENDATION_LABELS:
        raise SubcontractRuleError(_l("Choose a recommendation."))
    if recommendation == RECOMMEND_REFUSE and not (note or "").strip():
        raise SubcontractRuleError(_l("Say why legal recommends refusing."))
    consent.status, consent.recommendation = REVIEWED, recommendation
    consent.review_note, consent.reviewed_by_id, consent.reviewed_at = (note or "").strip(), actor.id, now
    activity.record(
        "subcontract.review",
        actor=actor,
        target=consent,
        summary=f"{consent.recommendation_label}: {consent.review_note}"[:2000],
        changes={"status": [REQUESTED, REVIEWED], "recommendation": [None, recommendation]},
    )


def _refuse_if(refusal: Any) -> None:
    """Raise the refusal a permission predicate gave (``oversight.subcontracts.permissions``)."""
    if refusal is not None:
        raise SubcontractRuleError(refusal)


def _consent_event(consent: SubcontractConsent, node: Subcontract, now: datetime) -> None:
    """The consent's decision (approved, refused or revoked) as an event."""
    events.record(event_types.CONSENT_DECIDED, {
        "consent_id": consent.id, "subcontract_id": node.id, "contract_id": node.contract_id,
        "vendor_id": node.vendor_id, "decision": consent.status, "expires_on": consent.expires_on,
    }, now=now)


def _ensure_decider(consent: SubcontractConsent, actor: Any) -> None:
    _refuse_if(permissions.decide_refusal(actor, consent))


def approve(
    consent: SubcontractConsent, *, conditions: str, expires_on: date | None, actor: User, today: date, now: datetime
) -> None:
    """A manager of the principal grants the consent, with conditions and an expiry date."""
    _ensure_decider(consent, actor)
    if expires_on is None or expires_on <= today:
        raise SubcontractRuleError(_l("Give an expiry date after today."))
    evaluation = db.session.get(Evaluation, consent.evaluation_id) if consent.evaluation_id else None
    if evaluation is None or evaluation.status not in (EVALUATION_APPROVED, CONDITIONAL):
        raise SubcontractRuleError(_l("Consent needs an approved selection evaluation of the subcontractor (Q&A 3-9)."))
    consent.status, consent.conditions, consent.expires_on = APPROVED, (conditions or "").strip(), expires_on
    consent.decided_by_id, consent.decided_at = actor.id, now
    node = _node(consent)
    activity.record(
        "subcontract.approve",
        actor=actor,
        target=consent,
        summary=f"{node.vendor.name}: {consent.conditions}"[:2000],
        changes={"status": [REVIEWED, APPROVED], "expires_on": [None, expires_on.isoformat()]},
    )
    _consent_event(consent, node, now)
    contractor = db.session.get(Vendor, node.contract.vendor_id)
    # The reason is the subcontractor's name; the trigger's kind (新たな再委託先) is shown in the reader's language.
    audit_services.trigger_extra_audit(contractor, NEW_SUBCONTRACTOR, node.vendor.name, actor, today)


def refuse(consent: SubcontractConsent, *, reason: str, actor: User, now: datetime) -> None:
    """A manager of the principal refuses the consent, with the reason."""
    _ensure_decider(consent, actor)
    if not (reason or "").strip():
        raise SubcontractRuleError(_l("Give the reason for refusing."))
    consent.status, consent.refusal_reason = REFUSED, reason.strip()
    consent.decided_by_id, consent.decided_at = actor.id, now
    activity.record(
        "subcontract.refuse",
        actor=actor,
        target=consent,
        summary=consent.refusal_reason[:2000],
        changes={"status": [REVIEWED, REFUSED]},
    )
    _consent_event(consent, _node(consent), now)


def revoke(consent: SubcontractConsent, *, reason: str, actor: User, now: datetime) -> None:
    """A manager of the principal withdraws a granted consent; the node becomes a violation."""
    _refuse_if(permissions.revoke_refusal(actor, consent))
    if not (reason or "").strip():
        raise SubcontractRuleError(_l("Give the reason for revoking."))
    consent.status, consent.revocation_reason = REVOKED, reason.strip()
    consent.revoked_by_id, consent.revoked_at = actor.id, now
    activity.record(
        "subcontract.revoke",
        actor=actor,
        target=consent,
        summary=consent.revocation_reason[:2000],
        changes={"status": [APPROVED, REVOKED]},
    )
    _consent_event(consent, _node(consent), now)


def record_notification(
    consent: SubcontractConsent, *, notified_on: date | None, note: str, actor: User, today: date
) -> None:
    """Record the day the contractor told the subcontractor that the principal consented (Q&A 3-8-2)."""
    _refuse_if(permissions.request_refusal(actor, consent))
    if consent.status != APPROVED:
        raise SubcontractRuleError(_l("Only a granted consent can be notified."))
    if notified_on is None or notified_on > today:
        raise SubcontractRuleError(_l("The date cannot be in the future."))
    if consent.decided_at is not None and notified_on < consent.decided_at.date():
        raise SubcontractRuleError(_l("The subcontractor cannot have been told before the consent was granted."))
    old = consent.notified_on
    consent.notified_on, consent.notified_note = notified_on, (note or "").strip()
    consent.notified_recorded_by_id = actor.id
    activity.record(
        "subcontract.notified",
        actor=actor,
        target=consent,
        summary=f"{notified_on.isoformat()} {consent.notified_note}"[:2000],
        changes={"notified_on": [old.isoformat() if old else None, notified_on.isoformat()]},
    )

"""The ``data`` of each event type, as pydantic models: :func:`oversight.events.services.record` checks every
payload against its type's model before the row is written (an undeclared or missing fact is a programming
error, raised in the change's transaction), and the API's OpenAPI document declares the webhooks from the same
models (``oversight.api.webhooks``; docs/api.md, "Webhooks"). Payloads carry ids and facts, no personal data.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from oversight.events import types as event_types


class Payload(BaseModel):
    """A payload declares every fact it carries, and only those."""

    model_config = ConfigDict(extra="forbid")


class LightChange(Payload):
    before: str | None = Field(description="Colour before: green, amber, red or grey.")
    after: str | None = Field(description="Colour after.")
    before_state: str | None = Field(description="The light's state code before (status.lights).")
    after_state: str | None = Field(description="The light's state code after.")


class VendorLightChanged(Payload):
    vendor_id: int
    as_of: date
    lights: dict[str, LightChange] = Field(
        description="Per light whose colour changed: selection, contract, monitoring, subcontract, disposal."
    )


class EvaluationDecided(Payload):
    evaluation_id: int
    vendor_id: int
    decision: str = Field(description="approved, conditional or rejected.")
    valid_until: date | None
    decided_at: datetime


class ContractApproved(Payload):
    contract_id: int
    vendor_id: int
    number: str
    approved_at: datetime


class ContractSigned(Payload):
    contract_id: int
    vendor_id: int
    number: str
    signed_on: date
    end_on: date


class DueStage(Payload):
    """A due date that reached a reminder stage (recorded once per record, due date and stage)."""

    due_on: date
    stage: str = Field(description="The reminder stage reached, e.g. lead-30, due, overdue-1.")
    days_late: int = Field(description="Days past the due date; negative: days left.")


class ContractEnding(DueStage):
    contract_id: int


class FindingOverdue(DueStage):
    finding_id: int


class DisposalOverdue(DueStage):
    disposal_id: int


class ConsentDecided(Payload):
    consent_id: int
    subcontract_id: int
    contract_id: int
    vendor_id: int
    decision: str = Field(description="The consent's status after the decision (approved, refused, revoked).")
    expires_on: date | None


class DisposalConfirmed(Payload):
    disposal_id: int
    contract_id: int
    vendor_id: int
    confirmed_at: datetime


class IncidentOpened(Payload):
    incident_id: int
    vendor_id: int
    contract_id: int | None
    kind: str
    is_suspected: bool
    occurred_on: date | None
    vendor_knew_on: date | None


class IncidentDeadlineNear(DueStage):
    incident_id: int
    report: str = Field(description="preliminary (速報) or final (確報).")


class PortalSubmissionReceived(Payload):
    request_id: int
    vendor_id: int
    kind: str
    submission: int = Field(description="The submission's number within its request.")
    submitted_at: datetime


class WebhookTest(Payload):
    endpoint_id: int
    message: str


PAYLOADS: dict[str, type[Payload]] = {
    event_types.VENDOR_LIGHT_CHANGED: VendorLightChanged,
    event_types.EVALUATION_DECIDED: EvaluationDecided,
    event_types.CONTRACT_APPROVED: ContractApproved,
    event_types.CONTRACT_SIGNED: ContractSigned,
    event_types.CONTRACT_ENDING: ContractEnding,
    event_types.CONSENT_DECIDED: ConsentDecided,
    event_types.FINDING_OVERDUE: FindingOverdue,
    event_types.DISPOSAL_OVERDUE: DisposalOverdue,
    event_types.DISPOSAL_CONFIRMED: DisposalConfirmed,
    event_types.INCIDENT_OPENED: IncidentOpened,
    event_types.INCIDENT_DEADLINE_NEAR: IncidentDeadlineNear,
    event_types.PORTAL_SUBMISSION_RECEIVED: PortalSubmissionReceived,
    event_types.TEST: WebhookTest,
}


def check(event_type: str, facts: dict[str, Any]) -> None:
    """:raises pydantic.ValidationError: ``facts`` are not what ``event_type`` declares."""
    PAYLOADS[event_type].model_validate(facts)

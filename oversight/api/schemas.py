"""The API's documents, as pydantic models: they shape the responses and write the OpenAPI schema."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Colour = Literal["green", "amber", "red", "grey"]


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldError] = Field(default_factory=list)


class FieldError(BaseModel):
    field: str
    message: str


class Light(BaseModel):
    """One oversight light: the duty's state code and its colour."""

    state: str
    colour: Colour


class Lights(BaseModel):
    """The five oversight lights (選定, 契約, 把握, 再委託, 返却・廃棄) from the stored status."""

    selection: Light
    contract: Light
    monitoring: Light
    subcontract: Light
    disposal: Light


class Contact(BaseModel):
    """A contact person at the vendor; its ``version`` is in its ETag, for If-Match."""

    id: int
    version: int
    vendor_id: int
    name: str
    department: str
    email: str
    phone: str
    role: str


class Certification(BaseModel):
    """A certification the vendor holds (Pマーク, ISMS …); its ``version`` is in its ETag, for If-Match."""

    id: int
    version: int
    vendor_id: int
    kind: str
    name: str
    number: str
    issuer: str
    expires_on: date | None


class Vendor(BaseModel):
    """A register entry with its contacts, certifications and five lights."""

    id: int
    version: int
    name: str
    name_kana: str
    corporate_number: str | None
    status: str
    risk_tier: str
    address: str
    representative: str
    entrusted_work: str
    data_scope: str
    data_subject_count: int | None
    handling_location: str
    handling_country: str
    handling_site: str
    is_entrustment: bool | None
    entrustment_reason: str
    owner_id: int | None
    manager_id: int | None
    created_at: datetime
    updated_at: datetime
    lights: Lights
    contacts: list[Contact]
    certifications: list[Certification]


class VendorPage(BaseModel):
    items: list[Vendor]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class VendorInput(BaseModel):
    """A vendor's register data as the vendor form takes it (the form's rules and messages apply)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=4000)
    name_kana: str = Field("", max_length=4000)
    corporate_number: str = Field("", max_length=4000)
    address: str = Field("", max_length=4000)
    representative: str = Field("", max_length=4000)
    entrusted_work: str = Field("", max_length=40000)
    data_scope: str = Field("", max_length=40000)
    data_subject_count: int | None = Field(None, ge=-(2**31), le=2**31 - 1)
    handling_location: Literal["domestic", "abroad"] = "domestic"
    handling_country: str = Field("", max_length=4000)
    handling_site: Literal["own_site", "cloud", "both"] = "own_site"
    risk_tier: Literal["high", "medium", "low"] = "medium"
    is_entrustment: bool | None = None
    entrustment_reason: str = Field("", max_length=40000)
    owner_id: int | None = Field(None, ge=1, le=2**31 - 1)
    manager_id: int | None = Field(None, ge=1, le=2**31 - 1)
    confirm_not_my_number: bool = Field(
        False, description="Confirms that text the My Number guard flagged is not a My Number."
    )


class ContactInput(BaseModel):
    """A contact person as the contact form takes it (the form's rules and messages apply)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=4000)
    department: str = Field("", max_length=4000)
    email: str = Field("", max_length=4000)
    phone: str = Field("", max_length=4000)
    role: str = Field("", max_length=4000)
    confirm_not_my_number: bool = False


class ContactPatch(BaseModel):
    """Any of a contact's fields; those left out keep their value."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=4000)
    department: str | None = Field(None, max_length=4000)
    email: str | None = Field(None, max_length=4000)
    phone: str | None = Field(None, max_length=4000)
    role: str | None = Field(None, max_length=4000)
    confirm_not_my_number: bool = False


class CertificationInput(BaseModel):
    """A certification as the certification form takes it (the form's rules and messages apply)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["pmark", "isms", "other"]
    name: str = Field("", max_length=4000, description="Required for `other`")
    number: str = Field("", max_length=4000)
    issuer: str = Field("", max_length=4000)
    expires_on: date | None = None
    confirm_not_my_number: bool = False


class CertificationPatch(BaseModel):
    """Any of a certification's fields; those left out keep their value."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["pmark", "isms", "other"] | None = None
    name: str | None = Field(None, max_length=4000)
    number: str | None = Field(None, max_length=4000)
    issuer: str | None = Field(None, max_length=4000)
    expires_on: date | None = None
    confirm_not_my_number: bool = False


class VendorPatch(BaseModel):
    """Any of a vendor's register fields; those left out keep their value."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=4000)
    name_kana: str | None = Field(None, max_length=4000)
    corporate_number: str | None = Field(None, max_length=4000)
    address: str | None = Field(None, max_length=4000)
    representative: str | None = Field(None, max_length=4000)
    entrusted_work: str | None = Field(None, max_length=40000)
    data_scope: str | None = Field(None, max_length=40000)
    data_subject_count: int | None = Field(None, ge=-(2**31), le=2**31 - 1)
    handling_location: Literal["domestic", "abroad"] | None = None
    handling_country: str | None = Field(None, max_length=4000)
    handling_site: Literal["own_site", "cloud", "both"] | None = None
    risk_tier: Literal["high", "medium", "low"] | None = None
    is_entrustment: bool | None = None
    entrustment_reason: str | None = Field(None, max_length=40000)
    owner_id: int | None = Field(None, ge=1, le=2**31 - 1)
    manager_id: int | None = Field(None, ge=1, le=2**31 - 1)
    confirm_not_my_number: bool = False


class VendorFilters(BaseModel):
    """The vendor register's filters (as on the list page), and the page wanted."""

    q: str = Field("", max_length=100, description="Name, kana or corporate number contains")
    status: Literal[
        "", "candidate", "evaluating", "selected", "active", "terminating", "ended", "rejected", "archived"
    ] = ""
    risk_tier: Literal["", "high", "medium", "low"] = ""
    owner: int | None = Field(None, ge=1, le=2**31 - 1)
    selection: Colour | Literal[""] = ""
    contract: Colour | Literal[""] = ""
    grasp: Colour | Literal[""] = Field("", description="The 把握 (monitoring) light")
    subcontract: Colour | Literal[""] = ""
    termination: Colour | Literal[""] = Field("", description="The 返却・廃棄 (disposal) light")
    cursor: str = Field("", max_length=100)
    limit: int = Field(50, ge=1, le=200)


class ClauseResult(BaseModel):
    code: str
    text: str
    required: bool
    result: str | None
    clause_number: str
    note: str
    waiver_reason: str
    waiver_approved_at: datetime | None


class Review(BaseModel):
    """One round of legal's clause review (条項チェック) and its result per clause."""

    id: int
    round_number: int
    kind: str
    submitted_at: datetime
    decided_at: datetime | None
    outcome: str | None
    comment: str
    results: list[ClauseResult]


class Contract(BaseModel):
    id: int
    version: int
    vendor_id: int
    vendor_name: str
    number: str
    title: str
    contract_type: str
    scope: str
    data_scope: str
    start_on: date
    end_on: date
    auto_renewal: bool
    notice_days: int | None
    incident_notice_hours: int | None
    end_handling: str
    disposal_days: int
    status: str
    clause_gaps: int | None
    signed_on: date | None
    ended_on: date | None
    created_at: datetime
    updated_at: datetime
    reviews: list[Review]


class ContractPage(BaseModel):
    items: list[Contract]
    next_cursor: str | None


class ContractFilters(BaseModel):
    """The contract list's filters (as on the list page), and the page wanted."""

    q: str = Field("", max_length=100, description="Number, title or vendor name contains")
    status: Literal["", "draft", "in_review", "returned", "approved", "signed", "ended", "disposed"] = ""
    vendor: int | None = Field(None, ge=1, le=2**31 - 1)
    contract_type: Literal["", "basic", "individual", "memorandum", "pledge"] = ""
    clauses: Literal["", "missing", "unreviewed", "incomplete"] = Field(
        "", description="`missing`: a required clause is missing in the latest review; `unreviewed`: no review "
        "judged the clauses; `incomplete`: either (not every required clause is known to be present)"
    )
    ending_within: Literal["", "30", "90", "180"] = ""
    cursor: str = Field("", max_length=100)
    limit: int = Field(50, ge=1, le=200)


class ContractInput(BaseModel):
    """A new contract draft (起案) as the contract form takes it (the form's rules and messages apply)."""

    model_config = ConfigDict(extra="forbid")

    vendor_id: int = Field(ge=1, le=2**31 - 1)
    number: str = Field(max_length=4000)
    title: str = Field(max_length=4000)
    contract_type: Literal["basic", "individual", "memorandum", "pledge"] = "basic"
    scope: str = Field(max_length=40000)
    data_scope: str = Field(max_length=40000)
    start_on: date
    end_on: date
    auto_renewal: bool = False
    notice_days: int | None = Field(None, ge=-(2**31), le=2**31 - 1)
    incident_notice_hours: int | None = Field(None, ge=-(2**31), le=2**31 - 1)
    end_handling: Literal["return", "delete"] = "delete"
    disposal_days: int = Field(30, ge=-(2**31), le=2**31 - 1, description="Days after the end to return/delete data")
    confirm_not_my_number: bool = False


Problem.model_rebuild()


class Clock(BaseModel):
    """One deadline of an incident, computed as on its page (速報, 確報: business days, holidays)."""

    key: Literal["vendor_notice", "preliminary", "final", "individual_notice", "publication"]
    label: str
    due_on: date | None
    done_on: date | None
    state: str
    days_left: int | None
    basis: str


class Incident(BaseModel):
    id: int
    version: int
    vendor_id: int
    contract_id: int | None
    title: str
    kind: str
    is_suspected: bool
    status: str
    occurred_on: date | None
    vendor_knew_on: date | None
    vendor_notified_on: date | None
    department_knew_on: date | None
    categories: list[str]
    people_min: int | None
    people_max: int | None
    people_final: int | None
    is_improper_purpose: bool
    is_reportable: bool
    closed_on: date | None
    created_at: datetime
    updated_at: datetime
    clocks: list[Clock]


class IncidentPage(BaseModel):
    items: list[Incident]
    next_cursor: str | None


class IncidentFilters(BaseModel):
    """The incident list's filters (as on the list page), and the page wanted."""

    q: str = Field("", max_length=100, description="Title or vendor name contains")
    status: Literal["", "open", "closed"] = ""
    vendor_id: int | None = Field(None, ge=1, le=2**31 - 1)
    cursor: str = Field("", max_length=100)
    limit: int = Field(50, ge=1, le=200)


class DisposalItem(BaseModel):
    """A return/deletion item (返却・廃棄) of a contract's end, for the contractor or a subcontractor."""

    id: int
    version: int
    contract_id: int
    vendor_id: int
    subcontract_id: int | None
    level: int
    reason: str
    state: Literal["open", "returned", "certified", "confirmed"]
    is_overdue: bool
    opened_on: date
    due_on: date
    method: str | None
    completed_on: date | None
    certificate_number: str
    recorded_at: datetime | None
    confirmed_at: datetime | None
    returned_at: datetime | None
    created_at: datetime
    updated_at: datetime


class DisposalPage(BaseModel):
    items: list[DisposalItem]
    next_cursor: str | None


class DisposalFilters(BaseModel):
    """The return/deletion list's filters (as on the list page), and the page wanted."""

    q: str = Field("", max_length=100)
    state: Literal["", "overdue", "open", "certified", "confirmed"] = ""
    vendor: int | None = Field(None, ge=1, le=2**31 - 1)
    cursor: str = Field("", max_length=100)
    limit: int = Field(50, ge=1, le=200)


class ItemResult(BaseModel):
    """The result of one checklist item (A01–A20) in an audit."""

    code: str
    text: str
    result: Literal["conforming", "finding", "na"] | None
    note: str


class Audit(BaseModel):
    """An audit (取扱状況の把握) with its result per checklist item and the ids of its findings."""

    id: int
    version: int
    vendor_id: int
    vendor_name: str
    kind: Literal["on_site", "remote", "questionnaire", "periodic_report"]
    status: Literal["planned", "in_progress", "submitted", "returned", "signed_off", "cancelled"]
    planned_on: date | None
    period_start_on: date | None
    period_end_on: date | None
    conducted_on: date | None
    conducted_end_on: date | None
    is_indirect: bool
    performed_by_vendor_id: int | None
    performed_by_name: str
    scope_note: str
    summary: str
    overall_rating: str | None
    decision: str | None
    decision_conditions: str
    auditor_ids: list[int]
    submitted_at: datetime | None
    signed_off_at: datetime | None
    signed_off_by_id: int | None
    signoff_note: str
    return_note: str = Field(description="Why a manager returned it to the auditors")
    completed_on: date | None
    created_at: datetime
    updated_at: datetime
    finding_ids: list[int]
    results: list[ItemResult]


class AuditPage(BaseModel):
    items: list[Audit]
    next_cursor: str | None


class AuditFilters(BaseModel):
    """The audit records list's filters (as on the list page), and the page wanted."""

    q: str = Field("", max_length=100, description="Vendor name or kana contains")
    status: Literal["", "planned", "in_progress", "submitted", "returned", "signed_off", "cancelled"] = ""
    kind: Literal["", "on_site", "remote", "questionnaire", "periodic_report"] = ""
    cursor: str = Field("", max_length=100)
    limit: int = Field(50, ge=1, le=200)


class Finding(BaseModel):
    """A finding (指摘事項): what was found, the corrective action asked for, the vendor's plan, verification."""

    id: int
    version: int
    audit_id: int
    vendor_id: int
    vendor_name: str
    item_code: str | None
    severity: Literal["serious", "moderate", "minor"]
    description: str
    requested_action: str
    requested_on: date | None
    due_on: date
    status: Literal["open", "plan_received", "verified", "closed"]
    is_overdue: bool
    plan_text: str
    plan_received_on: date | None
    verification_note: str
    verified_on: date | None
    closed_on: date | None
    created_at: datetime
    updated_at: datetime


class FindingPage(BaseModel):
    items: list[Finding]
    next_cursor: str | None


class FindingFilters(BaseModel):
    """The findings list's filters (as on the list page), and the page wanted."""

    q: str = Field("", max_length=100, description="Vendor name, kana or description contains")
    status: Literal["", "unresolved", "open", "plan_received", "verified", "closed"] = ""
    severity: Literal["", "serious", "moderate", "minor"] = ""
    overdue: bool = Field(False, description="Unresolved after the corrective-action due date only")
    cursor: str = Field("", max_length=100)
    limit: int = Field(50, ge=1, le=200)


class FindingResponse(BaseModel):
    """The vendor's corrective plan and response, as the finding page's plan form takes it."""

    model_config = ConfigDict(extra="forbid")

    plan_text: str = Field(max_length=40000)
    received_on: date
    confirm_not_my_number: bool = False


class NodeLight(BaseModel):
    """A subcontract node's light from the node rule: its state code, colour and wording."""

    code: str
    colour: Colour
    text: str
    detail: str


class Consent(BaseModel):
    """A consent request (再委託許諾) of a node and its decision."""

    id: int
    version: int
    status: Literal["requested", "reviewed", "approved", "refused", "revoked"]
    label: str
    consent_type: str
    requested_at: datetime
    recommendation: str | None
    reviewed_at: datetime | None
    conditions: str
    refusal_reason: str
    expires_on: date | None
    decided_at: datetime | None
    revoked_at: datetime | None
    revocation_reason: str
    notified_on: date | None
    evaluation_id: int | None


class Subcontract(BaseModel):
    """A subcontract node: its place in a contract's chain, its light and its consents."""

    id: int
    version: int
    contract_id: int
    contract_number: str
    level: int
    parent_id: int | None
    vendor_id: int
    vendor_name: str
    parent_vendor_id: int
    parent_vendor_name: str
    scope_of_work: str
    data_scope: str
    handling_method: str
    handling_location: str
    handling_country: str
    is_entrusted: bool
    has_valid_consent: bool
    light: NodeLight
    consents: list[Consent]
    created_at: datetime
    updated_at: datetime


class SubcontractPage(BaseModel):
    items: list[Subcontract]
    next_cursor: str | None


class SubcontractFilters(BaseModel):
    """The subcontract index's filters (as on the index page), and the page wanted."""

    q: str = Field("", max_length=200, description="Subcontractor, contractor or contract number contains")
    scope: Literal["", "open", "ended"] = Field("", description="The contract not ended / ended")
    section: Literal["", "violations", "awaiting_legal", "awaiting_manager", "expiring"] = Field(
        "", description="One of the index page's exception sections"
    )
    cursor: str = Field("", max_length=100)
    limit: int = Field(50, ge=1, le=200)


class Answer(BaseModel):
    """The answer to one checklist item of a selection evaluation."""

    code: str
    text: str
    answer: Literal["conforming", "partial", "nonconforming", "na"] | None
    comment: str
    exception_reason: str
    vendor_answer: str | None
    vendor_comment: str


class EvaluationSummary(BaseModel):
    """A selection evaluation (選定評価) as the list shows it: its answers are in its own document."""

    id: int
    version: int
    vendor_id: int
    vendor_name: str
    previous_id: int | None
    status: Literal["draft", "submitted", "returned", "approved", "conditional", "rejected"]
    submitted_at: datetime | None
    proposed_decision: str | None
    conditions: str
    submission_note: str
    decided_at: datetime | None
    decision_note: str
    valid_until: date | None
    created_at: datetime
    updated_at: datetime


class Evaluation(EvaluationSummary):
    """A selection evaluation (選定評価) with its answer per checklist item."""

    answers: list[Answer]


class EvaluationPage(BaseModel):
    items: list[EvaluationSummary]
    next_cursor: str | None


class EvaluationFilters(BaseModel):
    """The evaluation list's filter (as on the list page), and the page wanted."""

    status: Literal["", "draft", "submitted", "returned", "approved", "conditional", "rejected"] = ""
    cursor: str = Field("", max_length=100)
    limit: int = Field(50, ge=1, le=200)


class Reminder(BaseModel):
    """A row of the reminder outbox: one reminder to one recipient and its delivery."""

    id: int
    rule: str
    kind: str
    object_type: str
    object_id: int
    due_on: date
    stage: str
    recipient_id: int | None
    contact_id: int | None
    title: str
    url_path: str
    is_escalation: bool
    status: Literal["pending", "sending", "sent", "failed", "uncertain", "logged"]
    attempts: int
    last_error: str | None
    created_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime
    sent_at: datetime | None


class ReminderPage(BaseModel):
    items: list[Reminder]
    next_cursor: str | None


class ReminderFilters(BaseModel):
    """The outbox's filters (as on the outbox page), and the page wanted."""

    status: Literal["", "pending", "sending", "sent", "failed", "uncertain", "logged"] = ""
    rule: str = Field("", max_length=80)
    recipient: int | None = Field(None, ge=1, le=2**31 - 1)
    cursor: str = Field("", max_length=100)
    limit: int = Field(50, ge=1, le=200)


class ConsentDocument(Consent):
    """One consent request (再委託許諾) with the node it is for; its ETag is for If-Match."""

    subcontract_id: int


class ConsentRequestInput(BaseModel):
    """A consent request (§5.2) as the node page's request form takes it (its rules and messages apply)."""

    model_config = ConfigDict(extra="forbid")

    scope_of_work: str = Field(max_length=40000)
    data_scope: str = Field(max_length=40000, description="The kinds of data, never the numbers themselves")
    handling_method: str = Field("", max_length=40000)
    handling_location: Literal["domestic", "abroad"] = "domestic"
    handling_country: str = Field("", max_length=4000)
    evaluation_id: int | None = Field(
        None, ge=1, le=2**31 - 1, description="A selection evaluation of the subcontractor (the form's choices)"
    )
    supervision_plan: str = Field(max_length=40000)
    has_c04: bool = False
    has_c14: bool = False
    has_c16: bool = False
    consent_type: Literal["per_event", "advance"] = "per_event"
    advance_identified: bool = False
    advance_ability_confirmed: bool = False
    advance_reporting_agreed: bool = False
    report_schedule: str = Field("", max_length=4000)
    request_note: str = Field("", max_length=40000)
    confirm_not_my_number: bool = False


class ConsentReviewInput(BaseModel):
    """Legal's recommendation and note, as the node page's review form takes them."""

    model_config = ConfigDict(extra="forbid")

    recommendation: Literal["approve", "refuse"]
    note: str = Field("", max_length=40000, description="Required when recommending refusal")
    confirm_not_my_number: bool = False


class ConsentDecisionInput(BaseModel):
    """A manager's decision, as the node page's decision form takes it: grant with an expiry date (and
    conditions), or refuse with a reason. Refused through the API (403): the page asks the manager for a
    fresh code from their authenticator app, which a token cannot give."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "refuse"]
    conditions: str = Field("", max_length=40000)
    expires_on: date | None = Field(None, description="Required to grant: after today")
    reason: str = Field("", max_length=40000, description="Required to refuse")
    confirm_not_my_number: bool = False


class AuditInput(BaseModel):
    """A planned audit as the audit form takes it (the form's rules and messages apply)."""

    model_config = ConfigDict(extra="forbid")

    vendor_id: int = Field(ge=1, le=2**31 - 1)
    kind: Literal["on_site", "remote", "questionnaire", "periodic_report"] = "on_site"
    planned_on: date | None = None
    period_start_on: date | None = None
    period_end_on: date | None = None
    conducted_on: date | None = None
    conducted_end_on: date | None = None
    auditor_ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(
        min_length=1, max_length=100, description="Users holding the auditor role (at least one)"
    )
    is_indirect: bool = False
    performed_by_vendor_id: int | None = Field(None, ge=1, le=2**31 - 1)
    performed_by_name: str = Field("", max_length=4000)
    scope_note: str = Field("", max_length=40000)
    confirm_not_my_number: bool = False


class FindingInput(BaseModel):
    """A finding (指摘事項) with the corrective action requested in writing, as the finding form takes it."""

    model_config = ConfigDict(extra="forbid")

    item_code: str | None = Field(None, max_length=20, description="The checklist item (A01–A20) it is about")
    severity: Literal["serious", "moderate", "minor"] = "moderate"
    description: str = Field(max_length=40000)
    requested_action: str = Field(max_length=40000)
    requested_on: date
    due_on: date
    confirm_not_my_number: bool = False


class DisposalConfirmation(BaseModel):
    """A manager's confirmation of a return/deletion, as the item page's confirm form takes it. Refused
    through the API (403): the page asks the manager for a fresh code from their authenticator app, which a
    token cannot give."""

    model_config = ConfigDict(extra="forbid")

    note: str = Field("", max_length=40000)
    confirm_not_my_number: bool = False


class EvaluationDecisionInput(BaseModel):
    """A manager's decision on a submitted evaluation, as its page's two forms take it: ``confirm`` the
    proposed decision (承認 / 条件付承認 / 否認, with a comment), or ``return`` it to procurement (with the
    reason, required). ``confirm`` is refused through the API (403): the page asks the manager for a fresh
    code from their authenticator app, which a token cannot give."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["confirm", "return"]
    note: str = Field("", max_length=40000, description="A comment; required to return")
    confirm_not_my_number: bool = False


class AuditSignOffInput(BaseModel):
    """A manager's decision on a submitted audit, as its page's two forms take it: ``sign_off`` (with a
    comment) or ``return`` it to the auditors (with the reason, required)."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["sign_off", "return"]
    note: str = Field("", max_length=40000, description="A comment; required to return")
    confirm_not_my_number: bool = False


class ContractDecisionInput(BaseModel):
    """A manager's decision on a contract legal has cleared: ``return`` it to procurement (with the reason,
    required). ``approve`` is refused through the API (403): the page asks the approver for a fresh code from
    their authenticator app, which a token cannot give."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "return"]
    note: str = Field("", max_length=40000, description="Required to return")
    confirm_not_my_number: bool = False


IncidentCategory = Literal["R1-i", "R1-ro", "R1-ha", "R2-i", "R2-ro", "R2-ha", "R3", "R4-i", "R4-ro", "R4-ha"]
PeopleCount = Annotated[int, Field(ge=0, le=1_000_000_000)]


class IncidentInput(BaseModel):
    """A new incident (漏えい等事案) as the incident form takes it (the form's rules across fields apply:
    dates in order, counts in order, the contract of the vendor, R2 with 不正の目的, the app's finding)."""

    model_config = ConfigDict(extra="forbid")

    vendor_id: int = Field(ge=1, le=2**31 - 1, description="The direct contractor")
    contract_id: int | None = Field(None, ge=1, le=2**31 - 1)
    chain_level: int = Field(0, ge=0, le=9, description="0 = the vendor itself, 1 = its subcontractor, …")
    where_vendor_id: int | None = Field(None, ge=1, le=2**31 - 1, description="Required when chain_level > 0")
    title: str = Field(max_length=2000)
    kind: Literal["leak", "loss", "damage"] = "leak"
    is_suspected: bool = False
    description: str = Field("", max_length=40000)
    discovered_by: str = Field("", max_length=2000)
    occurred_on: date | None = None
    vendor_knew_on: date | None = None
    vendor_notified_on: date | None = None
    department_knew_on: date | None = None
    categories: list[IncidentCategory] = Field([], max_length=10)
    is_highly_encrypted: bool = False
    is_improper_purpose: bool = False
    finding_override_reason: str = Field("", max_length=40000)
    people_min: PeopleCount | None = None
    people_max: PeopleCount | None = None
    people_final: PeopleCount | None = None
    data_items: str = Field("", max_length=40000)
    media: str = Field("", max_length=40000)
    cause: str = Field("", max_length=40000)
    cause_party: Literal["vendor", "subcontractor", "principal", "unknown"] = "unknown"
    secondary_harm: str = Field("", max_length=40000)
    containment: str = Field("", max_length=40000)
    other_notes: str = Field("", max_length=40000)
    owner_id: int | None = Field(None, ge=1, le=2**31 - 1, description="A user holding the manager role")
    confirm_not_my_number: bool = False

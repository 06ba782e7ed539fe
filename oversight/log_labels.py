"""How the activity log names each feature's fields, codes and records (``Feature.log_labels``, ``log_names``).

The field labels are the forms' own (a change reads as the form the user filled in); the fields no form
holds (status, dates set by an action, ids) are named here once. The value labels are each feature's
existing label maps, so a code reads as it does on the record's page. Listed in ``oversight/features.py``.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms.fields.core import UnboundField

from oversight.activity.actions import OBJECT_TYPE_LABELS
from oversight.admin import forms as admin_forms
from oversight.audits import forms as audit_forms
from oversight.audits import models as audit_models
from oversight.auth.models import User
from oversight.auth.roles import LANGUAGE_LABELS, ROLE_LABELS
from oversight.checklists import models as checklist_models
from oversight.contracts import forms as contract_forms
from oversight.contracts import models as contract_models
from oversight.core.registry import LogLabels
from oversight.disposals import forms as disposal_forms
from oversight.disposals import models as disposal_models
from oversight.evaluations import models as evaluation_models
from oversight.events import types as event_types
from oversight.incidents import forms as incident_forms
from oversight.incidents import models as incident_models
from oversight.portal import models as portal_models
from oversight.reports.services import KIND_TITLES
from oversight.subcontracts import forms as subcontract_forms
from oversight.subcontracts import models as subcontract_models
from oversight.vendors import forms as vendor_forms
from oversight.vendors import models as vendor_models
from oversight.webhooks import forms as webhook_forms


def form_labels(*forms: type) -> dict[str, Any]:
    """Each field's label in the given form classes (the first form that has a field names it)."""
    labels: dict[str, Any] = {}
    for form in forms:
        for name in dir(form):
            unbound = getattr(form, name, None)
            if isinstance(unbound, UnboundField):
                label = unbound.kwargs.get("label", unbound.args[0] if unbound.args else None)
                if label is not None:
                    labels.setdefault(name, label)
    return labels


COMMON = LogLabels(
    fields={
        "status": _l("Status"),
        "due_on": _l("Due date"),
        "note": _l("Note"),
        "reason": _l("Reason"),
        "description": _l("Description"),
        "kind": _l("Kind"),
        "name": _l("Name"),
        "title": _l("Title"),
        "template_id": _l("Checklist version"),
        "vendor_id": _l("Vendor"),
        "contract_id": _l("Contract"),
        "completed_on": _l("Completed on"),
        "closed_on": _l("Closed on"),
        "closed_by_id": _l("Closed by"),
        "expires_on": _l("Expires on"),
        "comment": _l("Comment"),
        "document": _l("Document"),
    },
    values={"document": KIND_TITLES},  # the documents are in Japanese: their titles are their names
    references={
        "vendor_id": "vendor", "contract_id": "contract", "closed_by_id": "user", "subcontract_id": "subcontract",
        "parent_id": "subcontract", "evaluation_id": "evaluation", "audit_id": "audit", "template_id": "template",
        "item_id": "checklist_item",
    },
)

USERS = LogLabels(
    fields={**form_labels(admin_forms.UserCreateForm, admin_forms.UserEditForm), "roles": _l("Roles"),
            "language": _l("Language"), "is_enabled": _l("Enabled")},
    values={"roles": ROLE_LABELS, "language": LANGUAGE_LABELS},
)
SETTINGS = LogLabels()
WEBHOOKS = LogLabels(
    fields={**form_labels(webhook_forms.EndpointForm)},
    values={"event_types": event_types.LABELS},
)
CHECKLISTS = LogLabels(
    fields={"items": _l("Items")},
    values={"status": checklist_models.STATUS_LABELS, "kind": checklist_models.KIND_LABELS},
)
EVIDENCE = LogLabels(
    fields={
        "owner_type": _l("Record type"),
        "owner_id": _l("Record"),
        "original_filename": _l("File name"),
        "size": _l("Size (bytes)"),
        "sha256": _l("Checksum (SHA-256)"),
        "document_date": _l("Document date"),
    },
    values={"owner_type": OBJECT_TYPE_LABELS},
)

VENDORS = LogLabels(
    fields={
        **form_labels(vendor_forms.VendorForm, vendor_forms.ContactForm, vendor_forms.CertificationForm),
        "status": _l("Status"),
    },
    values={
        "status": vendor_models.STATUS_LABELS,
        "risk_tier": vendor_models.RISK_LABELS,
        "handling_location": vendor_models.LOCATION_LABELS,
        "handling_site": vendor_models.SITE_LABELS,
        "kind": vendor_models.CERTIFICATION_LABELS,
    },
    references={"manager_id": "user", "owner_id": "user"},
)

EVALUATIONS = LogLabels(
    fields={
        "answer": _l("Answer"),
        "vendor_answer": _l("Vendor's own answer"),
        "vendor_comment": _l("Vendor's comment"),
        "proposed_decision": _l("Proposed decision"),
        "decision": _l("Decision"),
        "valid_until": _l("Valid until"),
        "conditions": _l("Conditions"),
    },
    values={
        "status": evaluation_models.STATUS_LABELS,
        "answer": evaluation_models.ANSWER_LABELS,
        "vendor_answer": evaluation_models.ANSWER_LABELS,
        "proposed_decision": evaluation_models.DECISION_LABELS,
        "decision": evaluation_models.DECISION_LABELS,
    },
)

CONTRACTS = LogLabels(
    fields={
        **form_labels(contract_forms.ContractForm, contract_forms.SignForm, contract_forms.TerminateForm),
        "round": _l("Review round"),
        "result": _l("Finding"),
        "clause_number": _l("Clause number"),
        "quote": _l("Quote"),
        "waiver_reason": _l("Waiver reason"),
        "waiver_approved_by_id": _l("Waiver approved by"),
        "outcome": _l("Legal review outcome"),
        "signed_on": _l("Signed on"),
        "ended_on": _l("Ended on"),
        "next_round_kind": _l("Next review"),
        "round_kind": _l("Review kind"),
    },
    values={
        "status": contract_models.STATUS_LABELS,
        "contract_type": contract_models.TYPE_LABELS,
        "end_handling": contract_models.END_HANDLING_LABELS,
        "next_round_kind": contract_models.ROUND_KIND_LABELS,
        "round_kind": contract_models.ROUND_KIND_LABELS,
        "outcome": contract_models.OUTCOME_LABELS,
        "result": contract_models.RESULT_LABELS,
    },
    references={"waiver_approved_by_id": "user"},
)

AUDITS = LogLabels(
    fields={
        **form_labels(audit_forms.AuditForm, audit_forms.SubmitForm, audit_forms.TriggerForm),
        "result": _l("Result"),
        "overall_rating": _l("Overall rating"),
        "decision": _l("Decision"),
        "resolved_triggers": _l("Triggers resolved"),
        "auditors": _l("Auditors"),
        "raised_on": _l("Raised on"),
        "audit_id": _l("Audit"),
    },
    values={
        "status": audit_models.STATUS_LABELS,
        "kind": {**audit_models.KIND_LABELS, **audit_models.TRIGGER_LABELS},
        "result": audit_models.RESULT_LABELS,
        "overall_rating": audit_models.RATING_LABELS,
        "decision": audit_models.DECISION_LABELS,
    },
    references={"performed_by_vendor_id": "vendor", "auditors": "user"},
)
FINDINGS = LogLabels(
    fields={
        **form_labels(audit_forms.FindingForm, audit_forms.PlanForm, audit_forms.VerifyForm),
        "item_id": _l("Checklist item"),
        "plan_received_on": _l("Plan received on"),
        "verified_on": _l("Verified on"),
    },
    values={"status": audit_models.FINDING_STATUS_LABELS, "severity": audit_models.SEVERITY_LABELS},
)

SUBCONTRACTS = LogLabels(
    fields={
        **form_labels(subcontract_forms.NodeForm),
        "parent_id": _l("Parent in the chain"),
        "level": _l("Chain level"),
        "is_entrusted": _l("Entrusted (handling the data)"),
    },
    values={"handling_location": subcontract_models.LOCATION_LABELS, "is_entrusted": subcontract_models.STAGE_LABELS},
)
CONSENTS = LogLabels(
    fields={
        **form_labels(subcontract_forms.ConsentRequestForm, subcontract_forms.ReviewForm,
                      subcontract_forms.DecisionForm, subcontract_forms.NotifiedForm),
        "subcontract_id": _l("Subcontract chain node"),
        "evaluation_id": _l("Selection evaluation"),
        "recommendation": _l("Recommendation"),
        "notified_on": _l("Subcontractor told on"),
        "consent_type": _l("Consent type"),
        "subcontractor": _l("Subcontractor"),  # a request through the vendor portal names it
    },
    values={
        "status": subcontract_models.STATUS_LABELS,
        "consent_type": subcontract_models.CONSENT_TYPE_LABELS,
        "recommendation": subcontract_models.RECOMMENDATION_LABELS,
    },
)

DISPOSALS = LogLabels(
    fields={
        **form_labels(disposal_forms.CertificateForm),
        "subcontract_id": _l("Subcontract chain node"),
        "level": _l("Chain level"),
        "confirmed_at": _l("Confirmed at"),
        "certificate_file": _l("Certificate"),
    },
    values={"method": disposal_models.METHOD_LABELS, "reason": disposal_models.REASON_LABELS},
)

INCIDENTS = LogLabels(
    fields={
        **form_labels(incident_forms.IncidentForm, incident_forms.CloseForm),
        "reevaluation_requested_on": _l("Re-evaluation requested on"),
        # A notice through the vendor portal: the instants behind vendor_knew_on / vendor_notified_on.
        "vendor_knew_at": _l("When the vendor learned of it"),
        "vendor_notified_at": _l("Notice received"),
    },
    values={
        "status": incident_models.STATUS_LABELS,
        "kind": incident_models.KIND_LABELS,
        "cause_party": incident_models.CAUSE_PARTY_LABELS,
    },
    references={"owner_id": "user"},
)
INCIDENT_STEPS = LogLabels(
    fields={**form_labels(incident_forms.StepForm), "done_on": _l("Done on")},
    values={"status": incident_models.STEP_STATUS_LABELS},
)


PORTAL_REQUESTS = LogLabels(
    fields={
        "contacts": _l("Contacts"),
        "submission": _l("Submitted version"),
        "comments": _l("Comments per item"),
        "audit_id": _l("Audit"),
        "evaluation_id": _l("Evaluation"),
        "subject_id": _l("Return/deletion item"),
        "file_items": _l("Evidence for item"),
        "expires_at": _l("Link valid until"),
        "revoked_links": _l("Withdrawn links"),
    },
    values={"status": portal_models.STATUS_LABELS, "kind": portal_models.KIND_LABELS},
)


def _names(column, label) -> Any:
    return lambda ids: select(column.label("id"), label.label("name")).where(column.in_(ids))


VENDOR_NAMES = {"vendor": _names(vendor_models.Vendor.id, vendor_models.Vendor.name)}
CONTRACT_NAMES = {"contract": _names(contract_models.Contract.id, contract_models.Contract.number)}
USER_NAMES = {"user": _names(User.id, User.name)}
SUBCONTRACT_NAMES = {
    "subcontract": lambda ids: select(
        subcontract_models.Subcontract.id.label("id"), vendor_models.Vendor.name.label("name")
    )
    .join(vendor_models.Vendor, vendor_models.Vendor.id == subcontract_models.Subcontract.vendor_id)
    .where(subcontract_models.Subcontract.id.in_(ids))
}
DISPOSAL_NAMES = {
    "disposal": lambda ids: select(
        disposal_models.DisposalItem.id.label("id"),
        (contract_models.Contract.number + " " + vendor_models.Vendor.name).label("name"),
    )
    .join(contract_models.Contract, contract_models.Contract.id == disposal_models.DisposalItem.contract_id)
    .join(vendor_models.Vendor, vendor_models.Vendor.id == disposal_models.DisposalItem.vendor_id)
    .where(disposal_models.DisposalItem.id.in_(ids))
}

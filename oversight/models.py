"""Every feature's models, imported in one place for Alembic and ``flask shell``."""

from oversight.activity.models import ActivityLog
from oversight.admin.models import Setting
from oversight.audits.models import Audit, AuditResult, AuditTrigger, Finding
from oversight.auth.models import RecoveryCode, User, UserRole
from oversight.checklists.models import ChecklistItem, ChecklistTemplate
from oversight.contracts.models import ClauseResult, Contract, ContractDocument, ContractReview
from oversight.corporate_numbers.models import CorporateRecord
from oversight.dashboard.models import CalendarToken, CoverageSnapshot
from oversight.disposals.models import DisposalItem
from oversight.evaluations.models import Evaluation, EvaluationAnswer
from oversight.events.models import Event
from oversight.evidence.models import EvidenceFile
from oversight.incidents.models import Incident, IncidentStep
from oversight.portal.models import PortalLink, PortalRequest, PortalSubmission
from oversight.reminders.models import ReminderLog, SchedulerLease
from oversight.status.models import VendorState, VendorUnitState
from oversight.subcontracts.models import Subcontract, SubcontractConsent
from oversight.units.models import BusinessUnit
from oversight.vendors.models import Vendor, VendorCertification, VendorContact
from oversight.webhooks.models import WebhookDelivery, WebhookEndpoint

__all__ = [
    "ActivityLog",
    "Audit",
    "AuditResult",
    "AuditTrigger",
    "BusinessUnit",
    "CalendarToken",
    "ChecklistItem",
    "ChecklistTemplate",
    "ClauseResult",
    "Contract",
    "ContractDocument",
    "ContractReview",
    "CorporateRecord",
    "CoverageSnapshot",
    "DisposalItem",
    "Evaluation",
    "EvaluationAnswer",
    "Event",
    "EvidenceFile",
    "Finding",
    "Incident",
    "IncidentStep",
    "PortalLink",
    "PortalRequest",
    "PortalSubmission",
    "RecoveryCode",
    "ReminderLog",
    "SchedulerLease",
    "Setting",
    "Subcontract",
    "SubcontractConsent",
    "User",
    "UserRole",
    "Vendor",
    "VendorCertification",
    "VendorContact",
    "VendorState",
    "VendorUnitState",
    "WebhookDelivery",
    "WebhookEndpoint",
]

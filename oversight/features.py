"""The features of Oversight, listed once: what each adds to the reminder sweep, the daily jobs and
the evidence downloads.

This is the one registry of feature modules (``oversight.core.registry``): ``create_app`` installs
it, and the sweep, the scheduler and the evidence views read it from there. The duty features come
in the legal order of the supervision (選定 → 契約 → 把握 → 再委託 → 返却・廃棄 → 事案). A new feature
with reminder rules, a daily job or evidence files adds its line here.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from oversight import log_labels as log
from oversight.audits import rules as audit_rules
from oversight.audits import timed_events as audit_events
from oversight.contracts import rules as contract_rules
from oversight.contracts import timed_events as contract_events
from oversight.core.due import DigestKind
from oversight.core.registry import Feature, Registry
from oversight.dashboard import snapshots
from oversight.disposals import rules as disposal_rules
from oversight.disposals import services as disposal_services
from oversight.disposals import timed_events as disposal_events
from oversight.evaluations import rules as evaluation_rules
from oversight.evidence.owners import readable_by_everyone
from oversight.incidents import rules as incident_rules
from oversight.incidents import timed_events as incident_events
from oversight.portal import recurring as portal_recurring
from oversight.portal import rules as portal_rules
from oversight.reminders import approval_rules
from oversight.subcontracts import rules as subcontract_rules
from oversight.vendors import rules as vendor_rules
from oversight.webhooks import retention as webhook_retention


def _rules_feature(name: str, module, **extra) -> Feature:
    return Feature(name, reminder_rules=module.RULES, digest_kinds=module.DIGEST_KINDS, **extra)


def build_registry() -> Registry:
    return Registry((
        _rules_feature(
            "vendors", vendor_rules, log_labels={"vendor": log.VENDORS}, log_names=log.VENDOR_NAMES,
        ),
        _rules_feature(
            "evaluations", evaluation_rules, evidence_owners=readable_by_everyone("evaluation_answer"),
            log_labels={"evaluation": log.EVALUATIONS},
        ),
        _rules_feature(
            "contracts", contract_rules, daily_jobs=(contract_events.ending_events,),
            evidence_owners=readable_by_everyone("contract"),
            log_labels={"contract": log.CONTRACTS}, log_names=log.CONTRACT_NAMES,
        ),
        _rules_feature(
            "audits", audit_rules, daily_jobs=(audit_events.overdue_events,),
            evidence_owners=readable_by_everyone("audit", "audit_item", "finding"),
            log_labels={"audit": log.AUDITS, "audit_trigger": log.AUDITS, "finding": log.FINDINGS},
        ),
        _rules_feature(
            "subcontracts", subcontract_rules, evidence_owners=readable_by_everyone("subcontract_consent"),
            log_labels={"subcontract": log.SUBCONTRACTS, "subcontract_consent": log.CONSENTS},
            log_names=log.SUBCONTRACT_NAMES,
        ),
        _rules_feature(
            "disposals", disposal_rules,
            daily_jobs=(disposal_services.daily_close, disposal_events.overdue_events),
            evidence_owners=readable_by_everyone("disposal"),
            log_labels={"disposal": log.DISPOSALS}, log_names=log.DISPOSAL_NAMES,
        ),
        _rules_feature(
            "incidents", incident_rules, daily_jobs=(incident_events.deadline_events,),
            evidence_owners=readable_by_everyone("incident", "incident_step"),
            log_labels={"incident": log.INCIDENTS, "incident_step": log.INCIDENT_STEPS},
        ),
        _rules_feature("reminders", approval_rules),
        _rules_feature(
            "portal", portal_rules,
            daily_jobs=(portal_recurring.open_due_reports,),
            evidence_owners=readable_by_everyone("portal_request"),
            log_labels={"portal_request": log.PORTAL_REQUESTS, "portal_link": log.PORTAL_REQUESTS,
                        "vendor_contact": log.PORTAL_REQUESTS},
        ),
        Feature("dashboard", daily_jobs=(snapshots.monthly_snapshot_job,)),
        Feature("webhooks", daily_jobs=(webhook_retention.daily_prune,), log_labels={"webhook_endpoint": log.WEBHOOKS}),
        Feature(
            "general", digest_kinds=(DigestKind("general", _l("Reminders"), order=1000),),
            log_labels={
                "*": log.COMMON, "user": log.USERS, "setting": log.SETTINGS,
                "checklist_template": log.CHECKLISTS, "evidence_file": log.EVIDENCE,
            },
            log_names=log.USER_NAMES,
        ),
    ))

"""The in-app guide: for each page, what it is for, who acts next and its legal basis in one line.

The base layout shows the guide of ``request.endpoint`` in a closed ``<details>`` 「このページについて」, so
feature templates need no edits. Who acts next follows ``docs/roles.md`` and ``docs/permissions.md``;
the legal basis cites 番号法 ([ACT]) and 「特定個人情報の適正な取扱いに関するガイドライン（事業者編）」 ([GL])
as ``../shared/domain/guideline-reference.md`` quotes them. A page of the app gets an entry here
(``tests/web/test_help.py`` checks every page that renders HTML).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Guide:
    purpose: object
    next_actor: object
    basis: object


# --- legal bases, one line each, shared by the pages of one duty ------------------------------------------
SUPERVISION = _l(
    "My Number Act Art. 11 (necessary and appropriate supervision of the vendor); "
    "Guideline (business operators) 4-2-(1)."
)
SELECTION = _l(
    "Guideline 4-2-(1) 1B: before entrusting, confirm the vendor can take safeguards equal to our own "
    "(facilities, technical level, staff supervision and training, business environment); Appendix 1."
)
CONTRACT = _l(
    "Guideline 4-2-(1) 1B: the contract must contain confidentiality, no removal, no other use, subcontracting "
    "conditions, liability for leaks, return/deletion at the end, staff supervision and reports on compliance."
)
MONITORING = _l(
    "Guideline 4-2-(1) 1B: keep track of how the vendor handles the data, e.g. through the reports the contract "
    "requires, and evaluate it; the law sets no audit frequency (the interval here is a setting)."
)
SUBCONTRACTING = _l(
    "My Number Act Art. 10 (1)(2): a vendor may subcontract only with the consent of the original principal, at every "
    "level; Guideline 4-2-(1) 2B/2C; PPC Q&A 3-9 for advance consent."
)
RETURN_DELETION = _l(
    "Guideline 4-2-(1) 1B (the data returned or deleted after the contract ends) and Appendix 1 2Ed (irrecoverable "
    "deletion, confirmed by a certificate when the vendor deletes)."
)
INCIDENTS = _l(
    "My Number Act Art. 29-4; PPC Rules Art. 2-5; Guideline Appendix 2: preliminary report promptly (about 3-5 days), "
    "final report within 30 days (60 for an improper purpose); the vendor's notice to us discharges its own duty."
)
SCOPE = _l(
    "Guideline Appendix 1 1A/1B (which work uses My Numbers and which data is in scope) and 2G (handling abroad)."
)
RECORDS = _l(
    "Guideline Appendix 1 2Cb/2Cc (records of handling, with no My Number in them); the law sets no retention "
    "period for oversight records."
)
ACCESS = _l("Guideline Appendix 1 2Ca (roles and responsibilities) and 2Fa/2Fb (access control, identification).")
DESIGN_ONLY = _l("No legal rule of its own: it serves the duties of My Number Act Art. 11 (Guideline 4-2-(1)).")

# --- who acts next (docs/roles.md, docs/permissions.md) --------------------------------------------------------
EACH_ROLE = _l("Everyone sees the items their own roles can act on now; reminders go to the same people.")
VENDOR_NEXT = _l(
    "Procurement (or an administrator) keeps the entry current and starts the selection evaluation; "
    "the owner of a red light acts on it."
)
EVALUATION_NEXT = _l(
    "Procurement answers the checklist and submits it; a manager who did not submit it approves, approves with "
    "conditions, rejects or returns it."
)
CONTRACT_NEXT = _l(
    "Procurement drafts and submits; legal reviews every clause and clears or returns the round; a manager who took "
    "no part approves it (and any waiver); procurement or legal records the signature."
)
REVIEW_NEXT = _l(
    "Legal judges each clause (required: C01-C08) and clears or returns the round; a missing required clause needs a "
    "waiver approved by a manager."
)
WORKLIST_NEXT = _l("Legal for rounds under review; managers for cleared contracts and waivers.")
AUDIT_NEXT = _l(
    "The auditor plans, records and submits the audit; a manager who is not one of its auditors signs it off or "
    "returns it; auditors or managers may ask for an extra audit."
)
FINDING_NEXT = _l(
    "The auditor sends the requested action to the vendor, records its corrective plan, verifies the action and "
    "closes the finding."
)
SUBCONTRACT_NEXT = _l(
    "Procurement records the subcontractor and requests consent; legal reviews the request; a manager of our company "
    "(never a vendor) grants or refuses it; procurement tells the vendor."
)
RETURN_DELETION_NEXT = _l(
    "Procurement (or an administrator) records the vendor's deletion certificate; a manager who did not record it "
    "confirms it, or returns it with the reason for procurement to record a corrected one."
)
INCIDENT_NEXT = _l(
    "Procurement, legal, auditors and managers record the steps (preliminary and final report, notice to "
    "individuals); a manager waives or reopens a step and closes the incident."
)
ADMIN_NEXT = _l("Administrators only; they never approve oversight records.")
YOU_NEXT = _l("You.")

DASHBOARD = Guide(
    _l("The state of every duty at a glance: overdue and due items, the five lights, and the work waiting for you."),
    EACH_ROLE,
    SUPERVISION,
)
DUE = Guide(_l("Every due date of the oversight records, overdue first."), EACH_ROLE, SUPERVISION)
WORK = Guide(_l("The records waiting for a decision that your roles allow, oldest first."), EACH_ROLE, SUPERVISION)
CALENDAR = Guide(_l("The due dates of the month on a calendar."), EACH_ROLE, SUPERVISION)
FEED = Guide(
    _l("A private calendar address (iCalendar) that shows your due dates in your own calendar app."),
    YOU_NEXT,
    DESIGN_ONLY,
)
VENDORS = Guide(
    _l("The register of vendors entrusted with My Number work, with their five oversight lights."),
    VENDOR_NEXT,
    SUPERVISION,
)
VENDOR = Guide(
    _l("One vendor: its register entry, its five lights and every oversight record, with the PDF and evidence pack."),
    VENDOR_NEXT,
    SUPERVISION,
)
VENDOR_FORM = Guide(
    _l(
        "The register entry of a vendor: entrusted work, data in scope, where the data is handled, contacts and "
        "certifications."
    ),
    VENDOR_NEXT,
    SCOPE,
)
EVALUATIONS = Guide(
    _l("Selection evaluations (checklist S01-S30): whether each vendor may be entrusted, and until when."),
    EVALUATION_NEXT,
    SELECTION,
)
EVALUATION = Guide(
    _l("One selection evaluation: the answer and evidence per checklist item, the result and the decision."),
    EVALUATION_NEXT,
    SELECTION,
)
CONTRACTS = Guide(
    _l("Contracts with the vendors and where each stands: draft, legal review, approval, signed, ended."),
    CONTRACT_NEXT,
    CONTRACT,
)
CONTRACT_PAGE = Guide(
    _l("One contract: its term, the handling of the data at its end, the clause review rounds and the documents."),
    CONTRACT_NEXT,
    CONTRACT,
)
CONTRACT_FORM = Guide(
    _l(
        "A contract's draft: entrusted work, data scope, term, incident notice deadline and return/deletion at the end."
    ),
    CONTRACT_NEXT,
    CONTRACT,
)
REVIEW = Guide(
    _l("Legal's clause review: each clause C01-C19 present, insufficient or missing, with its article and a quote."),
    REVIEW_NEXT,
    CONTRACT,
)
WORKLIST = Guide(_l("Contracts waiting for legal or for a manager."), WORKLIST_NEXT, CONTRACT)
AUDITS = Guide(
    _l("The monitoring schedule: when each vendor's next audit falls due, by risk tier."), AUDIT_NEXT, MONITORING
)
AUDIT_RECORDS = Guide(_l("Every audit recorded, with its rating and decision."), AUDIT_NEXT, MONITORING)
AUDIT = Guide(
    _l("One audit (on-site, remote, questionnaire or periodic report review): results A01-A20, findings, decision."),
    AUDIT_NEXT,
    MONITORING,
)
AUDIT_FORM = Guide(_l("Plan or record an audit and its checklist results."), AUDIT_NEXT, MONITORING)
FINDINGS = Guide(
    _l("Findings of the audits: the corrective action asked of the vendor, its due date and verification."),
    FINDING_NEXT,
    MONITORING,
)
SUBCONTRACTS = Guide(
    _l("Subcontract chains and their consents: every subcontractor, at every level, needs our consent."),
    SUBCONTRACT_NEXT,
    SUBCONTRACTING,
)
SUBCONTRACT = Guide(
    _l("One subcontractor in a chain: its consent requests, the review, the decision and its evaluation."),
    SUBCONTRACT_NEXT,
    SUBCONTRACTING,
)
RETURNS = Guide(
    _l("Return/deletion of the data when a contract ends, for the vendor and each consented subcontractor."),
    RETURN_DELETION_NEXT,
    RETURN_DELETION,
)
RETURN = Guide(
    _l("One return/deletion item: its due date, the deletion certificate and our confirmation."),
    RETURN_DELETION_NEXT,
    RETURN_DELETION,
)
INCIDENTS_LIST = Guide(
    _l("Incidents (leak, loss or damage) at a vendor, with their report deadlines."), INCIDENT_NEXT, INCIDENTS
)
INCIDENT = Guide(
    _l("One incident: when each party knew, report categories R1-R4, the deadlines and each step."),
    INCIDENT_NEXT,
    INCIDENTS,
)
ACTIVITY = Guide(_l("Who changed what and when, including sign-ins and refusals."), ADMIN_NEXT, RECORDS)
USERS = Guide(
    _l("People and their roles. Nobody approves what they drafted, submitted or recorded."), ADMIN_NEXT, ACCESS
)
CORPORATE_DATA = Guide(
    _l("The National Tax Agency's published corporate-number data, used to fill and check vendors."),
    ADMIN_NEXT,
    DESIGN_ONLY,
)
UNITS = Guide(
    _l("The group's companies and departments: each sees its own vendors and records, and its managers approve "
       "and are reminded of them."),
    ADMIN_NEXT,
    ACCESS,
)
SETTINGS = Guide(_l("Reminder stages, audit intervals by risk tier and the company name."), ADMIN_NEXT, MONITORING)
CHECKLISTS = Guide(
    _l("Checklist templates built from the guideline; a finished review keeps the version it used."),
    ADMIN_NEXT,
    SELECTION,
)
TOKENS = Guide(
    _l("Personal access tokens that let another system use the API in your name; each is shown once."),
    YOU_NEXT,
    DESIGN_ONLY,
)
ALL_TOKENS = Guide(
    _l("Every user's API access tokens; revoke one that leaked or is no longer needed."), ADMIN_NEXT, ACCESS
)
WEBHOOKS = Guide(
    _l("Endpoints of other systems that receive Oversight's events as signed JSON, with each one's delivery "
       "log; send a test event, renew the secret, disable or delete an endpoint."),
    ADMIN_NEXT,
    DESIGN_ONLY,
)
OUTBOX = Guide(_l("Reminder e-mails sent, waiting or failed; send a failed one again."), ADMIN_NEXT, DESIGN_ONLY)
IMPORTS = Guide(
    _l(
        "Bring the existing registers in from Excel or CSV (vendors, contracts, subcontract relations): upload the "
        "file, check every row in the preview, then import all the valid rows at once (or nothing)."
    ),
    _l(
        "Procurement (or an administrator) imports. Imported vendors start their selection evaluation, imported "
        "contracts wait as drafts for legal's clause review, and a consent the register records waits for legal's "
        "review and a manager's decision."
    ),
    SCOPE,
)
REQUESTS = Guide(
    _l(
        "Requests to the vendor's contacts through the vendor portal (periodic reports, selection questionnaires, "
        "return/deletion certificates, certification renewals, corrective plans), their answers and review."
    ),
    _l(
        "Staff send the request; the vendor's contact answers in the portal; the reviewer of its kind (an auditor "
        "for reports and corrective plans, procurement for the others) returns the submission with comments or "
        "accepts it, which records it where it belongs."
    ),
    MONITORING,
)
PASSWORD = Guide(_l("Change your password."), YOU_NEXT, ACCESS)
SECOND_FACTOR = Guide(
    _l("A code from your authenticator app proves it is you, at sign-in and before sensitive changes."),
    YOU_NEXT, ACCESS,
)

GUIDES: dict[str, Guide] = {
    "dashboard.index": DASHBOARD,
    "dashboard.due_list": DUE,
    "dashboard.work_list": WORK,
    "dashboard.calendar": CALENDAR,
    "dashboard.feed_settings": FEED,
    "vendors.index": VENDORS,
    "vendors.detail": VENDOR,
    "vendors.create": VENDOR_FORM,
    "vendors.edit": VENDOR_FORM,
    "vendors.change_status": VENDOR_FORM,
    "vendors.add_contact": VENDOR_FORM,
    "vendors.edit_contact": VENDOR_FORM,
    "vendors.add_certification": VENDOR_FORM,
    "vendors.edit_certification": VENDOR_FORM,
    "evaluations.index": EVALUATIONS,
    "evaluations.detail": EVALUATION,
    "evaluations.edit": EVALUATION,
    "evaluations.submit": EVALUATION,
    "contracts.index": CONTRACTS,
    "contracts.detail": CONTRACT_PAGE,
    "contracts.create": CONTRACT_FORM,
    "contracts.edit": CONTRACT_FORM,
    "contracts.review": REVIEW,
    "contracts.worklist": WORKLIST,
    "audits.index": AUDITS,
    "audits.records": AUDIT_RECORDS,
    "audits.detail": AUDIT,
    "audits.create": AUDIT_FORM,
    "audits.edit": AUDIT_FORM,
    "audits.checklist": AUDIT_FORM,
    "audits.submit": AUDIT_FORM,
    "audits.trigger": AUDIT_FORM,
    "audits.add_finding": FINDINGS,
    "audits.findings": FINDINGS,
    "audits.finding": FINDINGS,
    "subcontracts.index": SUBCONTRACTS,
    "subcontracts.detail": SUBCONTRACT,
    "subcontracts.contract_tree": SUBCONTRACTS,
    "subcontracts.vendor_tree": SUBCONTRACTS,
    "subcontracts.start": SUBCONTRACT,
    "subcontracts.create": SUBCONTRACT,
    "subcontracts.request_consent": SUBCONTRACT,
    "disposals.index": RETURNS,
    "disposals.detail": RETURN,
    "incidents.index": INCIDENTS_LIST,
    "incidents.detail": INCIDENT,
    "incidents.create": INCIDENT,
    "incidents.edit": INCIDENT,
    "incidents.step": INCIDENT,
    "incidents.close": INCIDENT,
    "activity.index": ACTIVITY,
    "admin.users": USERS,
    "admin.create_user": USERS,
    "admin.edit_user": USERS,
    "admin.units": UNITS,
    "admin.edit_unit": UNITS,
    "admin.settings": SETTINGS,
    "corporate_numbers.index": CORPORATE_DATA,
    "admin.tokens": ALL_TOKENS,
    "webhooks.index": WEBHOOKS,
    "webhooks.create": WEBHOOKS,
    "webhooks.edit": WEBHOOKS,
    "webhooks.deliveries": WEBHOOKS,
    "webhooks.rotate_secret": WEBHOOKS,
    "checklists.index": CHECKLISTS,
    "checklists.detail": CHECKLISTS,
    "checklists.edit": CHECKLISTS,
    "checklists.add_item": CHECKLISTS,
    "checklists.edit_item": CHECKLISTS,
    "reminders.outbox": OUTBOX,
    "requests.vendor_requests": REQUESTS,
    "requests.create": REQUESTS,
    "requests.detail": REQUESTS,
    "imports.index": IMPORTS,
    "imports.upload": IMPORTS,
    "imports.preview": IMPORTS,
    "auth.password": PASSWORD,
    "auth.tokens": TOKENS,
    "auth.enrol_second_factor": SECOND_FACTOR,
    "auth.verify_second_factor": SECOND_FACTOR,
}


def guide_for(endpoint: str | None) -> Guide | None:
    """The guide of the page ``endpoint`` renders, or None (sign-in, downloads, the glossary itself)."""
    return GUIDES.get(endpoint or "")

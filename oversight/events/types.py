"""The event types, named once: the services record them, the webhook endpoints subscribe to them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

VENDOR_LIGHT_CHANGED = "vendor.light_changed"
EVALUATION_DECIDED = "evaluation.decided"
CONTRACT_APPROVED = "contract.approved"
CONTRACT_SIGNED = "contract.signed"
CONTRACT_ENDING = "contract.ending"
CONSENT_DECIDED = "consent.decided"
FINDING_OVERDUE = "finding.overdue"
DISPOSAL_OVERDUE = "disposal.overdue"
DISPOSAL_CONFIRMED = "disposal.confirmed"
INCIDENT_OPENED = "incident.opened"
INCIDENT_DEADLINE_NEAR = "incident.deadline_near"
PORTAL_SUBMISSION_RECEIVED = "portal.submission_received"
TEST = "webhook.test"  # sent to one endpoint by its "send test event" button; no endpoint subscribes to it

# Every type an endpoint can subscribe to, in the order of the duties, with its label.
LABELS = {
    VENDOR_LIGHT_CHANGED: _l("Vendor light changed"),
    EVALUATION_DECIDED: _l("Evaluation decided"),
    CONTRACT_APPROVED: _l("Contract approved"),
    CONTRACT_SIGNED: _l("Contract signed"),
    CONTRACT_ENDING: _l("Contract ending"),
    CONSENT_DECIDED: _l("Subcontracting consent decided"),
    FINDING_OVERDUE: _l("Finding overdue"),
    DISPOSAL_OVERDUE: _l("Return/deletion overdue"),
    DISPOSAL_CONFIRMED: _l("Return/deletion confirmed"),
    INCIDENT_OPENED: _l("Incident opened"),
    INCIDENT_DEADLINE_NEAR: _l("Incident report deadline near"),
    PORTAL_SUBMISSION_RECEIVED: _l("Portal submission received"),
}
SUBSCRIBABLE = tuple(LABELS)


def label(event_type: str) -> str:
    """The translated name of an event type (the code itself when unknown)."""
    if event_type == TEST:
        return str(_l("Test event"))
    return str(LABELS[event_type]) if event_type in LABELS else event_type

"""What the incident pages show besides the records themselves, computed before rendering."""

from __future__ import annotations

from datetime import date
from typing import Any

from oversight.evidence import services as evidence_services
from oversight.incidents import permissions, status
from oversight.incidents.clocks import CATEGORY_LABELS, Category
from oversight.incidents.models import Incident

CLOCK_CLASSES = {
    status.DONE: "success",
    status.RUNNING: "primary",
    status.SOON: "warning",
    status.LATE: "danger",
    status.NOT_APPLICABLE: "secondary",
}


def detail_context(incident: Incident, *, user: Any, today: date) -> dict[str, Any]:
    """The incident page: clocks, reportability, steps with their files, and what ``user`` may do."""
    step_ids = [step.id for step in incident.steps]
    return {
        "incident": incident,
        "clocks": status.incident_clocks(incident, today),
        "clock_classes": CLOCK_CLASSES,
        "reportability": status.reportability(incident),
        "knew_on": status.principal_knew_on(incident),
        "category_labels": [str(CATEGORY_LABELS[Category(code)]) for code in status.categories(incident)],
        "step_files": evidence_services.files_for_many("incident_step", step_ids),
        # What the vendor attached to its notice through the portal.
        "incident_files": evidence_services.files_for("incident", incident.id),
        "can_record": permissions.can_record(user, incident),
        "can_manage": permissions.can_manage(user, incident),
    }


def finding_labels(form: Any) -> list[str]:
    """The app's finding for the facts in the incident form, as category labels (shown above the reason field)."""
    return [str(CATEGORY_LABELS[Category(code)]) for code in form.finding()]


def list_context(incidents: list[Incident], today: date) -> dict[str, Any]:
    """Per listed incident: reportable or not, and the most urgent clock (an open incident's only: the list
    shows no clock for a closed one)."""
    rows = {}
    for incident in incidents:
        view = status.reportability(incident)
        pending = []
        if incident.is_open:
            pending = [
                clock
                for clock in status.incident_clocks(incident, today, view)
                if clock.due_on and clock.state in (status.LATE, status.SOON, status.RUNNING)
            ]
            pending.sort(key=lambda clock: clock.due_on)
        rows[incident.id] = {
            "is_reportable": view.is_reportable,
            "next_clock": pending[0] if pending else None,
        }
    return {"rows": rows, "clock_classes": CLOCK_CLASSES}

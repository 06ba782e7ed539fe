"""The audit and finding lists as CSV/XLSX rows."""

from __future__ import annotations

from collections.abc import Iterator

from flask_babel import gettext as _
from sqlalchemy import Select

from oversight.core.exports import ListExport, batched


def _audit_rows(query: Select) -> Iterator[tuple]:
    for audit in batched(query):
        yield (
            audit.id,
            audit.vendor.name,
            audit.kind_label,
            audit.status_label,
            audit.planned_on,
            audit.conducted_on,
            audit.rating_label,
            audit.decision_label,
            audit.completed_on,
        )

def _audit_header() -> list[str]:
    return [
        _("ID"),
        _("Vendor"),
        _("Kind"),
        _("Status"),
        _("Planned on"),
        _("Conducted on"),
        _("Overall rating"),
        _("Decision"),
        _("Completed on"),
    ]

def _finding_rows(query: Select) -> Iterator[tuple]:
    for finding in batched(query):
        yield (
            finding.id,
            finding.vendor.name,
            finding.audit_id,
            finding.item.code if finding.item else "",
            finding.severity_label,
            finding.status_label,
            finding.description,
            finding.requested_action,
            finding.due_on,
            finding.plan_received_on,
            finding.verified_on,
            finding.closed_on,
        )

def _finding_header() -> list[str]:
    return [
        _("ID"),
        _("Vendor"),
        _("Audit"),
        _("Item"),
        _("Severity"),
        _("Status"),
        _("Description"),
        _("Requested action"),
        _("Due date"),
        _("Plan received on"),
        _("Verified on"),
        _("Closed on"),
    ]


AUDITS = ListExport("audits", lambda: _("Audits"), _audit_header, _audit_rows)
FINDINGS = ListExport("findings", lambda: _("Findings"), _finding_header, _finding_rows)

"""CSV and Excel downloads of the list pages, with the page's filters applied.

One convention everywhere: each list has an ``export`` route beside it taking the list's own query
string plus ``format=csv`` (default) or ``format=xlsx``. The view builds the list's query as the page
does and calls ``download(kind, query)``; rows are read in batches (``yield_per``) and streamed
through ``core.exports``, so a long list never sits in memory.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from flask import Response
from flask_babel import gettext as _
from sqlalchemy import Select
from sqlalchemy.orm import joinedload

from oversight.activity.actions import action_label
from oversight.auth.roles import ROLE_LABELS
from oversight.core.exports import csv_response, xlsx_response
from oversight.core.timeutil import local_today
from oversight.extensions import db
from oversight.reports import data
from oversight.subcontracts.models import Subcontract, SubcontractConsent

BATCH = 500


def batched(query: Select, size: int = BATCH) -> Iterator[Any]:
    """The query's rows, fetched ``size`` at a time."""
    yield from db.session.scalars(query.execution_options(yield_per=size))


@dataclass(frozen=True)
class ListExport:
    """What one list exports: a file stem, a sheet title, the header and the rows of a query."""

    stem: str
    title: Callable[[], str]
    header: Callable[[], list[str]]
    rows: Callable[[Select], Iterable[tuple]]


def _vendor_rows(query: Select) -> Iterator[tuple]:
    ids = list(db.session.scalars(query.with_only_columns(data.Vendor.id).options()))
    for row in data.register_rows(ids, localised=True):
        yield (
            row.vendor_id,
            row.name,
            row.name_kana,
            row.corporate_number,
            row.status,
            row.risk,
            row.owner,
            *(light.text if light else "" for light in row.lights),
        )


def _vendor_header() -> list[str]:
    return [
        _("ID"),
        _("Legal name"),
        _("Name (kana)"),
        _("Corporate number"),
        _("Status"),
        _("Risk tier"),
        _("Owner"),
        _("Selection"),
        _("Contract"),
        _("Monitoring"),
        _("Subcontracting"),
        _("Return/deletion"),
    ]


def _evaluation_rows(query: Select) -> Iterator[tuple]:
    for evaluation in batched(query):
        yield (
            evaluation.id,
            evaluation.vendor.name,
            evaluation.status_label,
            evaluation.decision_label,
            evaluation.submitted_at,
            evaluation.decided_at,
            evaluation.valid_until,
            evaluation.conditions,
        )


def _evaluation_header() -> list[str]:
    return [
        _("ID"),
        _("Vendor"),
        _("Status"),
        _("Decision"),
        _("Submitted at"),
        _("Decided at"),
        _("Valid until"),
        _("Conditions"),
    ]


def _disposal_rows(query: Select) -> Iterator[tuple]:
    for item in batched(query):
        yield (
            item.id,
            item.contract.number,
            item.vendor.name,
            item.level,
            item.reason_label,
            item.opened_on,
            item.due_on,
            item.state_label,
            item.method_label,
            item.completed_on,
            item.certificate_number,
            item.confirmed_at,
        )


def _disposal_header() -> list[str]:
    return [
        _("ID"),
        _("Contract number"),
        _("Vendor"),
        _("Chain level"),
        _("Reason"),
        _("Opened on"),
        _("Due date"),
        _("State"),
        _("Method"),
        _("Completed on"),
        _("Certificate number"),
        _("Confirmed at"),
    ]


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


def _incident_rows(query: Select) -> Iterator[tuple]:
    for incident in batched(query):
        yield (
            incident.id,
            incident.vendor.name,
            incident.title,
            incident.kind_label,
            incident.status_label,
            incident.chain_level,
            incident.occurred_on,
            incident.vendor_knew_on,
            incident.department_knew_on,
            ", ".join(incident.categories or []),
            incident.people_final,
            incident.closed_on,
        )


def _incident_header() -> list[str]:
    return [
        _("ID"),
        _("Vendor"),
        _("Title"),
        _("Kind"),
        _("Status"),
        _("Chain level"),
        _("Occurred on"),
        _("Vendor knew on"),
        _("Department knew on"),
        _("Categories"),
        _("People (final)"),
        _("Closed on"),
    ]


def _user_rows(query: Select) -> Iterator[tuple]:
    for user in db.session.scalars(query).unique():
        yield (
            user.id,
            user.name,
            user.email,
            ", ".join(str(ROLE_LABELS.get(role, role)) for role in user.roles),
            user.language,
            user.is_enabled,
            user.last_login_at,
        )


def _user_header() -> list[str]:
    return [_("ID"), _("Name"), _("Email"), _("Roles"), _("Language"), _("Enabled"), _("Last sign-in")]


def _activity_rows(query: Select) -> Iterator[tuple]:
    for row in batched(query, 1000):
        yield (
            row.id,
            row.occurred_at,
            row.actor_label,
            row.action,
            str(action_label(row.action)),
            row.object_type or "",
            row.object_id,
            row.summary,
            json.dumps(row.changes, ensure_ascii=False) if row.changes else "",
            row.ip_address or "",
            row.user_agent or "",
        )


def _activity_header() -> list[str]:
    return [
        "id",
        "occurred_at",
        "user",
        "action",
        "action_label",
        "object_type",
        "object_id",
        "summary",
        "changes",
        "ip_address",
        "user_agent",
    ]


def subcontract_query() -> Select:
    """Every subcontract node with each of its consent requests (one row per request, or one without)."""
    return (
        db.select(Subcontract, SubcontractConsent)
        .outerjoin(SubcontractConsent, SubcontractConsent.subcontract_id == Subcontract.id)
        .options(
            joinedload(Subcontract.vendor), joinedload(Subcontract.parent_vendor), joinedload(Subcontract.contract)
        )
        .order_by(Subcontract.contract_id, Subcontract.path, Subcontract.id, SubcontractConsent.id)
    )


def _subcontract_rows(query: Select) -> Iterator[tuple]:
    for node, consent in db.session.execute(query):
        yield (
            node.id,
            node.contract.number,
            node.level,
            node.vendor.name,
            node.parent_vendor.name,
            consent.id if consent else None,
            consent.status_label if consent else "",
            consent.consent_type_label if consent else "",
            consent.decided_at if consent else None,
            consent.expires_on if consent else None,
        )


def _subcontract_header() -> list[str]:
    return [
        _("ID"),
        _("Contract number"),
        _("Chain level"),
        _("Subcontractor"),
        _("Entrusted by"),
        _("Consent"),
        _("Consent status"),
        _("Consent type"),
        _("Decided at"),
        _("Expires on"),
    ]


EXPORTS: dict[str, ListExport] = {
    "vendors": ListExport("vendors", lambda: _("Vendors"), _vendor_header, _vendor_rows),
    "evaluations": ListExport("evaluations", lambda: _("Evaluations"), _evaluation_header, _evaluation_rows),
    "disposals": ListExport("disposals", lambda: _("Return/deletion"), _disposal_header, _disposal_rows),
    "audits": ListExport("audits", lambda: _("Audits"), _audit_header, _audit_rows),
    "findings": ListExport("findings", lambda: _("Findings"), _finding_header, _finding_rows),
    "incidents": ListExport("incidents", lambda: _("Incidents"), _incident_header, _incident_rows),
    "users": ListExport("users", lambda: _("Users"), _user_header, _user_rows),
    "activity": ListExport("activity-log", lambda: _("Activity log"), _activity_header, _activity_rows),
    "subcontracts": ListExport("subcontracts", lambda: _("Subcontracts"), _subcontract_header, _subcontract_rows),
}


def download(kind: str, query: Select, file_format: str | None) -> Response:
    """The list ``kind`` for ``query`` as CSV (default) or Excel (``file_format == "xlsx"``)."""
    export = EXPORTS[kind]
    stem = f"{export.stem}-{local_today().isoformat()}"
    if file_format == "xlsx":
        return xlsx_response(f"{stem}.xlsx", export.title(), export.header(), export.rows(query))
    return csv_response(f"{stem}.csv", export.header(), export.rows(query))

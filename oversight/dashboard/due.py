"""Every dated duty in one list: what the attention panel, the calendar and the iCalendar feed show.

Each source is read with a constant number of queries (aggregates and joins in SQL, the
features' own schedule and clock functions for the rules), so the cost does not grow with the data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from oversight.audits import pages as audit_pages
from oversight.audits.models import UNRESOLVED, Finding
from oversight.contracts.models import CLOSED, SIGNED, Contract
from oversight.disposals.models import DisposalItem
from oversight.evaluations.lights import latest_decisions
from oversight.evaluations.models import REJECTED
from oversight.extensions import db
from oversight.incidents import status as incident_status
from oversight.subcontracts import violations as subcontract_violations
from oversight.vendors.models import ACTIVE, SELECTED, TERMINATING, Vendor

AUDIT, CONTRACT, DISPOSAL, EVALUATION, FINDING, INCIDENT, SUBCONTRACT = (
    "audit",
    "contract",
    "disposal",
    "evaluation",
    "finding",
    "incident",
    "subcontract",
)
KIND_LABELS = {
    AUDIT: _l("Audit due"),
    DISPOSAL: _l("Return/deletion due"),
    FINDING: _l("Corrective action due"),
    EVALUATION: _l("Evaluation expires"),
    CONTRACT: _l("Contract ends"),
    INCIDENT: _l("Incident report deadline"),
    SUBCONTRACT: _l("Subcontractor without consent"),
}
# Kinds with a due date, shown on the calendar and in the feed (a missing consent has none).
CALENDAR_KINDS = (AUDIT, DISPOSAL, FINDING, EVALUATION, CONTRACT, INCIDENT)
EVALUATED_STATUSES = (SELECTED, ACTIVE, TERMINATING)


@dataclass(frozen=True)
class DueEntry:
    """One dated duty: what, for which vendor, when, and where to act on it."""

    kind: str
    object_id: int
    title: str
    vendor_name: str
    due_on: date | None
    url_path: str
    detail: str = ""
    is_late: bool = False  # overdue whatever the date says (a vendor never audited is due now)

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def uid(self) -> str:
        """Stable across feeds: the same duty on the same day keeps its identifier."""
        day = self.due_on.isoformat() if self.due_on else "none"
        return f"{self.kind}-{self.object_id}-{day}@oversight"

    def days_left(self, today: date) -> int | None:
        return None if self.due_on is None else (self.due_on - today).days

    def is_overdue(self, today: date) -> bool:
        return self.is_late or (self.due_on is not None and self.due_on < today)


def _audits(start: date | None, end: date, today: date) -> Iterable[DueEntry]:
    for row in audit_pages.schedule_rows(today, due_from=start, due_until=end):
        due = row.next_due_on
        if due <= end and (start is None or due >= start):
            detail = "" if row.last_audit_on else str(_l("Never audited"))
            yield DueEntry(
                AUDIT,
                row.vendor_id,
                row.vendor_name,
                row.vendor_name,
                due,
                f"/vendors/{row.vendor_id}",
                detail,
                is_late=row.state == audit_pages.OVERDUE,
            )


def _window(column, start: date | None, end: date):
    return (column <= end,) if start is None else (column <= end, column >= start)


def _disposals(start: date | None, end: date) -> Iterable[DueEntry]:
    query = (
        db.select(DisposalItem.id, DisposalItem.due_on, Contract.number, Vendor.name)
        .join(Contract, Contract.id == DisposalItem.contract_id)
        .join(Vendor, Vendor.id == DisposalItem.vendor_id)
        .where(DisposalItem.confirmed_at.is_(None), *_window(DisposalItem.due_on, start, end))
    )
    for row in db.session.execute(query):
        yield DueEntry(DISPOSAL, row.id, f"{row.number} — {row.name}", row.name, row.due_on, f"/disposals/{row.id}")


def _findings(start: date | None, end: date) -> Iterable[DueEntry]:
    query = (
        db.select(Finding.id, Finding.due_on, Finding.description, Vendor.name)
        .join(Vendor, Vendor.id == Finding.vendor_id)
        .where(Finding.status.in_(UNRESOLVED), *_window(Finding.due_on, start, end))
    )
    for row in db.session.execute(query):
        text = row.description if len(row.description) <= 60 else row.description[:59] + "…"
        yield DueEntry(FINDING, row.id, text, row.name, row.due_on, f"/audits/findings/{row.id}")


def _evaluations(start: date | None, end: date) -> Iterable[DueEntry]:
    vendors = dict(
        db.session.execute(db.select(Vendor.id, Vendor.name).where(Vendor.status.in_(EVALUATED_STATUSES))).all()
    )
    for vendor_id, decision in latest_decisions(list(vendors)).items():
        due = decision.valid_until
        if decision.status == REJECTED or due is None or due > end or (start is not None and due < start):
            continue
        name = vendors[vendor_id]
        yield DueEntry(EVALUATION, vendor_id, name, name, due, f"/vendors/{vendor_id}")


def _contracts(start: date | None, end: date) -> Iterable[DueEntry]:
    query = (
        db.select(Contract.id, Contract.number, Contract.title, Contract.end_on, Vendor.name)
        .join(Vendor, Vendor.id == Contract.vendor_id)
        .where(Contract.status == SIGNED, Contract.status.not_in(CLOSED), *_window(Contract.end_on, start, end))
    )
    for row in db.session.execute(query):
        yield DueEntry(CONTRACT, row.id, f"{row.number} {row.title}", row.name, row.end_on, f"/contracts/{row.id}")


def _incidents(start: date | None, end: date, today: date) -> Iterable[DueEntry]:
    for row in incident_status.open_incidents(today):
        for clock in row.clocks:
            if clock.due_on is None or clock.state not in (
                incident_status.LATE,
                incident_status.SOON,
                incident_status.RUNNING,
            ):
                continue
            if clock.due_on <= end and (start is None or clock.due_on >= start):
                incident = row.incident
                yield DueEntry(
                    INCIDENT,
                    incident.id,
                    f"{incident.title}: {clock.label}",
                    incident.vendor.name,
                    clock.due_on,
                    f"/incidents/{incident.id}",
                    clock.key,
                )


def due_entries(
    today: date, *, end: date, start: date | None = None, kinds: Iterable[str] = CALENDAR_KINDS
) -> list[DueEntry]:
    """Dated duties due on or before ``end`` (and on or after ``start`` when given), earliest first."""
    wanted = set(kinds)
    sources = {
        AUDIT: lambda: _audits(start, end, today),
        DISPOSAL: lambda: _disposals(start, end),
        FINDING: lambda: _findings(start, end),
        EVALUATION: lambda: _evaluations(start, end),
        CONTRACT: lambda: _contracts(start, end),
        INCIDENT: lambda: _incidents(start, end, today),
    }
    entries = [entry for kind, source in sources.items() if kind in wanted for entry in source()]
    return sorted(entries, key=lambda entry: (entry.due_on, CALENDAR_KINDS.index(entry.kind), entry.title))


def unconsented_nodes(today: date, limit: int) -> list[DueEntry]:
    """The first ``limit`` subcontract nodes with no valid consent, as undated attention entries."""
    return [
        DueEntry(
            SUBCONTRACT,
            violation.node.id,
            f"{violation.node.parent_vendor.name} → {violation.node.vendor.name}",
            violation.node.vendor.name,
            None,
            violation.url_path,
            violation.reason,
        )
        for violation in (subcontract_violations.first(today, limit) if limit else [])
    ]

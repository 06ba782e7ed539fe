"""Every dated duty in one list: what the attention panel, the calendar and the iCalendar feed show.

Every source but the incidents' clocks is one ``SELECT`` of the same columns, and they are read
together as one ``UNION ALL``: the calendar and the feed filter it by date, the attention panel
ranks and counts it in SQL and reads only the first rows (``due_summary``). Open incidents are few;
their clocks come from the incident rules in Python. The cost does not grow with the data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Date,
    Integer,
    Select,
    String,
    bindparam,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    type_coerce,
    union_all,
)

from oversight.audits import permissions as audit_permissions
from oversight.audits.models import UNRESOLVED, Finding
from oversight.contracts import permissions as contract_permissions
from oversight.contracts.models import SIGNED, Contract
from oversight.disposals import permissions as disposal_permissions
from oversight.disposals.models import DisposalItem
from oversight.evaluations import permissions as evaluation_permissions
from oversight.extensions import db
from oversight.incidents import permissions as incident_permissions
from oversight.incidents import status as incident_status
from oversight.status import lights as status_lights
from oversight.status import store as status_store
from oversight.status.models import VendorState
from oversight.subcontracts import permissions as subcontract_permissions
from oversight.subcontracts import violations as subcontract_violations
from oversight.units import services as unit_services
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
# Who moves each kind of duty on: the roles of the feature's own permissions (plan the audit, verify
# the corrective action, re-evaluate or decide, renew or end the contract, record or confirm the
# return/deletion, handle the incident, request or decide the consent). The attention panel shows a
# user the kinds their roles act on.
ACTING_ROLES = {
    AUDIT: frozenset(audit_permissions.RECORDERS),
    FINDING: frozenset(audit_permissions.RECORDERS),
    EVALUATION: frozenset(evaluation_permissions.EDITORS + evaluation_permissions.DECIDERS),
    CONTRACT: frozenset(contract_permissions.EDITORS + contract_permissions.TERMINATORS),
    DISPOSAL: frozenset(disposal_permissions.RECORDERS + disposal_permissions.CONFIRMERS),
    INCIDENT: frozenset(incident_permissions.RECORDERS),
    SUBCONTRACT: frozenset(subcontract_permissions.REQUESTERS + subcontract_permissions.DECIDERS),
}


def kinds_acted_on(roles: Iterable[str]) -> frozenset[str]:
    """The kinds of duty that a user holding ``roles`` acts on."""
    held = set(roles)
    return frozenset(kind for kind, acting in ACTING_ROLES.items() if acting & held)
EVALUATED_STATUSES = (SELECTED, ACTIVE, TERMINATING)
TITLE_LENGTH = 60
URLS = {
    AUDIT: "/vendors/{id}",
    DISPOSAL: "/disposals/{id}",
    FINDING: "/audits/findings/{id}",
    EVALUATION: "/vendors/{id}",
    CONTRACT: "/contracts/{id}",
}


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


def _title(text):
    """A finding's description as its title: the first 59 characters and an ellipsis past 60."""
    return case((func.length(text) <= TITLE_LENGTH, text), else_=func.substr(text, 1, TITLE_LENGTH - 1) + "…")


def _flag(condition):
    return literal(0) if condition is None else case((condition, 1), else_=0)


def _columns(kind: str, object_id, title, vendor_name, due_on, is_late=None, never_audited=None):
    """The columns every source gives, in one shape so that they form one ``UNION ALL``."""
    return (
        literal(kind).label("kind"),
        literal(CALENDAR_KINDS.index(kind)).label("kind_order"),
        object_id.label("object_id"),
        type_coerce(title, String).label("title"),
        vendor_name.label("vendor_name"),
        type_coerce(due_on, Date).label("due_on"),
        _flag(is_late).label("is_late"),
        _flag(never_audited).label("never_audited"),
    )


def _audit_late(today: date):
    """An audit is late when its vendor was never audited or its next audit date has passed."""
    return or_(VendorState.last_audit_on.is_(None), VendorState.audit_due_on < literal(today, Date))


# What makes each table's row a duty with a due date (the listed rows and the bare counts alike).
def _audit_due():
    return (VendorState.audit_due_on.is_not(None),)


def _disposal_due():
    return (DisposalItem.confirmed_at.is_(None), DisposalItem.due_on.is_not(None))


def _finding_due():
    return (Finding.status.in_(UNRESOLVED), Finding.due_on.is_not(None))


def _contract_due():
    return (Contract.status == SIGNED, Contract.end_on.is_not(None))


def audit_duties(today: date, config=None) -> Select:
    """Every vendor on the audit schedule, due on its next audit date (late when never audited): the
    due date stored per vendor (``status.store``: ``audit_due_on``, NULL off the schedule, indexed).
    ``config``: the audit settings, which the stored dates follow (kept for the callers' signature)."""
    status_store.ensure_current(today)
    never = VendorState.last_audit_on.is_(None)
    columns = _columns(AUDIT, Vendor.id, Vendor.name, Vendor.name, VendorState.audit_due_on, _audit_late(today), never)
    return (
        db.select(*columns)
        .select_from(VendorState)
        .join(Vendor, Vendor.id == VendorState.vendor_id)
        .where(*_audit_due())
    )


def _disposals() -> Select:
    return (
        db.select(
            *_columns(
                DISPOSAL, DisposalItem.id, Contract.number + " — " + Vendor.name, Vendor.name, DisposalItem.due_on
            )
        )
        .join(Contract, Contract.id == DisposalItem.contract_id)
        .join(Vendor, Vendor.id == DisposalItem.vendor_id)
        .where(*_disposal_due())
    )


def _findings() -> Select:
    # The due date as ``coalesce(due_on, due_on)``: the same value, which no index offers, so that the
    # planner reads the few unresolved findings (index on status) rather than walking the due-date
    # index through every finding ever raised to serve the ORDER BY … LIMIT of the attention panel.
    due_on = func.coalesce(Finding.due_on, Finding.due_on)
    return (
        db.select(*_columns(FINDING, Finding.id, _title(Finding.description), Vendor.name, due_on))
        .join(Vendor, Vendor.id == Finding.vendor_id)
        .where(*_finding_due())
    )


def _evaluations(today: date) -> Select:
    """Each evaluated vendor's latest decided evaluation, due on its expiry (stored per vendor:
    ``status.store``'s ``evaluation_due_on``, NULL when rejected or none)."""
    status_store.ensure_current(today)
    return (
        db.select(*_columns(EVALUATION, Vendor.id, Vendor.name, Vendor.name, VendorState.evaluation_due_on))
        .select_from(VendorState)
        .join(Vendor, Vendor.id == VendorState.vendor_id)
        .where(Vendor.status.in_(EVALUATED_STATUSES), VendorState.evaluation_due_on.is_not(None))
    )


def _contracts() -> Select:
    return (
        db.select(
            *_columns(CONTRACT, Contract.id, Contract.number + " " + Contract.title, Vendor.name, Contract.end_on)
        )
        .join(Vendor, Vendor.id == Contract.vendor_id)
        .where(*_contract_due())
    )


def _due_columns(due_on, is_late=None):
    """What a kind's counts read (the due date and the late flag), in the shape of :func:`_columns`'s."""
    return (type_coerce(due_on, Date).label("due_on"), _flag(is_late).label("is_late"))


def _bare_sources(today: date) -> dict:
    """Each SQL kind's rows as its counts read them, for a reader of the whole group: the kind's own table
    only, without the joins that give the rows' titles and vendor names (every join follows a non-null
    foreign key, so it keeps every row; under a unit scope the joined records carry their own criteria,
    so a unit-bound reader counts the joined rows of :func:`_sources`). On PostgreSQL each join was a hash
    join over every vendor (and every contract for the returns/deletions) per kind: ~7 of the statement's
    ~13 ms at 5,000 vendors. The evaluations keep theirs: the vendor's status selects them."""
    return {
        AUDIT: lambda: db.select(*_due_columns(VendorState.audit_due_on, _audit_late(today))).where(*_audit_due()),
        DISPOSAL: lambda: db.select(*_due_columns(DisposalItem.due_on)).where(*_disposal_due()),
        FINDING: lambda: db.select(*_due_columns(Finding.due_on)).where(*_finding_due()),
        EVALUATION: lambda: _evaluations(today),
        CONTRACT: lambda: db.select(*_due_columns(Contract.end_on)).where(*_contract_due()),
    }


def _portal_marked(title: str, incident) -> str:
    """The entry's title, marked when the vendor gave notice of the incident through the vendor portal."""
    if not incident.is_from_portal:
        return title
    mark = gettext("through the vendor portal")
    return f"{title} ({mark})"


def _incidents(start: date | None, end: date, today: date) -> list[DueEntry]:
    """The running report clocks of open incidents (few: computed by the incident rules in Python)."""
    entries = []
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
                entries.append(
                    DueEntry(
                        INCIDENT,
                        incident.id,
                        _portal_marked(f"{incident.title}: {clock.label}", incident),
                        incident.vendor.name,
                        clock.due_on,
                        f"/incidents/{incident.id}",
                        clock.key,
                    )
                )
    return entries


def _sources(today: date, kinds: Iterable[str], config=None) -> dict[str, Select]:
    """The SQL kinds among ``kinds``, each as one ``SELECT`` of the shared columns."""
    sources = {
        AUDIT: lambda: audit_duties(today, config),
        DISPOSAL: _disposals,
        FINDING: _findings,
        EVALUATION: lambda: _evaluations(today),
        CONTRACT: _contracts,
    }
    return {kind: source() for kind, source in sources.items() if kind in kinds}


def _dated_duties(today: date, kinds: Iterable[str], config=None):
    """The SQL kinds among ``kinds`` as one ``UNION ALL`` subquery (None when none is wanted)."""
    selects = list(_sources(today, kinds, config).values())
    if not selects:
        return None
    return (union_all(*selects) if len(selects) > 1 else selects[0]).subquery("duties")


def _window(duties, start: date | None, end: date) -> list:
    conditions = [duties.c.due_on <= literal(end, Date)]
    if start is not None:
        conditions.append(duties.c.due_on >= literal(start, Date))
    return conditions


def _order(duties) -> list:
    return [duties.c.due_on, duties.c.kind_order, duties.c.title, duties.c.object_id]


def _entry(row, never_audited: str | None = None) -> DueEntry:
    """The row as an entry; ``never_audited``: the "Never audited" text, translated once by a caller that
    builds many entries (a ``gettext`` per row looked the catalogue up through the request each time)."""
    url = URLS[row.kind].format(id=row.object_id)
    detail = ""
    if row.kind == AUDIT and row.never_audited:
        detail = never_audited if never_audited is not None else str(_l("Never audited"))
    return DueEntry(
        row.kind, row.object_id, row.title, row.vendor_name, row.due_on, url, detail, is_late=bool(row.is_late)
    )


def _sort_key(entry: DueEntry):
    return (entry.due_on, CALENDAR_KINDS.index(entry.kind), entry.title)


def due_entries(
    today: date, *, end: date, start: date | None = None, kinds: Iterable[str] = CALENDAR_KINDS, config=None
) -> list[DueEntry]:
    """Dated duties due on or before ``end`` (and on or after ``start`` when given), earliest first.

    One query for every kind but the incidents' clocks (two more when incidents are wanted).
    """
    wanted = set(kinds)
    entries: list[DueEntry] = []
    sql_kinds = tuple(kind for kind in CALENDAR_KINDS if kind in wanted and kind != INCIDENT)
    if sql_kinds:
        if AUDIT in wanted or EVALUATION in wanted:
            status_store.ensure_current(today)  # the stored due dates these kinds read
        query = _entries_statement(today, start, end, sql_kinds, status_lights.settings_key())
        never_audited = str(_l("Never audited"))
        # A month holds ~1,000 rows: unpacked as tuples (a row's attribute by name costs more than the tuple).
        entries = [
            DueEntry(
                kind,
                object_id,
                title,
                vendor_name,
                due_on,
                URLS[kind].format(id=object_id),
                never_audited if kind == AUDIT and never else "",
                bool(is_late),
            )
            for kind, _rank, object_id, title, vendor_name, due_on, is_late, never in db.session.execute(query)
        ]
    if INCIDENT in wanted:
        entries = sorted(entries + _incidents(start, end, today), key=_sort_key)
    return entries


@lru_cache(maxsize=32)
def _entries_statement(today: date, start: date | None, end: date, kinds: tuple[str, ...], _settings: str):
    """The SQL kinds' duties due in the window, earliest first. It depends on nothing but its arguments
    (``_settings``: the rules' settings, which the stored dates follow), so it is built once a day per
    window and set of kinds: building the union of the kinds' subqueries cost about as much as running it.
    The unit scope's criteria are added when it is executed (``units.scope``), as for any statement."""
    duties = _dated_duties(today, kinds)
    return db.select(duties).where(*_window(duties, start, end)).order_by(*_order(duties))


def due_page(
    today: date, *, end: date, overdue: bool, kinds: Iterable[str], offset: int, limit: int
) -> tuple[list[DueEntry], int]:
    """``limit`` overdue (or not overdue) duties due by ``end`` from ``offset``, and how many there are.

    One query reads each SQL kind's first ``offset + limit`` rows of the bucket (its due dates are indexed)
    and each kind's counts (:func:`_first_statement`, built once a day); the incidents' clocks (few) are
    merged in Python.
    """
    wanted = set(kinds)
    rows: list = []
    total = 0
    sql_kinds = tuple(kind for kind in CALENDAR_KINDS if kind in wanted and kind != INCIDENT)
    if sql_kinds:
        if AUDIT in wanted or EVALUATION in wanted:
            status_store.ensure_current(today)  # the stored due dates these kinds read
        whole_group = unit_services.reader_roots() is None  # no unit scope's criteria on the joined records
        bucket = 0 if overdue else 1
        statement = _first_statement(
            today, end, None, sql_kinds, status_lights.settings_key(), whole_group, buckets=(bucket,)
        )
        for row in db.session.execute(statement, {"limit": offset + limit}):
            if row.bucket is None:
                total += (row.overdue_total if overdue else row.upcoming_total) or 0
            else:
                rows.append(row)
        # The kinds' first rows in the one order of every kind (due day, kind, each kind's own order).
        rows = sorted(rows, key=lambda row: (row.due_on, CALENDAR_KINDS.index(row.kind), row.seq))[: offset + limit]
    if INCIDENT in wanted:
        incidents = [entry for entry in _incidents(None, end, today) if entry.is_overdue(today) == overdue]
        rows = sorted(rows + incidents, key=_sort_key)  # rows and entries alike have the key's fields
        total += len(incidents)
    # Only the page's rows become entries (a later page reads every kind's first ``offset + limit`` rows).
    never_audited = str(_l("Never audited"))
    page = rows[offset : offset + limit]
    return [row if isinstance(row, DueEntry) else _entry(row, never_audited) for row in page], total


@dataclass(frozen=True)
class DueSummary:
    """The first ``limit`` overdue and upcoming duties and how many there are of each kind."""

    overdue: list[DueEntry]
    upcoming: list[DueEntry]
    overdue_counts: dict[str, int]
    upcoming_counts: dict[str, int]

    @property
    def overdue_total(self) -> int:
        return sum(self.overdue_counts.values())

    @property
    def upcoming_total(self) -> int:
        return sum(self.upcoming_counts.values())


def due_summary(
    today: date, *, end: date, limit: int, config=None, kinds: Iterable[str] = CALENDAR_KINDS
) -> DueSummary:
    """What the dashboard's attention panel shows, in one query (and the incidents' two), of ``kinds``.

    Each row of the first ``limit`` of a bucket (overdue, upcoming) comes back with its rank; the
    first row of every kind in a bucket carries the kind's count, so no list is read whole.
    """
    wanted = set(kinds)
    lists: tuple[list[DueEntry], list[DueEntry]] = ([], [])
    counts: tuple[dict[str, int], dict[str, int]] = ({}, {})
    sql_kinds = tuple(kind for kind in CALENDAR_KINDS if kind in wanted and kind != INCIDENT)
    if sql_kinds:
        status_store.ensure_current(today)  # the stored due dates the audit and evaluation kinds read
        whole_group = unit_services.reader_roots() is None  # no unit scope's criteria on the joined records
        statement = _first_statement(today, end, limit, sql_kinds, status_lights.settings_key(), whole_group)
        _read_first(db.session.execute(statement), lists, counts, limit)
    if INCIDENT in wanted:
        for entry in _incidents(None, end, today):
            bucket = 0 if entry.is_overdue(today) else 1
            lists[bucket].append(entry)
            counts[bucket][INCIDENT] = counts[bucket].get(INCIDENT, 0) + 1
    overdue, upcoming = (sorted(entries, key=_sort_key)[:limit] for entries in lists)
    return DueSummary(overdue, upcoming, counts[0], counts[1])


@lru_cache(maxsize=64)  # the dashboard's and the due list's (per set of kinds, bucket and reader)
def _first_statement(
    today: date,
    end: date,
    limit: int | None,
    kinds: tuple[str, ...],
    _settings: str,
    whole_group: bool = False,
    buckets: tuple[int, ...] = (0, 1),
):
    """One statement: for each kind and bucket (overdue, upcoming) its first ``limit`` rows (each kind's
    due dates are indexed, so a range scan) and for each kind one row of its two counts. It depends on
    nothing but its arguments (``_settings``: the rules' settings, which the stored dates follow), so it
    is built once a day per set of kinds: building this tree of subqueries cost more than running it.
    ``whole_group``: the reader reads the whole group, and the counts read each kind's own table alone
    (:func:`_bare_sources`). ``limit`` None: the bound parameter ``limit`` (a page of the due list);
    ``buckets``: the buckets whose rows are read (the counts are of both)."""
    members = []
    shape = None
    bare = _bare_sources(today) if whole_group else {}
    for kind, source in _sources(today, kinds).items():
        rows = source.subquery(f"{kind}_duties")
        late = or_(rows.c.is_late == 1, rows.c.due_on < literal(today, Date))
        in_window = rows.c.due_on <= literal(end, Date)
        order = _order(rows)
        for bucket, condition in enumerate((late, ~late)):
            if bucket not in buckets:
                continue
            first = (
                db.select(rows, func.row_number().over(order_by=order).label("seq"))
                .where(in_window, condition)
                .order_by(*order)
                .limit(bindparam("limit") if limit is None else limit)
                .subquery(f"{kind}_{bucket}")
            )
            columns = [first.c[column.name] for column in rows.c]
            members.append(
                db.select(
                    *columns,
                    first.c.seq,
                    literal(bucket).label("bucket"),
                    cast(null(), Integer).label("overdue_total"),
                    cast(null(), Integer).label("upcoming_total"),
                )
            )
        shape = shape or [(column.name, column.type) for column in rows.c]
        if kind in bare:
            rows = bare[kind]().subquery(f"{kind}_counted")
            late = or_(rows.c.is_late == 1, rows.c.due_on < literal(today, Date))
            in_window = rows.c.due_on <= literal(end, Date)
        totals = [func.coalesce(func.sum(case((flag, 1), else_=0)), 0) for flag in (late, ~late)]
        members.append(
            db.select(
                *(literal(kind).label(name) if name == "kind" else cast(null(), kind_of).label(name)
                  for name, kind_of in shape),
                cast(null(), Integer).label("seq"),
                cast(null(), Integer).label("bucket"),
                totals[0].label("overdue_total"),
                totals[1].label("upcoming_total"),
            ).where(in_window)
        )
    return union_all(*members)


def _read_first(result, lists: tuple, counts: tuple, limit: int) -> None:
    """The rows of :func:`_first_statement`: the first ``limit`` of each bucket into ``lists``, each
    kind's counts into ``counts``."""
    firsts: tuple[list, list] = ([], [])
    never_audited = str(_l("Never audited"))
    for row in result:
        if row.bucket is None:
            counts[0][row.kind] = row.overdue_total or 0
            counts[1][row.kind] = row.upcoming_total or 0
        else:
            firsts[row.bucket].append(row)
    for bucket, rows in enumerate(firsts):
        # The kinds' first rows in the one order of every kind (due day, kind, each kind's own order).
        ordered = sorted(rows, key=lambda row: (row.due_on, CALENDAR_KINDS.index(row.kind), row.seq))
        lists[bucket].extend(_entry(row, never_audited) for row in ordered[:limit])
    for bucket_counts in counts:
        for kind in [kind for kind, count in bucket_counts.items() if not count]:
            del bucket_counts[kind]


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

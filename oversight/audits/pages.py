"""What the audit pages display, computed from the models (templates only show it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, Select, case, func, literal, or_
from sqlalchemy.orm import contains_eager, load_only, raiseload

from oversight.audits import findings as finding_services
from oversight.audits import permissions, schedule, services, settings
from oversight.audits.models import (
    FINDING_STATUS_COLOURS,
    FINDING_STATUS_LABELS,
    KIND_LABELS,
    OPEN_STATUSES,
    RESULT_LABELS,
    SEVERITY_COLOURS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    SUBMITTED,
    TRIGGER_LABELS,
    Audit,
    Finding,
)
from oversight.audits.schedule import VendorFacts
from oversight.core.i18n import labels
from oversight.core.pagination import ListPage, page_number
from oversight.core.sorting import Sort, Sorting, listed_order, order_by
from oversight.evidence import services as evidence_services
from oversight.extensions import db
from oversight.status import lights as status_lights
from oversight.status import store as status_store
from oversight.status.models import VendorState
from oversight.vendors.models import RISK_LABELS, Vendor
from oversight.vendors.models import STATUS_LABELS as VENDOR_STATUS_LABELS

OVERDUE, DUE_SOON, UPCOMING = "overdue", "due_soon", "upcoming"
WHEN_DAYS = {"overdue": -1, "30": 30, "90": 90, "all": None}
SCHEDULE_SORTING = Sorting(("due", "vendor", "risk", "last"), default="due")
FINDING_SORTING = finding_services.LIST_SORTING
RISK_ORDER = {"high": 0, "medium": 1, "low": 2}


@dataclass(frozen=True)
class ScheduleRow:
    """One vendor on the schedule page."""

    vendor_id: int
    vendor_name: str
    vendor_kana: str
    risk_tier: str
    status: str
    last_audit_on: date | None
    regular_due_on: date | None
    trigger_due_on: date | None
    next_due_on: date
    days_left: int
    state: str
    overdue_findings: int


def schedule_query(
    today: date,
    *,
    q: str = "",
    risk_tier: str = "",
    when: str = "all",
    sort: Sort | str | None = None,
    with_findings: bool = True,
) -> Select:
    """Every vendor in the audit cycle (or with an open trigger) with its next due date, filtered and sorted in SQL.

    The next due date is the one stored per vendor (the rule of :class:`VendorFacts` in SQL under the
    current settings, ``schedule.sql_schedule_due_on``), so that a page needs only its own rows
    (``LIMIT``) and the count. Without ``with_findings`` the rows leave out
    the overdue-findings count (``overdue`` is NULL): the due dates alone, cheaper.
    """
    # Each vendor's last signed-off audit, earliest open trigger and due date on the schedule (NULL off
    # it), as the 把握 rule's facts found them, stored with its states (``status.store``, current for
    # ``today`` once ``ensure_current`` has run; the due date is ``schedule.sql_schedule_due_on``).
    status_store.ensure_current(today)
    facts = (
        db.select(
            Vendor.id,
            Vendor.name,
            Vendor.name_kana,
            Vendor.risk_tier,
            Vendor.status,
            VendorState.last_audit_on.label("last_audit_on"),
            VendorState.audit_trigger_on.label("trigger_due_on"),
            VendorState.audit_due_on.label("next_due_on"),
        )
        .join(VendorState, VendorState.vendor_id == Vendor.id)
        .where(VendorState.audit_due_on.is_not(None))
    )
    if with_findings:
        counts = schedule.finding_counts_query(today).subquery()
        facts = facts.add_columns(counts.c.overdue).outerjoin(counts, counts.c.vendor_id == Vendor.id)
    if q:
        pattern = f"%{q}%"
        facts = facts.where(or_(Vendor.name.ilike(pattern), Vendor.name_kana.ilike(pattern)))
    if risk_tier:
        facts = facts.where(Vendor.risk_tier == risk_tier)
    rows = facts.subquery("schedule")
    query = db.select(rows)
    limit = WHEN_DAYS.get(when)
    if when == "overdue":
        query = query.where(or_(rows.c.next_due_on < literal(today, Date), rows.c.last_audit_on.is_(None)))
    elif limit is not None:
        query = query.where(rows.c.next_due_on <= literal(today + timedelta(days=limit), Date))
    return query.order_by(*_sort_columns(rows, sort))


def _sort_columns(rows, sort: Sort | str | None) -> list:
    never_audited_first = case((rows.c.last_audit_on.is_(None), 0), else_=1)
    columns = {
        "vendor": (func.coalesce(func.nullif(rows.c.name_kana, ""), rows.c.name),),
        "risk": (case(*((rows.c.risk_tier == tier, order) for tier, order in RISK_ORDER.items()), else_=1),
                 rows.c.next_due_on),
        "last": (never_audited_first, rows.c.last_audit_on),
        # Never audited (due today) before audited vendors due the same day.
        "due": (rows.c.next_due_on, never_audited_first),
    }
    return order_by(SCHEDULE_SORTING.coerce(sort), columns, rows.c.id)


def _schedule_row(row: Any, today: date, config: settings.AuditSettings, overdue: int | None = None) -> ScheduleRow:
    """``overdue``: the vendor's overdue findings when ``row`` was read without them (``with_findings``)."""
    facts = VendorFacts(
        row.id,
        row.status,
        row.risk_tier,
        row.last_audit_on,
        row.trigger_due_on,
        interval_months=config.interval_months(row.risk_tier),
    )
    due = facts.next_due_on(today)
    days_left = (due - today).days
    state = (
        OVERDUE
        if days_left < 0 or row.last_audit_on is None
        else DUE_SOON
        if days_left <= config.warning_days
        else UPCOMING
    )
    return ScheduleRow(
        row.id,
        row.name,
        row.name_kana,
        row.risk_tier,
        row.status,
        row.last_audit_on,
        facts.regular_due_on(),
        row.trigger_due_on,
        due,
        days_left,
        state,
        int((row.overdue if overdue is None else overdue) or 0),
    )


def schedule_rows(
    today: date,
    *,
    q: str = "",
    risk_tier: str = "",
    when: str = "all",
    sort: Sort | str | None = None,
    due_from: date | None = None,
    due_until: date | None = None,
) -> list:
    """Every vendor in the audit cycle (or with an open trigger) with its next due date, in one query.

    ``due_from`` / ``due_until`` keep only the rows whose next due date lies in that window (in SQL).
    """
    config = settings.current()
    query = schedule_query(today, q=q, risk_tier=risk_tier, when=when, sort=sort)
    next_due_on = query.selected_columns.next_due_on
    if due_from is not None:
        query = query.where(next_due_on >= literal(due_from, Date))
    if due_until is not None:
        query = query.where(next_due_on <= literal(due_until, Date))
    return [_schedule_row(row, today, config) for row in db.session.execute(query)]


def schedule_page(today: date, filters: dict[str, Any], sort: Sort) -> dict[str, Any]:
    """The schedule page: one page of rows (filtered, sorted and limited in SQL), the open audits, labels."""
    config = settings.current()
    query = schedule_query(
        today,
        q=filters.get("q") or "",
        risk_tier=filters.get("risk_tier") or "",
        when=filters.get("when") or "all",
        sort=sort,
        # The overdue findings of the page's vendors only, read below: joined to every vendor on the schedule,
        # SQLite grouped every finding by vendor (an index walk of the whole table) to show 50 counts.
        with_findings=False,
    )
    page, per_page = page_number(), current_app.config["PAGE_SIZE"]
    # The page's rows with the whole count (a window function: the vendors' facts are computed once).
    paged = query.add_columns(func.count().over().label("total_rows")).limit(per_page).offset((page - 1) * per_page)
    rows = db.session.execute(paged).all()
    if rows:
        total = rows[0].total_rows
    elif page > 1:  # past the last page: the count alone
        total = db.session.scalar(db.select(func.count()).select_from(query.order_by(None).subquery()))
    else:
        total = 0
    vendor_ids = [row.id for row in rows]
    overdue: dict[int, int] = {}
    if vendor_ids:
        counts = schedule.finding_counts_query(today).where(Finding.vendor_id.in_(vendor_ids))
        overdue = {row.vendor_id: row.overdue for row in db.session.execute(counts)}
    items = [_schedule_row(row, today, config, overdue.get(row.id, 0)) for row in rows]
    pagination = ListPage(items, page, per_page, total=total)
    open_audits: dict[int, Audit] = {}
    if vendor_ids:
        query = (
            db.select(Audit)
            .where(Audit.vendor_id.in_(vendor_ids), Audit.status.in_(OPEN_STATUSES))
            .order_by(Audit.id.desc())
            # The page shows each open audit's number and status only: not its vendor, nor its auditors.
            .options(load_only(Audit.vendor_id, Audit.status, Audit.version, raiseload=True), raiseload("*"))
        )
        for audit in db.session.scalars(query).unique():
            open_audits[audit.vendor_id] = audit
    return {
        "pagination": pagination,
        "open_audits": open_audits,
        "intervals": config.intervals,
        "risk_labels": labels(RISK_LABELS),  # translated once, not per row
    }


SCHEDULE_STATE_LABELS = {OVERDUE: _l("Overdue"), DUE_SOON: _l("Due soon"), UPCOMING: _l("Upcoming")}


def schedule_csv_rows(rows: list[ScheduleRow]) -> tuple[list[str], list[list]]:
    """Header and rows of the schedule export, in the user's language."""
    header = [
        str(label)
        for label in (
            _l("Vendor"),
            _l("Risk tier"),
            _l("Status"),
            _l("Last audit"),
            _l("Regular due date"),
            _l("Extra audit"),
            _l("Next due"),
            _l("Due"),
            _l("Overdue findings"),
        )
    ]
    body = [
        [
            row.vendor_name,
            str(RISK_LABELS.get(row.risk_tier, row.risk_tier)),
            str(VENDOR_STATUS_LABELS.get(row.status, row.status)),
            row.last_audit_on,
            row.regular_due_on,
            row.trigger_due_on,
            row.next_due_on,
            str(SCHEDULE_STATE_LABELS[row.state]),
            row.overdue_findings,
        ]
        for row in rows
    ]
    return header, body


RECORDS_SORTING = Sorting(
    ("number", "vendor", "kind", "status", "date", "decision"), default="number", descending_first=("number", "date")
)


def records_query(*, q: str = "", status: str = "", kind: str = "", sort: Sort | str | None = None) -> Select:
    """Audit records with their vendor (joined) and auditors (one extra query per page)."""
    query = db.select(Audit).join(Vendor, Vendor.id == Audit.vendor_id)
    if q:
        pattern = f"%{q}%"
        query = query.where(or_(Vendor.name.ilike(pattern), Vendor.name_kana.ilike(pattern)))
    if status in STATUS_LABELS:
        query = query.where(Audit.status == status)
    if kind in KIND_LABELS:
        query = query.where(Audit.kind == kind)
    columns = {
        "number": (),
        "vendor": (func.coalesce(func.nullif(Vendor.name_kana, ""), Vendor.name),),
        "kind": (Audit.kind,),
        "status": (listed_order(Audit.status, STATUS_LABELS),),
        "date": (Audit.conducted_on, Audit.planned_on),
        "decision": (Audit.decision,),
    }
    return query.order_by(*order_by(RECORDS_SORTING.coerce(sort), columns, Audit.id))


def files_by_item(audit: Audit) -> dict[int, list]:
    """Evidence files of each checklist result, keyed by item id (one query)."""
    files = evidence_services.files_for_many("audit_item", [row.id for row in audit.results])
    return {row.item_id: files.get(row.id, []) for row in audit.results}


def detail_context(audit: Audit, *, user: Any, today: date) -> dict[str, Any]:
    """Values for the audit page, including which actions ``user`` may take."""
    refusal = permissions.signoff_refusal(user, audit)
    return {
        "audit": audit,
        "results": services.sorted_results(audit),
        "progress": services.progress(audit),
        "files": files_by_item(audit),
        "audit_files": evidence_services.files_for("audit", audit.id),
        "findings": sorted(audit.findings, key=lambda finding: finding.id),
        "result_labels": RESULT_LABELS,
        "trigger_labels": TRIGGER_LABELS,
        "monitoring_light": status_lights.duty_lights("monitoring", [audit.vendor_id], today).get(audit.vendor_id),
        "can_edit": permissions.can_edit(user, audit),
        "can_record": permissions.can_record(user, audit),
        "can_start": permissions.can_start(user, audit),
        "can_sign_off": refusal is None,
        "signoff_refusal": refusal if audit.status == SUBMITTED and user.has_role(*permissions.SIGNERS) else None,
        "today": today,
    }


def vendor_section(vendor: Vendor, *, user: Any, today: date) -> dict[str, Any]:
    """What the vendor page shows about audits (its 把握 light is in the page's summary): audits, open
    findings, open triggers."""
    return {
        "audits": services.audits_of(vendor),
        "open_findings": finding_services.unresolved_of(vendor),
        "audit_triggers": services.open_triggers_of(vendor),
        "can_record_audit": user.has_role(*permissions.RECORDERS),
        "can_trigger_audit": user.has_role(*permissions.TRIGGERERS),
        "audit_today": today,
    }


def finding_list_labels() -> dict[str, Any]:
    """The findings list's row labels in the current locale (translated once, not per row) and colours."""
    return {
        "severity_labels": labels(SEVERITY_LABELS),
        "severity_colours": SEVERITY_COLOURS,
        "status_labels": labels(FINDING_STATUS_LABELS),
        "status_colours": FINDING_STATUS_COLOURS,
    }


def finding_list_rows(query: Select) -> Select:
    """``finding_list_query`` as the list page reads it: only the columns its table shows and the vendor's
    name from the join the filters make (not the audit with its vendor and auditors, the checklist item and
    two users per finding); an attribute the page does not read raises."""
    return query.options(
        load_only(
            Finding.audit_id, Finding.vendor_id, Finding.severity, Finding.description, Finding.due_on,
            Finding.status, Finding.version, raiseload=True,
        ),
        contains_eager(Finding.vendor).load_only(Vendor.name, raiseload=True).raiseload("*"),
        raiseload("*"),
    )


def finding_list_query(filters: dict[str, Any], today: date, sort: Sort | None = None) -> Select:
    """The findings list's query for the filter form's data."""
    return finding_services.findings_query(
        q=filters.get("q") or "",
        status=filters.get("status") or "",
        severity=filters.get("severity") or "",
        overdue_on=today if filters.get("overdue") else None,
        sort=sort,
    )

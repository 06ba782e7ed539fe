"""When each vendor's next audit falls due.

Rules (decided here, see ``docs/audits.md``):

* Vendors in an audit cycle are those that hold My Number data for us: 取引中 (active) and
  終了処理中 (terminating, data not yet returned or deleted). 選定済 vendors do not handle data yet —
  the selection evaluation covers them — and candidates, ended and rejected vendors are out of scope.
* The regular due date is the last signed-off audit's last day plus the tier's interval
  (high 6, medium 12, low 24 months by default). Every audit kind counts, including a periodic-report
  review and an indirect audit (a contractor's audit of its subcontractor, recorded against the
  subcontractor). A vendor in the cycle that was never audited is due at once (overdue, red).
* An extra-audit trigger is due ``audit.trigger_due_days`` (30) after it was raised, until an audit
  of that vendor is signed off. The next due date is the earlier of the regular and trigger dates.

The 把握 light built on these dates is ``audits.lights``; :func:`sql_next_due_on` is the due date
in SQL for it and for the schedule page.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Date, and_, case, func, literal, or_, type_coerce
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from oversight.audits import settings
from oversight.audits.models import SERIOUS, SIGNED_OFF, UNRESOLVED, Audit, AuditTrigger, Finding
from oversight.extensions import db
from oversight.vendors.models import ACTIVE, TERMINATING
from oversight.vendors.models import ENDED as VENDOR_ENDED
from oversight.vendors.models import REJECTED as VENDOR_REJECTED

SCHEDULED_STATUSES = (ACTIVE, TERMINATING)
# Never on the schedule, even with an open trigger: the relationship is over (or never began); what
# remains is the return/deletion of the data, followed in 返却・廃棄.
UNSCHEDULED_STATUSES = (VENDOR_ENDED, VENDOR_REJECTED)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class sql_add_months(FunctionElement):
    """``add_months(day, months)`` in SQL: the same day ``months`` later, the month's last day when shorter.

    PostgreSQL's interval arithmetic already clamps to the month's end; SQLite's ``+N months`` rolls
    over (31 Aug + 6 months = 3 Mar), so the result is capped at the target month's last day.
    """

    type = Date()
    name = "add_months"
    inherit_cache = True


@compiles(sql_add_months)
def _add_months_postgresql(element, compiler, **kw):
    day, months = element.clauses
    return f"CAST({compiler.process(day, **kw)} + make_interval(months => {compiler.process(months, **kw)}) AS DATE)"


@compiles(sql_add_months, "sqlite")
def _add_months_sqlite(element, compiler, **kw):
    day, months = (compiler.process(clause, **kw) for clause in element.clauses)
    return (
        f"min(date({day}, '+' || ({months}) || ' months'), "
        f"date({day}, 'start of month', '+' || (({months}) + 1) || ' months', '-1 day'))"
    )


@dataclass(frozen=True)
class VendorFacts:
    """What the light and the schedule are computed from, for one vendor."""

    vendor_id: int
    status: str
    risk_tier: str
    last_audit_on: date | None = None
    trigger_due_on: date | None = None
    overdue_findings: int = 0
    serious_open_findings: int = 0
    interval_months: int | None = None  # from the settings; the tier's default when None

    @property
    def is_scheduled(self) -> bool:
        return self.status in SCHEDULED_STATUSES

    def regular_due_on(self) -> date | None:
        """Last audit + the tier's interval; None when never audited."""
        if self.last_audit_on is None:
            return None
        months = self.interval_months or settings.defaults().interval_months(self.risk_tier)
        return add_months(self.last_audit_on, months)

    def next_due_on(self, today: date) -> date:
        """The earlier of the regular and the trigger due dates; today when never audited."""
        regular = self.regular_due_on() or today
        return min(regular, self.trigger_due_on) if self.trigger_due_on else regular


def last_audits_query():
    """``(vendor_id, last_audit_on)``: each vendor's latest signed-off audit day."""
    return (
        db.select(Audit.vendor_id, func.max(Audit.completed_on).label("last_audit_on"))
        .where(Audit.status == SIGNED_OFF)
        .group_by(Audit.vendor_id)
    )


def open_triggers_query():
    """``(vendor_id, trigger_due_on)``: the earliest due date of each vendor's unresolved triggers."""
    return (
        db.select(AuditTrigger.vendor_id, func.min(AuditTrigger.due_on).label("trigger_due_on"))
        .where(AuditTrigger.resolved_on.is_(None))
        .group_by(AuditTrigger.vendor_id)
    )


def finding_counts_query(today: date):
    """``(vendor_id, overdue, serious)``: unresolved findings past due, and unresolved serious ones."""
    unresolved = Finding.status.in_(UNRESOLVED)
    return (
        db.select(
            Finding.vendor_id,
            func.sum(case((and_(unresolved, Finding.due_on < today), 1), else_=0)).label("overdue"),
            func.sum(case((and_(unresolved, Finding.severity == SERIOUS), 1), else_=0)).label("serious"),
        )
        .where(unresolved)
        .group_by(Finding.vendor_id)
    )


def sql_next_due_on(last_audit_on, trigger_due_on, risk_tier, config: settings.AuditSettings) -> ColumnElement[date]:
    """:meth:`VendorFacts.next_due_on` in SQL over the given columns; NULL when never audited (and no trigger)."""
    months = case(
        *((risk_tier == tier, months) for tier, months in config.intervals.items()),
        else_=config.interval_months(""),
    )
    regular = sql_add_months(last_audit_on, months)
    return case(
        (and_(trigger_due_on.is_not(None), or_(regular.is_(None), trigger_due_on < regular)), trigger_due_on),
        else_=regular,
    )


def sql_schedule_due_on(
    status, last_audit_on, trigger_due_on, risk_tier, today: date, config: settings.AuditSettings
) -> ColumnElement[date]:
    """The audit schedule's due date of a vendor (:meth:`VendorFacts.next_due_on`: today when never
    audited), NULL when the vendor is not on the schedule: in the cycle (:data:`SCHEDULED_STATUSES`)
    or with an open trigger, never ended or rejected."""
    months = case(
        *((risk_tier == tier, months) for tier, months in config.intervals.items()),
        else_=config.interval_months(""),
    )
    regular = case((last_audit_on.is_(None), literal(today, Date)), else_=sql_add_months(last_audit_on, months))
    due = case((and_(trigger_due_on.is_not(None), trigger_due_on < regular), trigger_due_on), else_=regular)
    on_schedule = and_(
        status.not_in(UNSCHEDULED_STATUSES), or_(status.in_(SCHEDULED_STATUSES), trigger_due_on.is_not(None))
    )
    return type_coerce(case((on_schedule, due)), Date)


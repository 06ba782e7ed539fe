"""When each vendor's next audit falls due, and its 把握 (grasping the handling status) light.

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
* Light: red = overdue audit, never audited, or an overdue finding; amber = due within
  ``audit.warning_days`` (30) or an unresolved serious finding; green = otherwise in the cycle;
  grey = not in the cycle (and nothing overdue).

``lights_for`` computes lights for many vendors with four queries; ``light_condition`` is the same
rule as a SQL WHERE condition for the vendor list.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, Date, and_, case, func, not_, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from oversight.audits import settings
from oversight.audits.models import SERIOUS, SIGNED_OFF, UNRESOLVED, Audit, AuditTrigger, Finding
from oversight.core.i18n import Translate, translator
from oversight.evaluations.lights import AMBER, GREEN, RED, Light
from oversight.extensions import db
from oversight.vendors.models import ACTIVE, TERMINATING, Vendor

GREY = "grey"
SCHEDULED_STATUSES = (ACTIVE, TERMINATING)
LIGHT_KEY = "grasp"


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


def earliest_last_audit(months: int, due_not_before: date) -> date:
    """The earliest last-audit day whose next audit falls due on or after ``due_not_before``.

    ``add_months`` never decreases as the day grows, so this threshold turns "due on or after X"
    into "last audit on or after T", a plain comparison the database can make.
    """
    candidate = add_months(due_not_before, -months)
    while add_months(candidate - timedelta(days=1), months) >= due_not_before:
        candidate -= timedelta(days=1)
    while add_months(candidate, months) < due_not_before:
        candidate += timedelta(days=1)
    return candidate


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


def grasp_light(
    facts: VendorFacts,
    today: date,
    warning_days: int = settings.DEFAULTS[settings.WARNING_DAYS],
    *,
    _: Translate | None = None,
) -> Light:
    """The 把握 light of one vendor (rules in the module docstring); ``_`` a shared translator."""
    _ = _ or translator()
    label = _("Monitoring")
    if facts.overdue_findings:
        return Light(LIGHT_KEY, RED, label, _("%(count)d overdue findings", count=facts.overdue_findings))
    if facts.is_scheduled:
        if facts.last_audit_on is None:
            return Light(LIGHT_KEY, RED, label, _("Never audited"))
        due = facts.next_due_on(today)
        if due < today:
            return Light(LIGHT_KEY, RED, label, _("Audit overdue"), due.isoformat())
    if facts.serious_open_findings:
        return Light(LIGHT_KEY, AMBER, label, _("Open serious finding"))
    if not facts.is_scheduled:
        return Light(LIGHT_KEY, GREY, label, _("No audit cycle in this status"))
    due = facts.next_due_on(today)
    if (due - today).days <= warning_days:
        return Light(LIGHT_KEY, AMBER, label, _("Audit due in %(days)d days", days=(due - today).days), due.isoformat())
    return Light(LIGHT_KEY, GREEN, label, _("Audited"), _("next due %(date)s", date=due.isoformat()))


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


def facts_for(
    vendor_ids: list[int], today: date, config: settings.AuditSettings | None = None
) -> dict[int, VendorFacts]:
    """The facts of each vendor in ``vendor_ids``, in four queries whatever their number (five without ``config``)."""
    if not vendor_ids:
        return {}
    config = config or settings.current()
    ids = list(vendor_ids)
    vendors = db.session.execute(db.select(Vendor.id, Vendor.status, Vendor.risk_tier).where(Vendor.id.in_(ids)))
    last = dict(db.session.execute(last_audits_query().where(Audit.vendor_id.in_(ids))).all())
    triggers = dict(db.session.execute(open_triggers_query().where(AuditTrigger.vendor_id.in_(ids))).all())
    findings = {
        row.vendor_id: (int(row.overdue or 0), int(row.serious or 0))
        for row in db.session.execute(finding_counts_query(today).where(Finding.vendor_id.in_(ids)))
    }
    return {
        row.id: VendorFacts(
            row.id,
            row.status,
            row.risk_tier,
            last.get(row.id),
            triggers.get(row.id),
            *findings.get(row.id, (0, 0)),
            config.interval_months(row.risk_tier),
        )
        for row in vendors
    }


def lights_for(vendor_ids: list[int], today: date) -> dict[int, Light]:
    """The 把握 light of each vendor in ``vendor_ids`` (a constant number of queries)."""
    config = settings.current()
    facts = facts_for(vendor_ids, today, config)
    _ = translator()
    return {vendor_id: grasp_light(fact, today, config.warning_days, _=_) for vendor_id, fact in facts.items()}


def facts_columns(vendor_id: ColumnElement[int], today: date) -> list[ColumnElement]:
    """Correlated subqueries giving the audit facts of the vendor ``vendor_id`` (see ``facts_for``), for one
    statement that reads every duty's facts at once (``vendors.overview``); :func:`light_from_row` reads them."""
    unresolved = and_(Finding.vendor_id == vendor_id, Finding.status.in_(UNRESOLVED))
    return [
        db.select(func.max(Audit.completed_on))
        .where(Audit.vendor_id == vendor_id, Audit.status == SIGNED_OFF)
        .scalar_subquery()
        .label("grasp_last_audit_on"),
        db.select(func.min(AuditTrigger.due_on))
        .where(AuditTrigger.vendor_id == vendor_id, AuditTrigger.resolved_on.is_(None))
        .scalar_subquery()
        .label("grasp_trigger_due_on"),
        # Severity and due date tested inside the counts: in WHERE they tempted SQLite (without
        # statistics) to walk the severity or due-date index instead of the vendor's findings.
        db.select(func.count(case((Finding.due_on < today, Finding.id))))
        .where(unresolved)
        .scalar_subquery()
        .label("grasp_overdue_findings"),
        db.select(func.count(case((Finding.severity == SERIOUS, Finding.id))))
        .where(unresolved)
        .scalar_subquery()
        .label("grasp_serious_findings"),
    ]


def light_from_row(row, today: date, config: settings.AuditSettings, *, _: Translate) -> Light:
    """The 把握 light from a row holding the vendor's ``id``, ``status``, ``risk_tier`` and :func:`facts_columns`."""
    facts = VendorFacts(
        row.id,
        row.status,
        row.risk_tier,
        row.grasp_last_audit_on,
        row.grasp_trigger_due_on,
        int(row.grasp_overdue_findings or 0),
        int(row.grasp_serious_findings or 0),
        config.interval_months(row.risk_tier),
    )
    return grasp_light(facts, today, config.warning_days, _=_)


def _audited_since(due_not_before: date, intervals: dict[str, int]) -> ColumnElement[bool]:
    """Vendors with a signed-off audit whose regular due date is on or after ``due_not_before``."""
    threshold = case(
        *(
            (Vendor.risk_tier == tier, earliest_last_audit(months, due_not_before))
            for tier, months in intervals.items()
        ),
        else_=earliest_last_audit(intervals["medium"], due_not_before),
    )
    fresh = (
        db.select(Audit.vendor_id)
        .join(Vendor, Vendor.id == Audit.vendor_id)
        .where(Audit.status == SIGNED_OFF, Audit.completed_on >= threshold)
    )
    return Vendor.id.in_(fresh)


def _trigger_due_before(day: date) -> ColumnElement[bool]:
    pending = db.select(AuditTrigger.vendor_id).where(AuditTrigger.resolved_on.is_(None), AuditTrigger.due_on < day)
    return Vendor.id.in_(pending)


def _findings(*conditions) -> ColumnElement[bool]:
    return Vendor.id.in_(db.select(Finding.vendor_id).where(Finding.status.in_(UNRESOLVED), *conditions))


def light_condition(state: str, today: date, config: settings.AuditSettings | None = None) -> ColumnElement[bool]:
    """A WHERE condition on :class:`Vendor` selecting the vendors whose 把握 light is ``state``."""
    config = config or settings.current()
    intervals, warning_days = config.intervals, config.warning_days
    horizon = today + timedelta(days=warning_days + 1)  # due before this day = due within the warning days
    scheduled = Vendor.status.in_(SCHEDULED_STATUSES)
    overdue_findings = _findings(Finding.due_on < today)
    serious = _findings(Finding.severity == SERIOUS)
    red = or_(
        overdue_findings, and_(scheduled, or_(not_(_audited_since(today, intervals)), _trigger_due_before(today)))
    )
    if state == RED:
        return red
    if state == GREEN:
        return and_(
            scheduled,
            not_(overdue_findings),
            not_(serious),
            _audited_since(horizon, intervals),
            not_(_trigger_due_before(horizon)),
        )
    if state == GREY:
        return and_(not_(scheduled), not_(overdue_findings), not_(serious))
    soon = or_(not_(_audited_since(horizon, intervals)), _trigger_due_before(horizon))
    return and_(not_(red), or_(serious, and_(scheduled, soon)))

"""What an incident's page and the dashboard show: reportability and the clocks, from the recorded facts.

Pure functions over a loaded ``Incident`` (steps and contract loaded) and ``today``; the legal
rules themselves are in ``clocks``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, func

from oversight.core.i18n import Translate
from oversight.core.lights import RED, Light
from oversight.extensions import db
from oversight.incidents import clocks
from oversight.incidents.models import (
    FINAL_REPORT,
    INDIVIDUAL_NOTICE,
    OPEN,
    PRELIMINARY_REPORT,
    PUBLICATION,
    STEP_DONE,
    STEP_WAIVED,
    Incident,
    IncidentStep,
)
from oversight.incidents.services import open_incident_list

# Clock states, shown as colours: done (green), running (blue), due soon (amber), late (red), n/a (grey).
DONE, RUNNING, SOON, LATE, NOT_APPLICABLE = "done", "running", "soon", "late", "na"
SOON_DAYS = 2


@dataclass(frozen=True)
class Clock:
    """One deadline of an incident as the clocks panel shows it."""

    key: str
    label: str
    due_on: date | None
    done_on: date | None
    state: str
    text: str
    basis: str = ""
    days_left: int | None = None


@dataclass(frozen=True)
class ReportabilityView:
    is_reportable: bool
    reasons: tuple[str, ...]
    people: int | None
    final_days: int
    # The app's finding from the facts (translated category labels), and the reason it was set aside, if any.
    finding: tuple[str, ...] = ()
    override_reason: str = ""


def people_count(incident: Incident) -> int | None:
    """The count tested against the 100-people threshold: the final one, else the largest possible."""
    return clocks.people_for_threshold(incident.people_min, incident.people_max, incident.people_final)


def is_improper_purpose(incident: Incident) -> bool:
    """不正の目的: the flag, or any R2 category."""
    return incident.is_improper_purpose or clocks.is_improper_purpose(incident.categories or ())


def finding(incident: Incident) -> tuple[str, ...]:
    """The categories the facts decide (R4-イ: a leak, loss or damage of more than 100 people), whatever is ticked."""
    return clocks.derived_categories(
        incident.kind, people=people_count(incident), is_highly_encrypted=incident.is_highly_encrypted
    )


def is_finding_overridden(incident: Incident) -> bool:
    """The user set the app's finding aside, with a reason (kept in the record and the activity log)."""
    return bool((incident.finding_override_reason or "").strip())


def categories(incident: Incident) -> list[str]:
    """The categories that apply: those ticked plus the app's finding unless overridden with a reason."""
    return clocks.effective_categories(
        incident.categories or (), finding(incident), is_overridden=is_finding_overridden(incident)
    )


def reportability(incident: Incident) -> ReportabilityView:
    """Whether the PPC must be told (規則第2条), with the reasons as translated sentences."""
    people = people_count(incident)
    result = clocks.assess_reportability(
        categories(incident), people=people, is_highly_encrypted=incident.is_highly_encrypted
    )
    reasons = tuple(str(clocks.REASON_LABELS.get(code, code)) for code in result.reasons)
    days = clocks.FINAL_REPORT_DAYS_IMPROPER_PURPOSE if is_improper_purpose(incident) else clocks.FINAL_REPORT_DAYS
    found = tuple(str(clocks.CATEGORY_LABELS[clocks.Category(code)]) for code in finding(incident))
    override = incident.finding_override_reason.strip() if found and is_finding_overridden(incident) else ""
    return ReportabilityView(result.is_reportable, reasons, people, days, found, override)


def principal_knew_on(incident: Incident) -> date | None:
    """The day we knew: the earliest department, at the latest the day the vendor's notice arrived."""
    return clocks.principal_knew_on(incident.department_knew_on, incident.vendor_notified_on)


def step(incident: Incident, code: str) -> IncidentStep | None:
    return next((item for item in incident.steps if item.code == code), None)


def _running(key, label, due_on, done_on, today, basis) -> Clock:
    """A clock with a due date: done, or days left / days late."""
    if done_on is not None:
        late = (done_on - due_on).days if due_on else 0
        text = (
            _l("Done on %(date)s, %(days)d days after the due date", date=done_on.isoformat(), days=late)
            if late > 0
            else _l("Done on %(date)s", date=done_on.isoformat())
        )
        return Clock(key, label, due_on, done_on, DONE, str(text), basis)
    if due_on is None:
        return Clock(key, label, None, None, NOT_APPLICABLE, str(_l("Start date not known yet")), basis)
    days_left = (due_on - today).days
    if days_left < 0:
        return Clock(key, label, due_on, None, LATE, str(_l("%(days)d days late", days=-days_left)), basis, days_left)
    if days_left == 0:
        return Clock(key, label, due_on, None, SOON, str(_l("Due today")), basis, 0)
    state = SOON if days_left <= SOON_DAYS else RUNNING
    return Clock(key, label, due_on, None, state, str(_l("%(days)d days left", days=days_left)), basis, days_left)


def vendor_notice_clock(incident: Incident, today: date) -> Clock:
    """The vendor's notice to us: the contract's SLA hours if a contract is linked, else the 3–5 day guide."""
    label = str(_l("Vendor's notice to us"))
    start = incident.vendor_knew_on
    hours = incident.contract.incident_notice_hours if incident.contract is not None else None
    if hours:
        basis = str(_l("Contract %(number)s: within %(hours)d hours", number=incident.contract.number, hours=hours))
        due_on = start + timedelta(days=math.ceil(hours / 24)) if start else None
    else:
        basis = str(_l("Guide: promptly, about 3–5 days after the vendor knew (規則第4条)"))
        due_on = clocks.contractor_notice_guide(start).last_on if start else None
    if start is None and incident.vendor_notified_on is None:
        return Clock(
            "vendor_notice", label, None, None, NOT_APPLICABLE, str(_l("When the vendor knew is not recorded")), basis
        )
    return _running("vendor_notice", label, due_on, incident.vendor_notified_on, today, basis)


def _report_clock(incident, today, key, label, step_code, due_on, basis, is_reportable) -> Clock:
    report_step = step(incident, step_code)
    if report_step is not None and report_step.status == STEP_WAIVED:
        return Clock(
            key,
            label,
            due_on,
            None,
            NOT_APPLICABLE,
            str(_l("Waived: %(reason)s", reason=report_step.waiver_reason)),
            basis,
        )
    done_on = report_step.done_on if report_step is not None and report_step.status == STEP_DONE else None
    if not is_reportable and done_on is None:
        return Clock(
            key, label, None, None, NOT_APPLICABLE, str(_l("Not required (reporting is still encouraged)")), basis
        )
    return _running(key, label, due_on, done_on, today, basis)


def _step_clock(incident, key, label, step_code, is_reportable) -> Clock:
    """本人通知 and 公表: no fixed date, "promptly as the situation allows"; shown as a step."""
    item = step(incident, step_code)
    if item is not None and item.status == STEP_DONE:
        return Clock(key, label, None, item.done_on, DONE, str(_l("Done on %(date)s", date=item.done_on.isoformat())))
    if item is not None and item.status == STEP_WAIVED:
        return Clock(key, label, None, None, NOT_APPLICABLE, str(_l("Waived: %(reason)s", reason=item.waiver_reason)))
    if not is_reportable:
        return Clock(
            key, label, None, None, NOT_APPLICABLE, str(_l("Not required while the incident is not reportable"))
        )
    return Clock(key, label, None, None, RUNNING, str(_l("Promptly, as the situation allows")))


def incident_clocks(incident: Incident, today: date, view: ReportabilityView | None = None) -> list[Clock]:
    """The clocks panel: vendor's notice, 速報, 確報, 本人通知 and 公表 (``view``: the incident's
    :func:`reportability`, when the caller has it already)."""
    view = reportability(incident) if view is None else view
    knew_on = principal_knew_on(incident)
    guide = clocks.preliminary_report_guide(knew_on) if knew_on else None
    preliminary_basis = (
        str(
            _l(
                "Guide: about 3–5 days after we knew (%(first)s – %(last)s)",
                first=guide.first_on.isoformat(),
                last=guide.last_on.isoformat(),
            )
        )
        if guide
        else str(_l("Guide: about 3–5 days after we knew"))
    )
    final_due = (
        clocks.final_report_due_on(knew_on, is_improper_purpose=is_improper_purpose(incident)) if knew_on else None
    )
    final_basis = str(
        _l(
            "%(days)d days, the day we knew being day 1; a weekend, holiday or 12/29–1/3 moves it to the next workday",
            days=view.final_days,
        )
    )
    return [
        vendor_notice_clock(incident, today),
        _report_clock(
            incident,
            today,
            "preliminary",
            str(_l("Preliminary report (速報)")),
            PRELIMINARY_REPORT,
            guide.last_on if guide else None,
            preliminary_basis,
            view.is_reportable,
        ),
        _report_clock(
            incident,
            today,
            "final",
            str(_l("Final report (確報)")),
            FINAL_REPORT,
            final_due,
            final_basis,
            view.is_reportable,
        ),
        _step_clock(
            incident, "individual_notice", str(_l("Notice to individuals")), INDIVIDUAL_NOTICE, view.is_reportable
        ),
        _step_clock(incident, "publication", str(_l("Publication")), PUBLICATION, view.is_reportable),
    ]


def deadline(incident: Incident, key: str, today: date) -> Clock:
    """One clock by key (``preliminary``, ``final``, …)."""
    return next(clock for clock in incident_clocks(incident, today) if clock.key == key)


@dataclass(frozen=True)
class OpenIncident:
    """An open incident as the dashboard lists it: the most urgent unfinished clock first."""

    incident: Incident
    is_reportable: bool
    next_clock: Clock | None
    clocks: list[Clock]


_URGENCY = {LATE: 0, SOON: 1, RUNNING: 2}


def open_incidents(today: date) -> list[OpenIncident]:
    """Every open incident with its clocks, most urgent first (a constant number of queries)."""
    rows = []
    for incident in open_incident_list():
        view = reportability(incident)
        incident_clock_list = incident_clocks(incident, today, view)
        pending = [clock for clock in incident_clock_list if clock.state in _URGENCY and clock.due_on]
        pending.sort(key=lambda clock: (_URGENCY[clock.state], clock.due_on))
        rows.append(
            OpenIncident(incident, view.is_reportable, pending[0] if pending else None, incident_clock_list)
        )
    rows.sort(
        key=lambda row: (
            row.next_clock is None,
            _URGENCY.get(row.next_clock.state, 9) if row.next_clock else 9,
            row.next_clock.due_on if row.next_clock else date.max,
        )
    )
    return rows


def incident_badge(open_count: int, *, _: Translate) -> Light | None:
    """The red badge of a vendor with ``open_count`` open incidents; None when there are none."""
    if not open_count:
        return None
    return Light("incident", RED, _("Incidents"), _("%(count)d open incident(s)", count=open_count))


def facts_columns(vendor_id: ColumnElement[int]) -> list[ColumnElement]:
    """How many open incidents the vendor ``vendor_id`` has, as a correlated subquery for one statement that
    reads every duty's facts at once (``status.lights``); :func:`incident_badge` turns it into the badge."""
    return [
        db.select(func.count(Incident.id))
        .where(Incident.vendor_id == vendor_id, Incident.status == OPEN)
        .scalar_subquery()
        .label("incident_open_count")
    ]

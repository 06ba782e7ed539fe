"""Reminder rules for incidents: the 速報 and 確報 deadlines of every open reportable incident.

Registered with ``oversight.reminders`` when this module is imported (``incidents.views`` does).
Recipients: the incident's owner and every manager; a deadline passed is sent as an escalation.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

from oversight.admin.reminder_settings import stage_policy
from oversight.auth.roles import MANAGER
from oversight.auth.services import role_holder_ids
from oversight.core.due import DigestKind, DueItem, days_late, label_code, reminder_stage
from oversight.incidents import status
from oversight.incidents.models import OPEN, Incident

KIND = "incident"
TITLES = {"preliminary": _l("Preliminary report due"), "final": _l("Final report due")}  # 速報期限 / 確報期限
STAGE_PREFIXES = {"preliminary": "sokuho", "final": "kakuho"}  # the log's stage column holds 20 characters
STAGE_PREFIX_LABELS = {"sokuho": _l("Preliminary report (速報)"), "kakuho": _l("Final report (確報)")}



def incident_reports(session: Session, today: date) -> Iterator[DueItem]:
    """One item per unfinished 速報 / 確報 clock of an open incident, from the lead stages to overdue."""
    query = (
        session.query(Incident)
        .options(selectinload(Incident.steps), selectinload(Incident.contract))
        .filter(Incident.status == OPEN)
        .order_by(Incident.id)
    )
    managers = role_holder_ids(session, MANAGER)
    policy = stage_policy()
    for incident in query:
        recipients = frozenset(managers | ({incident.owner_id} if incident.owner_id else set()))
        for clock in status.incident_clocks(incident, today):
            if clock.key not in TITLES or clock.state not in (status.RUNNING, status.SOON, status.LATE):
                continue
            stage = reminder_stage(clock.due_on, today, policy)
            if stage is None:
                continue
            yield DueItem(
                rule="incidents.reports",
                kind=KIND,
                object_type="incident",
                object_id=incident.id,
                title=f"{label_code(TITLES[clock.key])}: {incident.vendor.name} — {incident.title}"[:300],
                due_on=clock.due_on,
                stage=f"{STAGE_PREFIXES[clock.key]}-{stage}",
                days_late=days_late(clock.due_on, today),
                url_path=f"/incidents/{incident.id}",
                recipients=recipients,
                escalate=clock.state == status.LATE,
            )


RULES = (incident_reports,)
DIGEST_KINDS = (DigestKind(KIND, _l("Incident reports to the PPC"), order=5),)

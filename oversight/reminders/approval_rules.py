"""Reminder rule: reviews and approvals waiting longer than a few business days.

What is waiting comes from each duty feature's queue (``oversight.status.waiting``, the same lists
the dashboard's work list shows): evaluations submitted for a manager's decision, contract clause
reviews waiting for legal and contracts cleared by legal waiting for a manager, subcontract consents
waiting for legal's review or a manager's decision, audits submitted for sign-off, and return/deletion
certificates waiting for a manager's confirmation. Each is reminded to the users holding the role it
waits for who may give the decision (its permission predicate: a manager is not reminded to approve
what they submitted, reviewed or certified themselves).

The wait counts business days (``oversight.core.calendar``: weekends, national holidays and the
12/29–1/3 closure are not counted) from the day the item entered the queue. Once it has waited more
than ``reminders.approval_wait_business_days`` (default 3), stage ``waiting-1`` is reminded on the
first such day, then ``waiting-2`` a repeat period (``reminders.overdue_repeat_days``) later, and so on.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from oversight.admin.reminder_settings import approval_wait_business_days, stage_policy
from oversight.auth.models import User, UserRole
from oversight.core.calendar import add_business_days
from oversight.core.due import DigestKind, DueItem, days_late, label_code
from oversight.core.timeutil import to_local
from oversight.status.waiting import WAITING_ROLES, waiting_items

KIND = "approval_waiting"
RULE = "reminders.approval_waiting"

def waiting_due_on(since: datetime, wait_days: int) -> date:
    """The first day on which an item queued at ``since`` has waited more than ``wait_days`` business days."""
    return add_business_days(to_local(since).date(), wait_days + 1)


def waiting_stage(due_on: date, today: date, repeat_days: int) -> str | None:
    """``waiting-1`` from ``due_on``, ``waiting-2`` ``repeat_days`` later …; None before ``due_on``."""
    if today < due_on:
        return None
    return f"waiting-{(today - due_on).days // repeat_days + 1}"


def _deciders(session: Session) -> dict[str, list[User]]:
    """The enabled users holding each role that approvals wait for, with their roles (two queries)."""
    users = session.scalars(
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role.in_(WAITING_ROLES), User.is_enabled.is_(True))
        .options(selectinload(User.role_links))
        .order_by(User.id)
    ).unique()
    members: dict[str, list[User]] = {role: [] for role in WAITING_ROLES}
    for user in users:
        for role in WAITING_ROLES & set(user.roles):
            members[role].append(user)
    return members


# Titles that are a label only, kept as msgids in the log and translated for each reader (core.due.title_text).
LABEL_TITLES = {"audit": label_code(_l("Audit")), "evaluation": label_code(_l("Selection evaluation"))}


def approval_waiting(session: Session, today: date) -> Iterator[DueItem]:
    """Each review or approval waiting more than the set business days, to those who may give it."""
    wait_days = approval_wait_business_days()
    repeat_days = stage_policy().overdue_repeat_days
    members: dict[str, list[User]] | None = None
    for waiting in waiting_items(session):
        due_on = waiting_due_on(waiting.since, wait_days)
        stage = waiting_stage(due_on, today, repeat_days)
        if stage is None:
            continue
        members = members if members is not None else _deciders(session)
        recipients = frozenset(user.id for user in members.get(waiting.role, ()) if waiting.may_act(user))
        if not recipients:
            continue
        yield DueItem(
            rule=RULE,
            kind=KIND,
            object_type=waiting.object_type,
            object_id=waiting.object_id,
            title=f"{waiting.vendor_name} — {LABEL_TITLES.get(waiting.object_type, waiting.title)}",
            due_on=due_on,
            stage=f"{waiting.role}-{stage}",
            days_late=days_late(due_on, today),
            url_path=waiting.url_path,
            recipients=recipients,
        )


RULES = (approval_waiting,)
DIGEST_KINDS = (DigestKind(KIND, _l("Reviews and approvals waiting"), order=10),)

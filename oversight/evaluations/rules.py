"""Reminder rule: a vendor's selection evaluation running out (30 days before, then once expired).

Listed in ``oversight/features.py``. The latest decided evaluation of each vendor we
work with counts; when it is approved (or conditionally approved) its ``valid_until`` is the due
date. Reminders go to the vendor's owner and responsible manager; once expired, to every manager
too, as an escalation. Lead times: setting ``reminders.evaluation_lead_days`` (default 30).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from oversight.admin.reminder_settings import EVALUATION_LEAD_DAYS, stage_policy
from oversight.auth.roles import MANAGER
from oversight.auth.services import role_holder_ids
from oversight.core.due import DigestKind, DueItem, days_late, label_code, reminded_ids, reminder_stage, stage_horizon
from oversight.evaluations.models import APPROVED, CONDITIONAL, DECIDED, Evaluation
from oversight.vendors.models import ACTIVE, SELECTED, TERMINATING, Vendor

KIND = "evaluation_expiry"
WATCHED_STATUSES = (SELECTED, ACTIVE, TERMINATING)



def latest_valid_evaluations():
    """Each watched vendor's latest decided evaluation, when it is an approval with a validity date.

    Rows of columns (id, valid_until and the vendor's name, owner_id and manager_id), not Evaluation
    objects, which would load their answers too (30 per evaluation).
    """
    ranked = (
        select(
            Evaluation.id,
            func.row_number()
            .over(partition_by=Evaluation.vendor_id, order_by=(Evaluation.decided_at.desc(), Evaluation.id.desc()))
            .label("rank"),
        )
        .where(Evaluation.status.in_(DECIDED))
        .subquery()
    )
    return (
        select(Evaluation.id, Evaluation.valid_until, Vendor.name, Vendor.owner_id, Vendor.manager_id)
        .join(ranked, ranked.c.id == Evaluation.id)
        .join(Vendor, Vendor.id == Evaluation.vendor_id)
        .where(ranked.c.rank == 1, Evaluation.status.in_((APPROVED, CONDITIONAL)), Evaluation.valid_until.is_not(None))
        .where(Vendor.status.in_(WATCHED_STATUSES))
        .order_by(Evaluation.valid_until, Evaluation.id)
    )


def evaluation_expiry(session: Session, today: date) -> Iterator[DueItem]:
    """The selection evaluation before it runs out and weekly once expired (escalated to managers)."""
    policy = stage_policy(EVALUATION_LEAD_DAYS)
    # Only the evaluations that can be due: valid until the longest lead time ahead at most.
    query = latest_valid_evaluations().where(Evaluation.valid_until <= stage_horizon(today, policy))
    managers: frozenset[int] | None = None
    label = label_code(_l("Selection evaluation"))  # translated when the title is shown, in the reader's language
    for evaluation in session.execute(query):
        stage = reminder_stage(evaluation.valid_until, today, policy)
        if stage is None:
            continue
        recipients = reminded_ids(evaluation.owner_id, evaluation.manager_id)
        expired = stage.startswith("overdue")
        if expired:
            managers = managers if managers is not None else role_holder_ids(session, MANAGER)
            recipients |= managers
        if not recipients:
            continue
        yield DueItem(
            rule="evaluations.evaluation_expiry",
            kind=KIND,
            object_type="evaluation",
            object_id=evaluation.id,
            title=f"{evaluation.name} — {label}",
            due_on=evaluation.valid_until,
            stage=stage,
            days_late=days_late(evaluation.valid_until, today),
            url_path=f"/evaluations/{evaluation.id}",
            recipients=recipients,
            escalate=expired,
        )


RULES = (evaluation_expiry,)
DIGEST_KINDS = (DigestKind(KIND, _l("Selection evaluations expiring"), order=45),)

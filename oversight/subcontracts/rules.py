"""Reminder rule: granted consents running out, to the contractor's owner and manager."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from oversight.contracts.models import CLOSED, Contract
from oversight.reminders.rules import DueItem, days_late, register_kind, register_rule, reminder_stage
from oversight.reminders.settings import CONSENT_LEAD_DAYS, stage_policy
from oversight.subcontracts.chain import horizon
from oversight.subcontracts.models import APPROVED, Subcontract, SubcontractConsent

CONSENT_KIND = "subcontract_consent"

register_kind(CONSENT_KIND, _l("Subcontract consents expiring"), order=60)


@register_rule
def consent_expiry(session: Session, today: date) -> Iterator[DueItem]:
    """Each granted consent of an open contract, from 30 days before its expiry (and after it, until renewed)."""
    policy = stage_policy(CONSENT_LEAD_DAYS)
    node = joinedload(SubcontractConsent.subcontract)
    query = (
        select(SubcontractConsent)
        .join(Subcontract, Subcontract.id == SubcontractConsent.subcontract_id)
        .join(Contract, Contract.id == Subcontract.contract_id)
        .options(node.joinedload(Subcontract.vendor), node.joinedload(Subcontract.contract))
        .where(SubcontractConsent.status == APPROVED, SubcontractConsent.expires_on <= horizon(today))
        .where(Contract.status.not_in(CLOSED))
        .order_by(SubcontractConsent.expires_on, SubcontractConsent.id)
    )
    for consent in session.scalars(query):
        stage = reminder_stage(consent.expires_on, today, policy)
        contractor = consent.subcontract.contract.vendor
        recipients = frozenset(user_id for user_id in (contractor.owner_id, contractor.manager_id) if user_id)
        if stage is None or not recipients:
            continue
        yield DueItem(
            rule="subcontracts.consent_expiry",
            kind=CONSENT_KIND,
            object_type="subcontract_consent",
            object_id=consent.id,
            title=f"{contractor.name} → {consent.subcontract.vendor.name}",
            due_on=consent.expires_on,
            stage=stage,
            days_late=days_late(consent.expires_on, today),
            url_path=f"/subcontracts/{consent.subcontract_id}",
            recipients=recipients,
        )

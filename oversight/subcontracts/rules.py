"""Reminder rule: granted consents running out, to the contractor's owner and manager."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from oversight.admin.reminder_settings import CONSENT_LEAD_DAYS, stage_policy
from oversight.contracts.models import CLOSED, Contract
from oversight.core.due import DigestKind, DueItem, days_late, reminded_ids, reminder_stage
from oversight.subcontracts.lights import horizon
from oversight.subcontracts.models import APPROVED, Subcontract, SubcontractConsent
from oversight.vendors.models import Vendor

CONSENT_KIND = "subcontract_consent"



def consent_expiry(session: Session, today: date) -> Iterator[DueItem]:
    """Each granted consent of an open contract, from 30 days before its expiry (and after it, until renewed)."""
    policy = stage_policy(CONSENT_LEAD_DAYS)
    contractor = aliased(Vendor)
    subcontractor = aliased(Vendor)
    # Columns, not ORM objects with their subcontract, contract and vendors.
    query = (
        select(
            SubcontractConsent.id,
            SubcontractConsent.subcontract_id,
            SubcontractConsent.expires_on,
            contractor.name.label("contractor_name"),
            contractor.owner_id,
            contractor.manager_id,
            subcontractor.name.label("subcontractor_name"),
        )
        .join(Subcontract, Subcontract.id == SubcontractConsent.subcontract_id)
        .join(Contract, Contract.id == Subcontract.contract_id)
        .join(contractor, contractor.id == Contract.vendor_id)
        .join(subcontractor, subcontractor.id == Subcontract.vendor_id)
        .where(SubcontractConsent.status == APPROVED, SubcontractConsent.expires_on <= horizon(today))
        .where(Contract.status.not_in(CLOSED))
        .order_by(SubcontractConsent.expires_on, SubcontractConsent.id)
    )
    for consent in session.execute(query):
        stage = reminder_stage(consent.expires_on, today, policy)
        recipients = reminded_ids(consent.owner_id, consent.manager_id)
        if stage is None or not recipients:
            continue
        yield DueItem(
            rule="subcontracts.consent_expiry",
            kind=CONSENT_KIND,
            object_type="subcontract_consent",
            object_id=consent.id,
            title=f"{consent.contractor_name} → {consent.subcontractor_name}",
            due_on=consent.expires_on,
            stage=stage,
            days_late=days_late(consent.expires_on, today),
            url_path=f"/subcontracts/{consent.subcontract_id}",
            recipients=recipients,
        )


RULES = (consent_expiry,)
DIGEST_KINDS = (DigestKind(CONSENT_KIND, _l("Subcontract consents expiring"), order=60),)

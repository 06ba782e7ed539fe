"""Reminder rules over the vendor register: certifications (Pマーク, ISMS …) running out.

Listed in ``oversight/features.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from oversight.admin.reminder_settings import CERTIFICATION_LEAD_DAYS, stage_policy
from oversight.core.due import DigestKind, DueItem, days_late, label_code, reminded_ids, reminder_stage, stage_horizon
from oversight.vendors.models import (
    ACTIVE,
    CERTIFICATION_LABELS,
    SELECTED,
    TERMINATING,
    Vendor,
    VendorCertification,
)

CERTIFICATION_KIND = "vendor_certification"
# Vendors we work with; candidates and ended vendors need no certification watch.
WATCHED_STATUSES = (SELECTED, ACTIVE, TERMINATING)



def certification_expiry(session: Session, today: date) -> Iterator[DueItem]:
    """Each vendor's latest certification of each kind, before and after it expires, to owner and manager."""
    policy = stage_policy(CERTIFICATION_LEAD_DAYS)
    query = current_certifications().where(VendorCertification.expires_on <= stage_horizon(today, policy))
    for certification in session.execute(query):
        recipients = reminded_ids(certification.owner_id, certification.manager_id)
        stage = reminder_stage(certification.expires_on, today, policy)
        if not recipients or stage is None:
            continue
        label = certification.name or label_code(CERTIFICATION_LABELS.get(certification.kind, certification.kind))
        yield DueItem(
            rule="vendors.certification_expiry",
            kind=CERTIFICATION_KIND,
            object_type="vendor_certification",
            object_id=certification.id,
            title=f"{certification.vendor_name} — {label}",
            due_on=certification.expires_on,
            stage=stage,
            days_late=days_late(certification.expires_on, today),
            url_path=f"/vendors/{certification.vendor_id}",
            recipients=recipients,
        )


def current_certifications():
    """Certifications with an expiry that no later one of the same kind replaces, of watched vendors.

    Rows of the columns the rule needs (the certification's and its vendor's), not ORM objects.
    """
    later = aliased(VendorCertification)
    replaced = (
        select(func.count(later.id))
        .where(later.vendor_id == VendorCertification.vendor_id, later.kind == VendorCertification.kind,
               later.expires_on > VendorCertification.expires_on)
        .correlate(VendorCertification)
        .scalar_subquery()
    )
    return (
        select(
            VendorCertification.id,
            VendorCertification.kind,
            VendorCertification.name,
            VendorCertification.expires_on,
            VendorCertification.vendor_id,
            Vendor.name.label("vendor_name"),
            Vendor.owner_id,
            Vendor.manager_id,
        )
        .join(Vendor, Vendor.id == VendorCertification.vendor_id)
        .where(VendorCertification.expires_on.is_not(None), Vendor.status.in_(WATCHED_STATUSES), replaced == 0)
        .order_by(VendorCertification.expires_on, VendorCertification.id)
    )


RULES = (certification_expiry,)
DIGEST_KINDS = (DigestKind(CERTIFICATION_KIND, _l("Vendor certifications expiring"), order=50),)

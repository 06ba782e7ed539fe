"""Reminder rules over the vendor register: certifications (Pマーク, ISMS …) running out.

The first real rule, written with the reminder framework; the vendors feature may move it to
``oversight/vendors/rules.py`` (rules there are found by ``load_rules``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased, joinedload

from oversight.reminders.rules import DueItem, days_late, register_kind, register_rule, reminder_stage
from oversight.reminders.settings import CERTIFICATION_LEAD_DAYS, stage_policy
from oversight.vendors.models import ACTIVE, SELECTED, TERMINATING, Vendor, VendorCertification

CERTIFICATION_KIND = "vendor_certification"
# Vendors we work with; candidates and ended vendors need no certification watch.
WATCHED_STATUSES = (SELECTED, ACTIVE, TERMINATING)

register_kind(CERTIFICATION_KIND, _l("Vendor certifications expiring"), order=50)


@register_rule
def certification_expiry(session: Session, today: date) -> Iterator[DueItem]:
    """Each vendor's latest certification of each kind, before and after it expires, to owner and manager."""
    policy = stage_policy(CERTIFICATION_LEAD_DAYS)
    for certification in session.scalars(current_certifications()):
        vendor = certification.vendor
        recipients = frozenset(user_id for user_id in (vendor.owner_id, vendor.manager_id) if user_id)
        stage = reminder_stage(certification.expires_on, today, policy)
        if not recipients or stage is None:
            continue
        label = certification.name or certification.kind_label
        yield DueItem(
            rule="vendors.certification_expiry",
            kind=CERTIFICATION_KIND,
            object_type="vendor_certification",
            object_id=certification.id,
            title=f"{vendor.name} — {label}",
            due_on=certification.expires_on,
            stage=stage,
            days_late=days_late(certification.expires_on, today),
            url_path=f"/vendors/{vendor.id}",
            recipients=recipients,
        )


def current_certifications():
    """Certifications with an expiry that no later one of the same kind replaces, of watched vendors."""
    later = aliased(VendorCertification)
    replaced = (
        select(func.count(later.id))
        .where(later.vendor_id == VendorCertification.vendor_id, later.kind == VendorCertification.kind,
               later.expires_on > VendorCertification.expires_on)
        .correlate(VendorCertification)
        .scalar_subquery()
    )
    return (
        select(VendorCertification)
        .join(Vendor, Vendor.id == VendorCertification.vendor_id)
        .options(joinedload(VendorCertification.vendor))
        .where(VendorCertification.expires_on.is_not(None), Vendor.status.in_(WATCHED_STATUSES), replaced == 0)
        .order_by(VendorCertification.expires_on, VendorCertification.id)
    )

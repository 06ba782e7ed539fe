"""Helpers for audit tests: users, vendors and audits in a given state (inside an app context)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from oversight.audits import findings as finding_services
from oversight.audits import services as audit_services
from oversight.audits.models import CONFORMING, ON_SITE
from oversight.auth import services as auth_services
from oversight.extensions import db
from tests.vendors.factories import create_vendor

NOW = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
TODAY = date(2026, 11, 26)


def user(*roles: str, email: str):
    return auth_services.create_user(
        email=email, name=email.split("@")[0], password="x" * 16, roles=list(roles), language="ja", actor=None
    )


def active_vendor(status: str = "active", **overrides):
    """A vendor in ``status`` (取引中 by default), flushed."""
    vendor = create_vendor(**overrides)
    vendor.status = status
    db.session.flush()
    return vendor


def planned(vendor, auditor, **values):
    data = {"kind": ON_SITE, "planned_on": TODAY, "auditor_ids": [auditor.id], **values}
    return audit_services.plan_audit(vendor, data, actor=auditor, today=TODAY)


def recording(vendor, auditor, conducted_on=TODAY, **values):
    audit = planned(vendor, auditor, conducted_on=conducted_on, **values)
    audit_services.start_recording(audit, actor=auditor, today=TODAY)
    db.session.flush()
    return audit


def answer_all(audit, actor, result: str = CONFORMING, **overrides: str) -> None:
    values = {row.item_id: {"result": overrides.get(row.item.code, result), "note": ""} for row in audit.results}
    audit_services.save_results(audit, values, actor=actor, now=NOW)


def submitted(vendor, auditor, conducted_on=TODAY, **values):
    audit = recording(vendor, auditor, conducted_on=conducted_on, **values)
    answer_all(audit, auditor)
    audit_services.submit(audit, rating="good", decision="continue", conditions="", summary="", actor=auditor, now=NOW)
    return audit


def signed_off(vendor, auditor, manager, conducted_on=TODAY, **values):
    audit = submitted(vendor, auditor, conducted_on=conducted_on, **values)
    audit_services.sign_off(audit, actor=manager, note="", today=TODAY, now=NOW)
    db.session.flush()
    return audit


def finding(audit, auditor, severity="moderate", due_on=date(2026, 12, 31), requested_on=date(2026, 9, 1)):
    return finding_services.add_finding(
        audit,
        {
            "severity": severity,
            "description": "入退室記録が一部欠落",
            "requested_action": "記録様式の見直しと再教育",
            "requested_on": requested_on,
            "due_on": due_on,
        },
        actor=auditor,
        today=TODAY,
    )

from datetime import date

from oversight.audits.models import KIND_LABELS, Audit, AuditTrigger, Finding
from oversight.demo.audits import seed_audits
from oversight.demo.checklists import seed_checklists
from oversight.demo.users import seed_users
from oversight.demo.vendors import seed_vendors
from oversight.extensions import db
from oversight.status import lights as status_lights


def test_demo_audits_cover_every_kind_state_and_light(app_ctx):
    today = date(2026, 11, 26)
    users = seed_users()
    seed_checklists()
    vendors = seed_vendors(users, today=today)
    seed_audits(users, vendors, today=today)
    db.session.commit()
    audits = db.session.scalars(db.select(Audit)).unique().all()
    assert {audit.kind for audit in audits} == set(KIND_LABELS)
    assert {audit.status for audit in audits} == {"planned", "in_progress", "submitted", "returned", "signed_off"}
    assert any(audit.is_indirect and audit.performed_by_vendor_id for audit in audits)
    findings = db.session.scalars(db.select(Finding)).unique().all()
    assert {finding.status for finding in findings} == {"open", "plan_received", "verified", "closed"}
    assert any(finding.is_overdue_on(today) for finding in findings)
    assert db.session.scalar(db.select(AuditTrigger.kind)) == "incident"
    by_name = {vendor.name: vendor.id for vendor in vendors}
    lights = status_lights.duty_lights("monitoring", list(by_name.values()), today)
    assert lights[by_name["株式会社さくら給与計算センター"]].state == "green"
    assert lights[by_name["ひまわり社会保険労務士法人"]].state == "amber"
    minato = by_name["税理士法人みなと会計"]
    assert (lights[minato].state, lights[minato].text) == ("red", "監査期限超過")  # audited 13 months ago
    assert lights[by_name["株式会社あおば人事サービス"]].state == "red"

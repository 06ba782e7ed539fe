from datetime import date

from oversight.audits import reminder_rules as rules
from oversight.core.timeutil import to_local
from oversight.extensions import db
from tests.audits.helpers import TODAY, active_vendor, finding, recording, signed_off, user


def test_audit_and_finding_reminders(app_ctx):
    auditor, manager = user("auditor", email="a@example.com"), user("manager", email="m@example.com")
    due_soon = active_vendor(risk_tier="high", manager_id=manager.id)
    signed_off(due_soon, auditor, manager, conducted_on=date(2026, 6, 1))  # due 2026-12-01
    quiet = active_vendor(risk_tier="low")
    audit = signed_off(quiet, auditor, manager, conducted_on=date(2026, 6, 1))
    ended = active_vendor(status="ended")
    late = recording(ended, auditor)
    late_finding = finding(late, auditor, due_on=date(2026, 11, 20))
    db.session.commit()

    items = {item.object_id: item for item in rules.audit_due(db.session, TODAY)}
    assert set(items) == {due_soon.id}
    assert items[due_soon.id].due_on == date(2026, 12, 1) and items[due_soon.id].stage == "lead-7"
    assert items[due_soon.id].recipients == frozenset({auditor.id, manager.id})

    findings = list(rules.finding_due(db.session, TODAY))
    assert [(item.object_id, item.stage) for item in findings] == [(late_finding.id, "overdue-1")]
    assert findings[0].recipients == frozenset({auditor.id})
    assert audit.id


def test_never_audited_vendor_counts_from_its_registration(app_ctx):
    user("auditor", email="a@example.com")
    vendor = active_vendor()
    db.session.commit()
    registered = to_local(vendor.created_at).date()
    items = list(rules.audit_due(db.session, registered))
    assert [(item.object_id, item.due_on, item.stage) for item in items] == [(vendor.id, registered, "due")]


def test_register_adds_and_removes_both_rules(app_ctx):
    from oversight.reminders.rules import RULES, rule_key

    rules.register()
    try:
        assert {rule_key(rules.audit_due), rule_key(rules.finding_due)} <= set(RULES)
    finally:
        rules.unregister()
    assert rule_key(rules.audit_due) not in RULES

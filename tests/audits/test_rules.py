from datetime import date

from oversight.audits import rules
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


def test_both_rules_are_listed_in_the_registry(app):
    from oversight.core import registry

    assert {rules.audit_due, rules.finding_due} <= set(registry.of(app).reminder_rules())


def test_stepping_through_the_days_sends_each_stage_once(app_ctx, smtp_server):
    from datetime import UTC, datetime, timedelta

    from oversight.reminders import services as reminder_services
    from oversight.reminders.models import ReminderLog

    auditor, manager = user("auditor", email="a@example.com"), user("manager", email="m@example.com")
    vendor = active_vendor(risk_tier="high", manager_id=manager.id)
    signed_off(vendor, auditor, manager, conducted_on=date(2026, 6, 1))  # next audit due 2026-12-01
    late = recording(active_vendor(status="ended"), auditor)
    finding(late, auditor, due_on=date(2026, 12, 10))
    db.session.commit()

    start = date(2026, 10, 20)
    for offset in range(60):  # 2026-10-20 … 2026-12-18, twice a day
        today = start + timedelta(days=offset)
        for _ in range(2):
            reminder_services.send_due_reminders(today, datetime.combine(today, datetime.min.time(), UTC))

    def stages(rule, recipient):
        query = (
            db.select(ReminderLog.stage)
            .where(ReminderLog.rule == rule, ReminderLog.recipient_id == recipient.id)
            .order_by(ReminderLog.id)
        )
        return list(db.session.scalars(query))

    # reminders.audit_lead_days 30,7,1, then weekly; reminders.finding_lead_days 7
    assert stages("audits.audit_due", manager) == [
        "lead-30", "lead-7", "lead-1", "due", "overdue-1", "overdue-2", "overdue-3",
    ]
    assert stages("audits.finding_due", auditor) == ["lead-7", "due", "overdue-1", "overdue-2"]

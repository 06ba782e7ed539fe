"""The 速報 / 確報 reminder rule, through the real sweep and a local SMTP server."""

from __future__ import annotations

from datetime import UTC, date, datetime

from oversight.auth.models import User
from oversight.auth.roles import MANAGER, PROCUREMENT
from oversight.extensions import db
from oversight.incidents.models import FINAL_REPORT, PRELIMINARY_REPORT
from oversight.incidents.rules import incident_reports
from oversight.incidents.services import complete_step
from oversight.incidents.status import step
from oversight.reminders import services as reminder_services
from oversight.reminders.models import ReminderLog
from tests.incidents.factories import create_incident


def _incident(app, make_user, **overrides):
    owner = make_user(PROCUREMENT)
    manager = make_user(MANAGER)
    with app.app_context():
        incident = create_incident(db.session.get(User, owner.id), owner_id=owner.id, **overrides)
        db.session.commit()
        return incident.id, owner, manager


def test_rule_reports_both_deadlines_to_owner_and_managers(app, make_user):
    incident_id, owner, manager = _incident(app, make_user)
    with app.app_context():
        items = list(incident_reports(db.session, date(2026, 11, 6)))
    assert {item.due_on for item in items} == {date(2026, 11, 7), date(2026, 12, 2)}
    assert all(item.recipients == frozenset({owner.id, manager.id}) for item in items)
    assert all(item.url_path == f"/incidents/{incident_id}" and not item.escalate for item in items)


def test_overdue_preliminary_escalates_and_done_reports_stop(app, make_user):
    incident_id, _owner, manager = _incident(app, make_user)
    with app.app_context():
        items = list(incident_reports(db.session, date(2026, 11, 9)))
        preliminary = next(item for item in items if item.due_on == date(2026, 11, 7))
        assert preliminary.escalate and preliminary.stage.startswith("sokuho-overdue")
        from oversight.incidents.services import load_incident

        incident = load_incident(incident_id)
        actor = db.session.get(User, manager.id)
        for code in (PRELIMINARY_REPORT, FINAL_REPORT):
            complete_step(step(incident, code), {}, actor=actor, today=date(2026, 11, 9), now=datetime.now(UTC))
        db.session.commit()
        assert list(incident_reports(db.session, date(2026, 11, 9))) == []


def test_not_reportable_incident_has_no_reminders(app, make_user):
    _incident(app, make_user, people_min=100, people_max=100)
    with app.app_context():
        assert list(incident_reports(db.session, date(2026, 11, 30))) == []


def test_final_report_reminder_email_arrives(app, make_user, smtp_server):
    incident_id, owner, manager = _incident(app, make_user)
    with app.app_context():
        result = reminder_services.send_due_reminders(date(2026, 11, 26), datetime(2026, 11, 25, 23, 30, tzinfo=UTC))
        assert not result.rule_errors
        rows = list(db.session.scalars(db.select(ReminderLog).where(ReminderLog.object_type == "incident")))
    assert {row.recipient_id for row in rows} == {owner.id, manager.id}
    recipients = {message["To"] for message in smtp_server.messages}
    assert any(manager.email in to for to in recipients)
    bodies = "\n".join(message.get_body(("plain",)).get_content() for message in smtp_server.messages)
    assert "確報期限" in bodies and f"/incidents/{incident_id}" in bodies

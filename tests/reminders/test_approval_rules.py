"""Reviews and approvals waiting more than 3 business days, reminded to the role that must act."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from oversight.admin.reminder_settings import APPROVAL_WAIT_BUSINESS_DAYS
from oversight.admin.settings import edit_state, save_settings, stored_settings
from oversight.contracts.models import ContractReview
from oversight.core import registry
from oversight.extensions import db
from oversight.reminders import approval_rules as rules
from oversight.reminders import services
from oversight.reminders.models import ReminderLog
from tests.audits import helpers as audit_helpers
from tests.contracts import helpers as contract_helpers
from tests.evaluations import helpers as evaluation_helpers

SUBMITTED_ON = date(2026, 11, 26)  # the helpers submit at 2026-11-26 10:00 in Tokyo, a Thursday
FIRST_REMINDER = date(2026, 12, 2)  # Fri 27 (1), Mon 30 (2), Tue 1 (3), Wed 2 (4 > 3)


def test_the_rule_is_registered(app):
    assert rules.approval_waiting in registry.of(app).reminder_rules()


def test_business_days_skip_weekends_holidays_and_the_year_end_closure():
    assert rules.waiting_due_on(datetime(2026, 11, 26, 1, 0, tzinfo=UTC), 3) == FIRST_REMINDER
    # Fri 25 Dec: Mon 28 (1), 29 Dec – 3 Jan closed, Mon 4 (2), Tue 5 (3), Wed 6 (4)
    assert rules.waiting_due_on(datetime(2026, 12, 25, 1, 0, tzinfo=UTC), 3) == date(2027, 1, 6)
    # 23:00 on Friday 20 Nov in Tokyo counts from that Friday; Mon 23 is a holiday: Tue 24 (1), Wed 25 (2 > 1)
    assert rules.waiting_due_on(datetime(2026, 11, 20, 14, 0, tzinfo=UTC), 1) == date(2026, 11, 25)
    assert rules.waiting_stage(FIRST_REMINDER, FIRST_REMINDER - timedelta(days=1), 7) is None
    assert rules.waiting_stage(FIRST_REMINDER, FIRST_REMINDER, 7) == "waiting-1"
    assert rules.waiting_stage(FIRST_REMINDER, FIRST_REMINDER + timedelta(days=7), 7) == "waiting-2"


def test_each_queue_reminds_the_role_that_must_act(app_ctx):
    procurement, legal, manager = contract_helpers.people()
    auditor = audit_helpers.user("auditor", email="auditor@example.com")
    in_review = contract_helpers.submitted(procurement)
    cleared = contract_helpers.cleared(procurement, legal)
    evaluation = evaluation_helpers.submitted(procurement)
    audit = audit_helpers.submitted(audit_helpers.active_vendor(), auditor)
    db.session.commit()

    assert list(rules.approval_waiting(db.session, FIRST_REMINDER - timedelta(days=1))) == []
    items = {(item.object_type, item.object_id): item for item in rules.approval_waiting(db.session, FIRST_REMINDER)}
    review_id = db.session.scalar(db.select(ContractReview.id).where(ContractReview.contract_id == in_review.id))
    assert {key: (item.stage, set(item.recipients)) for key, item in items.items()} == {
        ("contract_review", review_id): ("legal-waiting-1", {legal.id}),
        ("contract", cleared.id): ("manager-waiting-1", {manager.id}),
        ("evaluation", evaluation.id): ("manager-waiting-1", {manager.id}),
        ("audit", audit.id): ("manager-waiting-1", {manager.id}),
    }
    assert items[("contract", cleared.id)].url_path == f"/contracts/{cleared.id}"
    assert all(item.due_on == FIRST_REMINDER for item in items.values())


def test_the_wait_is_a_setting(app_ctx):
    procurement, legal, _ = contract_helpers.people()
    contract_helpers.submitted(procurement)
    save_settings({APPROVAL_WAIT_BUSINESS_DAYS: 1}, actor=None, state=edit_state(stored_settings()))
    db.session.commit()
    (item,) = rules.approval_waiting(db.session, date(2026, 11, 30))  # Fri 27 (1), Mon 30 (2 > 1)
    assert item.due_on == date(2026, 11, 30) and item.recipients == {legal.id}


def test_stepping_through_the_days_sends_each_stage_once(app_ctx, smtp_server):
    procurement, legal, _ = contract_helpers.people()
    contract_helpers.submitted(procurement)
    db.session.commit()

    for offset in range(16):  # 2026-11-26 … 2026-12-11, twice a day
        today = SUBMITTED_ON + timedelta(days=offset)
        for _ in range(2):
            services.send_due_reminders(today, datetime.combine(today, datetime.min.time(), UTC))

    rows = db.session.execute(
        db.select(ReminderLog.stage, ReminderLog.recipient_id, ReminderLog.created_at)
        .where(ReminderLog.rule == rules.RULE)
        .order_by(ReminderLog.id)
    ).all()
    assert [(stage, recipient) for stage, recipient, _ in rows] == [
        ("legal-waiting-1", legal.id),
        ("legal-waiting-2", legal.id),
    ]


def test_consents_go_to_legal_then_managers_and_certificates_to_managers(app_ctx):
    from oversight.disposals import services as disposal_services
    from oversight.subcontracts import services as subcontract_services
    from tests.disposals.test_services import CERTIFICATE
    from tests.subcontracts.helpers import NOW, Team

    team = Team()
    requested = team.request(team.node())
    reviewed = team.request(team.node())
    subcontract_services.review(reviewed, recommendation="approve", note="", actor=team.legal, now=NOW)
    ending = contract_helpers.signed(
        team.procurement, team.legal, team.manager, vendor=audit_helpers.active_vendor(), end_on=date(2026, 11, 1)
    )
    disposal_services.close_ended_contracts(date(2026, 11, 2))
    (item,) = disposal_services.items_of_contract(ending)
    disposal_services.record_certificate(
        item,
        {**CERTIFICATE, "completed_on": date(2026, 11, 20)},
        file_storage=contract_helpers.pdf("cert.pdf"),
        actor=team.procurement,
        now=NOW,
        today=SUBMITTED_ON,
    )
    db.session.commit()

    items = {(item.object_type, item.object_id): item for item in rules.approval_waiting(db.session, FIRST_REMINDER)}
    managers = {team.manager.id, team.manager2.id}
    assert items[("subcontract_consent", requested.id)].recipients == {team.legal.id}
    assert items[("subcontract_consent", reviewed.id)].recipients == managers
    assert items[("subcontract_consent", reviewed.id)].stage == "manager-waiting-1"
    assert items[("disposal", item.id)].recipients == managers
    assert items[("disposal", item.id)].url_path == f"/disposals/{item.id}"


def test_approvals_are_reminded_only_to_the_managers_who_may_give_them(app_ctx):
    """A manager who submitted or took part is not reminded (the decision's permission predicate)."""
    _procurement, legal, manager = contract_helpers.people()
    submitting_manager = evaluation_helpers.user("procurement", "manager", email="submitting-manager@example.com")
    auditing_manager = audit_helpers.user("auditor", "manager", email="auditing-manager@example.com")
    evaluation = evaluation_helpers.submitted(submitting_manager)
    cleared = contract_helpers.cleared(submitting_manager, legal)
    audit = audit_helpers.submitted(audit_helpers.active_vendor(), auditing_manager)
    db.session.commit()

    items = {(item.object_type, item.object_id): item for item in rules.approval_waiting(db.session, FIRST_REMINDER)}
    assert items[("evaluation", evaluation.id)].recipients == {manager.id, auditing_manager.id}
    assert items[("contract", cleared.id)].recipients == {manager.id, auditing_manager.id}
    assert items[("audit", audit.id)].recipients == {manager.id, submitting_manager.id}


"""The outbox page: admins only, filters, pagination, resend."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from oversight.activity.models import ActivityLog
from oversight.auth.roles import ADMIN, ALL_ROLES
from oversight.extensions import db
from oversight.reminders.models import FAILED, SENDING, SENT, UNCERTAIN, ReminderLog
from tests.reminders.conftest import NOW


@pytest.fixture
def add_row(app):
    def add(recipient_id: int, *, status: str = SENT, rule: str = "tests.rule", object_id: int = 1,
            error: str | None = None, title: str = "契約終了の確認") -> int:
        with app.app_context():
            row = ReminderLog(
                rule=rule, kind="general", object_type="user", object_id=object_id, due_on=date(2026, 12, 1),
                stage="due", recipient_id=recipient_id, title=title, url_path="/dashboard", status=status,
                attempts=1, last_error=error, created_at=NOW, next_attempt_at=NOW + timedelta(minutes=10),
                sent_at=NOW if status == SENT else None,
            )
            db.session.add(row)
            db.session.commit()
            return row.id

    return add


@pytest.mark.parametrize("role", [role for role in ALL_ROLES if role != ADMIN])
def test_only_admins_may_open_the_outbox(client, login_as, role):
    login_as(role)
    assert client.get("/reminders/outbox").status_code == 403
    assert client.post("/reminders/outbox/1/resend").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/reminders/outbox")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_outbox_lists_rows_with_status_attempts_and_error(client, login_as, add_row):
    admin = login_as(ADMIN, language="en")
    add_row(admin.id, status=FAILED, error="ConnectionRefusedError: [Errno 111]", title="Contract 42 ends")

    page = client.get("/reminders/outbox").get_data(as_text=True)

    assert "Contract 42 ends" in page
    assert "ConnectionRefusedError" in page
    assert "Failed" in page
    assert "Reminder outbox" in page  # the admin navigation entry too


def test_outbox_filters_by_status_rule_and_recipient(client, login_as, make_user, add_row):
    admin = login_as(ADMIN)
    other = make_user("manager")
    add_row(admin.id, status=SENT, rule="rule.a", title="sent-a")
    add_row(admin.id, status=FAILED, rule="rule.b", title="failed-b")
    add_row(other.id, status=SENT, rule="rule.a", title="other-a", object_id=2)

    def titles(query: str) -> set[str]:
        page = client.get(f"/reminders/outbox?{query}").get_data(as_text=True)
        return {title for title in ("sent-a", "failed-b", "other-a") if title in page}

    assert titles("") == {"sent-a", "failed-b", "other-a"}
    assert titles("status=failed") == {"failed-b"}
    assert titles("rule=rule.a") == {"sent-a", "other-a"}
    assert titles(f"recipient={other.id}") == {"other-a"}
    assert titles("status=bogus") == {"sent-a", "failed-b", "other-a"}  # an invalid filter is ignored


def test_outbox_is_paginated_with_constant_queries(app, client, login_as, add_row, count_queries):
    admin = login_as(ADMIN)
    for number in range(5):
        add_row(admin.id, object_id=number + 1, title=f"row-{number}")
    app.config["PAGE_SIZE"] = 2
    try:
        with count_queries() as few:
            first = client.get("/reminders/outbox").get_data(as_text=True)
        for number in range(5, 15):
            add_row(admin.id, object_id=number + 1, title=f"row-{number}")
        with count_queries() as many:
            client.get("/reminders/outbox")
        third = client.get("/reminders/outbox?page=3").get_data(as_text=True)
    finally:
        app.config["PAGE_SIZE"] = 50
    assert first.count('data-testid="reminder-row"') == 2
    assert third.count('data-testid="reminder-row"') == 2
    assert many.count == few.count


def test_resend_sends_again_and_is_logged(app, client, login_as, add_row, smtp_server):
    admin = login_as(ADMIN)
    row_id = add_row(admin.id, status=FAILED, error="boom")

    response = client.post(f"/reminders/outbox/{row_id}/resend?status=failed")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/reminders/outbox?status=failed")
    assert len(smtp_server.envelopes) == 1
    with app.app_context():
        row = db.session.get(ReminderLog, row_id)
        assert (row.status, row.attempts, row.last_error) == (SENT, 2, None)
        entry = db.session.scalars(db.select(ActivityLog).where(ActivityLog.action == "reminder.resend")).one()
        assert (entry.actor_id, entry.object_type, entry.object_id) == (admin.id, "reminder", row_id)
        assert entry.changes == {"status": [FAILED, "pending"]}


def test_resend_of_a_missing_row_is_404(client, login_as):
    login_as(ADMIN)
    assert client.post("/reminders/outbox/999/resend").status_code == 404


def test_an_uncertain_digest_is_shown_and_can_be_marked_sent(app, client, login_as, add_row):
    admin = login_as(ADMIN)
    first = add_row(admin.id, status=UNCERTAIN, object_id=1, error="Interrupted while sending")
    second = add_row(admin.id, status=UNCERTAIN, object_id=2)
    other = add_row(admin.id, status=UNCERTAIN, object_id=3)
    with app.app_context():
        for row_id, digest_id in ((first, "d1"), (second, "d1"), (other, "d2")):
            db.session.get(ReminderLog, row_id).digest_id = digest_id
        db.session.commit()

    page = client.get("/reminders/outbox").get_data(as_text=True)
    assert "送信未確認" in page
    assert f"/reminders/outbox/{first}/confirm" in page

    response = client.post(f"/reminders/outbox/{first}/confirm?status=uncertain")

    assert response.headers["Location"].endswith("/reminders/outbox?status=uncertain")
    with app.app_context():
        statuses = {row_id: db.session.get(ReminderLog, row_id).status for row_id in (first, second, other)}
        entries = db.session.scalars(db.select(ActivityLog).where(ActivityLog.action == "reminder.confirm_sent")).all()
    assert statuses == {first: SENT, second: SENT, other: UNCERTAIN}  # the whole digest, and only it
    assert sorted(entry.object_id for entry in entries) == [first, second]


def test_only_an_uncertain_digest_can_be_marked_sent(app, client, login_as, add_row):
    admin = login_as(ADMIN)
    row_id = add_row(admin.id, status=FAILED)

    client.post(f"/reminders/outbox/{row_id}/confirm")

    with app.app_context():
        assert db.session.get(ReminderLog, row_id).status == FAILED


def test_a_row_being_sent_cannot_be_queued_again(app, client, login_as, add_row, smtp_server):
    admin = login_as(ADMIN)
    row_id = add_row(admin.id, status=SENDING)

    client.post(f"/reminders/outbox/{row_id}/resend")

    assert smtp_server.envelopes == []
    with app.app_context():
        assert db.session.get(ReminderLog, row_id).status == SENDING


def test_outbox_names_rules_stages_and_records_in_the_readers_language(app, client, login_as, add_row):
    admin = login_as("admin")
    with app.app_context():
        for stage, rule, kind in (
            ("lead-30", "audits.audit_due", "audit_due"),
            ("manager-waiting-2", "reminders.approval_waiting", "approval_waiting"),
            ("kakuho-overdue-1", "incidents.reports", "incident"),
        ):
            db.session.add(ReminderLog(
                rule=rule, kind=kind, object_type="vendor_certification", object_id=3, due_on=date(2026, 12, 1),
                stage=stage, recipient_id=admin.id, title="株式会社ひかり計算 — \u27e6Next audit\u27e7",
                url_path="/dashboard", status=SENT, attempts=1, created_at=NOW, sent_at=NOW,
            ))
        db.session.commit()
    html = client.get("/reminders/outbox").get_data(as_text=True)
    for shown in ("期限の30日前", "管理責任者: 判断待ち（2回目の催促）", "確報: 期限超過（1回目の催促）",
                  "株式会社ひかり計算 — 次回監査", "委託先の認証 #3"):
        assert shown in html, shown
    text = re.sub(r"<[^>]*>", " ", html)  # the text, not the attributes (the rule filter's values are codes)
    for code in ("lead-30", "waiting-2", "kakuho", "audits.audit_due", "vendor_certification", "\u27e6"):
        assert code not in text, code
    assert '<option value="audits.audit_due">期限が近い・超過した監査</option>' in html

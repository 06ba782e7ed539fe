"""Each digest names its items in its reader's language (issue #18 item 2): the labels in a stored title
(次回監査, 確報期限) are kept as msgids and translated when the digest or the outbox is rendered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from oversight.core import registry
from oversight.core.due import DueItem, label_code, title_text
from oversight.core.registry import Feature
from oversight.extensions import db
from oversight.incidents.rules import TITLES
from oversight.reminders import services
from oversight.reminders.models import ReminderLog
from oversight.vendors.models import ACTIVE
from tests.reminders.conftest import NOW, TODAY
from tests.vendors.factories import create_vendor


def _messages(smtp_server) -> dict:
    return {
        envelope.rcpt_tos[0]: message
        for envelope, message in zip(smtp_server.envelopes, smtp_server.messages, strict=True)
    }


def test_an_audit_due_reads_next_audit_in_english_and_japanese_in_japanese(app, make_user, smtp_server):
    make_user("auditor", email="ja@example.com", language="ja")
    make_user("auditor", email="en@example.com", language="en")
    with app.app_context():
        vendor = create_vendor(name="株式会社ひかり計算")
        vendor.status = ACTIVE
        vendor.created_at = datetime(2026, 1, 5, tzinfo=UTC)  # never audited: due since it was registered
        db.session.commit()
        services.send_due_reminders(TODAY, NOW)
        stored = db.session.scalar(db.select(ReminderLog.title).where(ReminderLog.rule == "audits.audit_due"))

    assert "監査未実施" not in stored and "Never audited" in stored  # stored as the msgid, in marks
    messages = _messages(smtp_server)
    english = messages["en@example.com"].get_body(("plain",)).get_content()
    japanese = messages["ja@example.com"].get_body(("plain",)).get_content()
    assert "株式会社ひかり計算 — Never audited" in english
    assert "監査未実施" not in english and "\u27e6" not in english
    assert "株式会社ひかり計算 — 監査未実施" in japanese


def test_incident_report_deadlines_are_translated_for_each_reader(app, make_user, smtp_server):
    ja_user = make_user("manager", email="ja@example.com", language="ja")
    en_user = make_user("manager", email="en@example.com", language="en")

    def deadline(session, today):
        yield DueItem(
            rule="tests.deadline", kind="general", object_type="user", object_id=ja_user.id,
            title=f"{label_code(TITLES['final'])}: 株式会社ひかり計算 — 誤送付", due_on=today - timedelta(days=1),
            stage="overdue-1", days_late=1, url_path="/dashboard", recipients={ja_user.id, en_user.id},
        )

    with registry.of(app).extra(Feature("tests", reminder_rules=(deadline,))), app.app_context():
        services.send_due_reminders(TODAY, NOW)
    messages = _messages(smtp_server)
    english = messages["en@example.com"].get_body(("plain",)).get_content()
    assert "Final report due: 株式会社ひかり計算" in english and "確報期限" not in english
    assert "確報期限: 株式会社ひかり計算" in messages["ja@example.com"].get_body(("plain",)).get_content()


def test_a_title_without_marks_is_shown_as_it_is(app):
    with app.test_request_context(), force_locale("en"):
        assert title_text("株式会社ひかり計算 — 契約終了") == "株式会社ひかり計算 — 契約終了"
        assert title_text(f"X — {label_code(_l('Next audit'))}") == "X — Next audit"
    with app.test_request_context(), force_locale("ja"):
        assert title_text(f"X — {label_code(_l('Next audit'))}") == "X — 次回監査"

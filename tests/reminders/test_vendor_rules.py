"""The certification-expiry rule: the first real rule, over the vendor register."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from oversight.core import registry
from oversight.extensions import db
from oversight.reminders import services
from oversight.reminders.models import ReminderLog
from oversight.vendors.models import ACTIVE, ENDED, Vendor, VendorCertification
from oversight.vendors.rules import certification_expiry
from tests.reminders.conftest import NOW

TODAY = date(2026, 12, 1)


@pytest.fixture
def add_vendor(app):
    def add(*, owner_id=None, manager_id=None, status=ACTIVE, certifications=()) -> int:
        with app.app_context():
            vendor = Vendor(
                name="株式会社サンプル計算センター", status=status, owner_id=owner_id, manager_id=manager_id
            )
            vendor.certifications = [
                VendorCertification(kind=kind, name=name, expires_on=expires_on)
                for kind, name, expires_on in certifications
            ]
            db.session.add(vendor)
            db.session.commit()
            return vendor.id

    return add


def test_the_rule_is_listed_in_the_registry(app):
    assert certification_expiry in registry.of(app).reminder_rules()


def test_expiring_certification_reaches_owner_and_manager(app, make_user, add_vendor, smtp_server):
    owner = make_user("procurement", email="owner@example.com")
    manager = make_user("manager", email="manager@example.com", language="en")
    vendor_id = add_vendor(owner_id=owner.id, manager_id=manager.id,
                           certifications=[("pmark", "プライバシーマーク", TODAY + timedelta(days=7))])

    with app.app_context():
        result = services.send_due_reminders(TODAY, NOW)
        rows = db.session.scalars(db.select(ReminderLog).where(ReminderLog.rule == "vendors.certification_expiry")
                                  .order_by(ReminderLog.recipient_id)).all()
        assert [(row.rule, row.stage, row.url_path) for row in rows] == [
            ("vendors.certification_expiry", "lead-60", f"/vendors/{vendor_id}")
        ] * 2

    assert sorted(digest.email for digest in result.digests) == ["manager@example.com", "owner@example.com"]
    english = next(m for e, m in zip(smtp_server.envelopes, smtp_server.messages, strict=True)
                   if e.rcpt_tos == ["manager@example.com"])
    text = english.get_body(("plain",)).get_content()
    assert "== Vendor certifications expiring ==" in text
    assert "株式会社サンプル計算センター — プライバシーマーク" in text
    assert f"http://oversight.test/vendors/{vendor_id}" in text


def test_replaced_certifications_and_ended_vendors_are_not_reminded(app, make_user, add_vendor):
    owner = make_user("procurement")
    add_vendor(owner_id=owner.id, certifications=[
        ("isms", "ISMS 2023", TODAY - timedelta(days=30)),  # replaced by the renewal below
        ("isms", "ISMS 2026", TODAY + timedelta(days=400)),
    ])
    add_vendor(owner_id=owner.id, status=ENDED, certifications=[("pmark", "", TODAY)])
    add_vendor(certifications=[("pmark", "", TODAY)])  # nobody to tell

    with app.app_context():
        assert list(certification_expiry(db.session, TODAY)) == []

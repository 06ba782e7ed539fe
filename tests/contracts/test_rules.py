"""Reminder rules: contracts approaching their end or renewal notice, returns/deletions due and overdue."""

from __future__ import annotations

from datetime import date, timedelta

from oversight.contracts import rules
from oversight.core import registry
from oversight.disposals import rules as disposal_rules
from oversight.disposals import services as disposal_services
from oversight.extensions import db
from tests.contracts.helpers import TODAY, people, signed
from tests.vendors.factories import create_vendor


def _vendor(owner, manager):
    vendor = create_vendor(owner_id=owner.id, manager_id=manager.id)
    db.session.flush()
    return vendor


def test_the_rules_are_registered(app):
    listed = registry.of(app).reminder_rules()
    assert rules.contract_end in listed and disposal_rules.disposal_due in listed


def test_a_contract_ending_in_a_week_is_reminded_to_its_people(app_ctx):
    procurement, legal, manager = people()
    vendor = _vendor(procurement, manager)
    contract = signed(procurement, legal, manager, vendor=vendor, end_on=TODAY + timedelta(days=7))
    signed(procurement, legal, manager, vendor=_vendor(procurement, manager), end_on=TODAY + timedelta(days=200))
    items = list(rules.contract_end(db.session, TODAY))
    # reminders.contract_end_lead_days defaults to 90,30: a week before the end is in the 30-day stage
    assert [(item.object_id, item.stage) for item in items] == [(contract.id, "lead-30")]
    assert items[0].recipients == {procurement.id, manager.id}
    assert items[0].url_path == f"/contracts/{contract.id}"


def test_an_automatic_renewal_is_reminded_before_its_notice_deadline(app_ctx):
    procurement, legal, manager = people()
    vendor = _vendor(procurement, manager)
    signed(procurement, legal, manager, vendor=vendor, end_on=TODAY + timedelta(days=67), auto_renewal=True,
           notice_days=60)
    items = list(rules.contract_end(db.session, TODAY))
    assert [(item.due_on, item.stage) for item in items] == [(TODAY + timedelta(days=7), "lead-30")]


def test_an_overdue_deletion_is_escalated_to_the_managers(app_ctx):
    procurement, legal, manager = people()
    vendor = _vendor(procurement, manager)
    contract = signed(procurement, legal, manager, vendor=vendor, start_on=date(2025, 1, 1),
                      end_on=TODAY - timedelta(days=31))
    disposal_services.close_ended_contracts(TODAY)
    items = list(disposal_rules.disposal_due(db.session, TODAY))
    assert len(items) == 1
    item = items[0]
    assert item.stage == "overdue-1" and item.escalate and item.days_late == 1
    assert manager.id in item.recipients and procurement.id in item.recipients
    assert item.title.endswith(contract.title)

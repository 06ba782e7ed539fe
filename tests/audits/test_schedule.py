"""Next-due dates, triggers and the 把握 light."""

from datetime import date, timedelta

import pytest
from sqlalchemy import Date, literal

from oversight.audits import lights as audit_lights
from oversight.audits import schedule
from oversight.audits import services as audit_services
from oversight.audits import settings as audit_settings
from oversight.audits.models import SIGNED_OFF
from oversight.audits.schedule import VendorFacts, add_months
from oversight.extensions import db
from oversight.status.lights import duty_lights, lights_query
from oversight.vendors.models import Vendor
from tests.audits.helpers import TODAY, active_vendor, finding, recording, signed_off, user
from tests.status.filters import condition


@pytest.mark.parametrize(
    ("tier", "expected"),
    [("high", date(2027, 5, 26)), ("medium", date(2027, 11, 26)), ("low", date(2028, 11, 26))],
)
def test_next_due_is_last_audit_plus_the_tier_interval(tier, expected):
    facts = VendorFacts(1, "active", tier, last_audit_on=TODAY)
    assert facts.next_due_on(TODAY) == expected


def test_month_end_is_clamped():
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)


def test_sql_add_months_agrees_with_add_months(app_ctx):
    days = [date(2026, 1, 31), date(2026, 8, 31), date(2027, 8, 31), date(2028, 2, 29), date(2026, 12, 15)]
    for day in days:
        for months in (1, 6, 12, 24, 13):
            expression = schedule.sql_add_months(literal(day, Date), literal(months))
            assert db.session.scalar(db.select(expression)) == add_months(day, months), (day, months)


def monitoring_light(facts: VendorFacts, today: date, warning_days: int):
    """The 把握 light's rule (SQL) evaluated over ``facts`` given as literals (no rows needed)."""
    config = audit_settings.defaults()
    config = audit_settings.AuditSettings(config.intervals, config.trigger_due_days, warning_days)
    columns = {
        "grasp_status": literal(facts.status),
        "grasp_risk_tier": literal(facts.risk_tier),
        "grasp_last_audit_on": literal(facts.last_audit_on, Date),
        "grasp_trigger_due_on": literal(facts.trigger_due_on, Date),
        "grasp_overdue_findings": literal(facts.overdue_findings),
        "grasp_serious_findings": literal(facts.serious_open_findings),
    }
    query = db.select(
        audit_lights.state(columns, today, config).label("code"),
        audit_lights.next_due(columns, config).label("grasp_next_due_on"),
        columns["grasp_overdue_findings"].label("grasp_overdue_findings"),
    )
    row = db.session.execute(query).one()
    return audit_lights.light(row.code, row, today, _=lambda text, **values: text % values if values else text)


def test_never_audited_vendor_is_due_now_and_red(app_ctx):
    facts = VendorFacts(1, "active", "low")
    assert facts.next_due_on(TODAY) == TODAY
    light = monitoring_light(facts, TODAY, 30)
    assert (light.state, light.text) == ("red", "Never audited")


def test_trigger_brings_the_due_date_forward(app_ctx):
    facts = VendorFacts(1, "active", "low", last_audit_on=date(2026, 6, 1), trigger_due_on=date(2026, 12, 26))
    assert facts.regular_due_on() == date(2028, 6, 1)
    assert facts.next_due_on(TODAY) == date(2026, 12, 26)
    assert monitoring_light(facts, TODAY, 30).state == "amber"


@pytest.mark.parametrize(
    ("facts", "state"),
    [
        (VendorFacts(1, "active", "medium", last_audit_on=date(2026, 6, 1)), "green"),
        (VendorFacts(1, "active", "medium", last_audit_on=date(2025, 12, 20)), "amber"),  # due 2026-12-20
        (VendorFacts(1, "active", "medium", last_audit_on=date(2025, 11, 25)), "red"),  # due yesterday
        (VendorFacts(1, "active", "medium", last_audit_on=date(2025, 11, 26)), "amber"),  # due today
        (VendorFacts(1, "active", "high", last_audit_on=date(2026, 6, 1), serious_open_findings=1), "amber"),
        (VendorFacts(1, "active", "high", last_audit_on=date(2026, 6, 1), overdue_findings=1), "red"),
        (VendorFacts(1, "terminating", "high"), "red"),
        (VendorFacts(1, "selected", "high"), "grey"),
        (VendorFacts(1, "ended", "high", overdue_findings=2), "red"),
        (VendorFacts(1, "candidate", "high", serious_open_findings=1), "amber"),
        (VendorFacts(1, "active", "low", last_audit_on=date(2026, 1, 1), trigger_due_on=date(2026, 11, 25)), "red"),
    ],
)
def test_light_states(app_ctx, facts, state):
    assert monitoring_light(facts, TODAY, 30).state == state


def _light_row(vendor_id: int):
    """The facts, code and next due date the vendor's 把握 light is read from."""
    return db.session.execute(lights_query([vendor_id], TODAY, ("monitoring",))).one()


def test_signed_off_audit_sets_the_next_due_date(app_ctx):
    auditor, manager = user("auditor", email="a@example.com"), user("manager", email="m@example.com")
    vendor = active_vendor(risk_tier="high")
    signed_off(vendor, auditor, manager, conducted_on=date(2026, 10, 1))
    row = _light_row(vendor.id)
    assert row.grasp_last_audit_on == date(2026, 10, 1)
    assert row.grasp_next_due_on == date(2027, 4, 1)
    assert duty_lights("monitoring", [vendor.id], TODAY)[vendor.id].state == "green"


def test_multi_day_audit_counts_from_its_last_day(app_ctx):
    auditor, manager = user("auditor", email="a@example.com"), user("manager", email="m@example.com")
    vendor = active_vendor(risk_tier="medium")
    audit = signed_off(vendor, auditor, manager, conducted_on=date(2026, 10, 1), conducted_end_on=date(2026, 10, 3))
    assert audit.completed_on == date(2026, 10, 3)
    assert _light_row(vendor.id).grasp_next_due_on == date(2027, 10, 3)


def test_trigger_plans_an_extra_audit_due_in_30_days(app_ctx):
    auditor, manager = user("auditor", email="a@example.com"), user("manager", email="m@example.com")
    vendor = active_vendor(risk_tier="low")
    signed_off(vendor, auditor, manager, conducted_on=date(2026, 6, 1))
    trigger = audit_services.trigger_extra_audit(vendor, "incident", "委託先でUSBメモリ紛失", auditor, TODAY)
    db.session.flush()
    assert trigger.due_on == date(2026, 12, 26)
    assert trigger.audit.status == "planned" and trigger.audit.planned_on == date(2026, 12, 26)
    assert _light_row(vendor.id).grasp_next_due_on == date(2026, 12, 26)
    assert duty_lights("monitoring", [vendor.id], TODAY)[vendor.id].state == "amber"
    # Thirty-one days later the extra audit is overdue.
    assert duty_lights("monitoring", [vendor.id], TODAY + timedelta(days=31))[vendor.id].state == "red"


def test_second_trigger_joins_the_open_audit(app_ctx):
    auditor = user("auditor", email="a@example.com")
    vendor = active_vendor()
    first = audit_services.trigger_extra_audit(vendor, "renewal", "契約更新", auditor, TODAY)
    second = audit_services.trigger_extra_audit(
        vendor, "subcontractor", "再委託先追加", auditor, TODAY + timedelta(days=5)
    )
    assert first.audit_id == second.audit_id
    assert first.audit.planned_on == TODAY + timedelta(days=30)


def test_unknown_trigger_reason_is_refused(app_ctx):
    vendor = active_vendor()
    with pytest.raises(audit_services.AuditRuleError):
        audit_services.trigger_extra_audit(vendor, "whim", "", None, TODAY)


def test_sign_off_resolves_triggers(app_ctx):
    auditor, manager = user("auditor", email="a@example.com"), user("manager", email="m@example.com")
    vendor = active_vendor(risk_tier="high")
    trigger = audit_services.trigger_extra_audit(vendor, "location", "データセンター移転", auditor, TODAY)
    audit = trigger.audit
    audit_services.start_recording(audit, actor=auditor, today=TODAY)
    db.session.flush()
    from tests.audits.helpers import NOW, answer_all

    answer_all(audit, auditor)
    audit_services.submit(audit, rating="good", decision="continue", conditions="", summary="", actor=auditor, now=NOW)
    audit_services.sign_off(audit, actor=manager, note="", today=TODAY, now=NOW)
    db.session.flush()
    assert trigger.resolved_on == TODAY and trigger.resolved_by_audit_id == audit.id
    assert audit.status == SIGNED_OFF
    assert duty_lights("monitoring", [vendor.id], TODAY)[vendor.id].state == "green"


def test_overdue_finding_turns_the_light_red(app_ctx):
    auditor, manager = user("auditor", email="a@example.com"), user("manager", email="m@example.com")
    vendor = active_vendor(risk_tier="high")
    audit = recording(vendor, auditor, conducted_on=date(2026, 10, 1))
    finding(audit, auditor, due_on=date(2026, 11, 20))
    from tests.audits.helpers import NOW, answer_all

    answer_all(audit, auditor)
    audit_services.submit(audit, rating="good", decision="continue", conditions="", summary="", actor=auditor, now=NOW)
    audit_services.sign_off(audit, actor=manager, note="", today=TODAY, now=NOW)
    db.session.flush()
    light = duty_lights("monitoring", [vendor.id], TODAY)[vendor.id]
    assert light.state == "red"
    assert duty_lights("monitoring", [vendor.id], date(2026, 11, 15))[vendor.id].state == "green"


def test_lights_take_a_constant_number_of_queries(app_ctx, count_queries):
    auditor, manager = user("auditor", email="a@example.com"), user("manager", email="m@example.com")
    small = [active_vendor().id]
    for _ in range(6):
        vendor = active_vendor()
        signed_off(vendor, auditor, manager, conducted_on=date(2026, 9, 1))
        small.append(vendor.id)
    db.session.commit()
    with count_queries() as few:
        duty_lights("monitoring", small[:2], TODAY)
    with count_queries() as many:
        duty_lights("monitoring", small, TODAY)
    assert few.count == many.count <= 5  # settings, vendors, last audits, triggers, findings


def _scenario(auditor, manager):
    """Vendors in every light state; returns {vendor_id: expected state}."""
    expected = {}
    green = active_vendor(risk_tier="high")
    signed_off(green, auditor, manager, conducted_on=date(2026, 9, 1))
    expected[green.id] = "green"
    due_soon = active_vendor(risk_tier="medium")
    signed_off(due_soon, auditor, manager, conducted_on=date(2025, 12, 10))
    expected[due_soon.id] = "amber"
    overdue = active_vendor(risk_tier="low")
    signed_off(overdue, auditor, manager, conducted_on=date(2024, 11, 1))
    expected[overdue.id] = "red"
    expected[active_vendor().id] = "red"  # never audited
    expected[active_vendor(status="selected").id] = "grey"
    triggered = active_vendor(risk_tier="low")
    signed_off(triggered, auditor, manager, conducted_on=date(2026, 9, 1))
    audit_services.trigger_extra_audit(triggered, "incident", "漏えいのおそれ", auditor, TODAY)
    expected[triggered.id] = "amber"
    serious = active_vendor(risk_tier="high")
    audit = recording(serious, auditor, conducted_on=date(2026, 9, 1))
    finding(audit, auditor, severity="serious", due_on=date(2027, 1, 31))
    expected[serious.id] = "red"  # never signed off
    late = active_vendor(status="ended")
    audit = recording(late, auditor, conducted_on=date(2026, 9, 1))
    finding(audit, auditor, due_on=date(2026, 10, 31))
    expected[late.id] = "red"
    serious_grey = active_vendor(status="ended")
    audit = recording(serious_grey, auditor, conducted_on=date(2026, 9, 1))
    finding(audit, auditor, severity="serious", due_on=date(2027, 1, 31))
    expected[serious_grey.id] = "amber"
    db.session.flush()
    return expected


def test_lights_and_filters_in_every_state(app_ctx):
    auditor, manager = user("auditor", email="a@example.com"), user("manager", email="m@example.com")
    expected = _scenario(auditor, manager)
    lights = duty_lights("monitoring", list(expected), TODAY)
    assert {vendor_id: light.state for vendor_id, light in lights.items()} == expected
    for state in ("green", "amber", "red", "grey"):
        ids = set(db.session.scalars(db.select(Vendor.id).where(condition("monitoring", state, TODAY))))
        assert ids == {vendor_id for vendor_id, value in expected.items() if value == state}, state

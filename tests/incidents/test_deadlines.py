"""The clocks as the incident page computes them from recorded facts, with fixed dates."""

from __future__ import annotations

from datetime import date

import pytest

from oversight.extensions import db
from oversight.incidents import clocks, status
from oversight.incidents.models import PRELIMINARY_REPORT
from oversight.incidents.services import complete_step
from tests.incidents.factories import create_contract, create_incident
from tests.vendors.factories import create_vendor

TODAY = date(2026, 11, 5)


def clocks_of(incident, today=TODAY) -> dict[str, status.Clock]:
    return {clock.key: clock for clock in status.incident_clocks(incident, today)}


def test_final_report_in_year_end_closure_moves_to_first_business_day(manager):
    incident = create_incident(
        manager, vendor_notified_on=date(2026, 12, 1), vendor_knew_on=date(2026, 11, 30), occurred_on=date(2026, 11, 30)
    )
    final = clocks_of(incident, date(2026, 12, 2))["final"]
    assert final.due_on == date(2027, 1, 4)  # day 30 = 12/30, closed until 1/3
    assert final.state == status.RUNNING


def test_final_report_on_a_national_holiday_moves_to_next_day(manager):
    incident = create_incident(
        manager,
        occurred_on=date(2026, 10, 25),
        vendor_knew_on=date(2026, 10, 25),
        vendor_notified_on=date(2026, 10, 25),
    )
    assert clocks_of(incident)["final"].due_on == date(2026, 11, 24)  # day 30 = 11/23 勤労感謝の日


def test_improper_purpose_gives_60_days(manager):
    incident = create_incident(manager, categories=["R2-i"], is_improper_purpose=True, people_min=3, people_max=3)
    panel = clocks_of(incident)
    assert panel["final"].due_on == date(2027, 1, 4)  # 11/3 + 59 = 12/31 → 1/4
    assert status.reportability(incident).final_days == 60


def test_improper_purpose_overlapping_r4_still_gives_60_days(manager):
    incident = create_incident(manager, categories=["R2-i", "R4-i"], is_improper_purpose=True)
    assert clocks_of(incident)["final"].due_on == date(2027, 1, 4)


def test_exactly_100_people_is_not_reportable_under_r4(manager):
    incident = create_incident(manager, people_min=100, people_max=100)
    view = status.reportability(incident)
    assert not view.is_reportable
    assert str(clocks.REASON_LABELS[clocks.REASON_R4_BELOW_THRESHOLD]) in view.reasons
    panel = clocks_of(incident)
    assert panel["preliminary"].state == status.NOT_APPLICABLE
    assert panel["final"].state == status.NOT_APPLICABLE


def test_101_people_is_reportable_with_30_days(manager):
    incident = create_incident(manager, people_min=101, people_max=101)
    assert status.reportability(incident).is_reportable
    final = clocks_of(incident)["final"]
    assert final.due_on == date(2026, 12, 2)  # 11/3 + 29
    assert final.days_left == 27


def test_maximum_counts_while_final_unknown_then_final_decides(manager):
    incident = create_incident(manager, people_min=50, people_max=150, people_final=None)
    assert status.reportability(incident).is_reportable
    incident.people_final = 90
    assert not status.reportability(incident).is_reportable


def test_high_grade_encryption_excludes_every_category(manager):
    incident = create_incident(manager, categories=["R3", "R4-i"], is_highly_encrypted=True, people_max=5000)
    view = status.reportability(incident)
    assert not view.is_reportable
    assert view.reasons == (str(clocks.REASON_LABELS[clocks.REASON_ENCRYPTED]),)
    assert clocks_of(incident)["final"].state == status.NOT_APPLICABLE


def test_we_knew_on_the_earliest_department_day_before_the_vendor_notice(manager):
    incident = create_incident(
        manager,
        department_knew_on=date(2026, 11, 2),
        vendor_notified_on=date(2026, 11, 6),
        vendor_knew_on=date(2026, 11, 2),
    )
    assert status.principal_knew_on(incident) == date(2026, 11, 2)
    panel = clocks_of(incident)
    assert panel["preliminary"].due_on == date(2026, 11, 6)  # guide: day 3–5, day 1 = 11/2
    assert panel["final"].due_on == date(2026, 12, 1)


def test_vendor_notice_uses_contract_sla_hours(manager):
    vendor = create_vendor()
    contract = create_contract(vendor, incident_notice_hours=24)
    incident = create_incident(
        manager,
        vendor=vendor,
        contract_id=contract.id,
        vendor_knew_on=date(2026, 11, 2),
        vendor_notified_on=date(2026, 11, 4),
    )
    db.session.expire(incident)
    clock = clocks_of(incident)["vendor_notice"]
    assert clock.due_on == date(2026, 11, 3)
    assert clock.state == status.DONE and "1" in clock.text  # one day late
    assert "24" in clock.basis


def test_vendor_notice_without_contract_uses_the_guide_and_goes_late(manager):
    incident = create_incident(
        manager, vendor_knew_on=date(2026, 11, 2), vendor_notified_on=None, department_knew_on=None
    )
    clock = clocks_of(incident, date(2026, 11, 9))["vendor_notice"]
    assert clock.due_on == date(2026, 11, 6)
    assert clock.state == status.LATE
    assert clock.days_left == -3


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (date(2026, 11, 4), status.RUNNING),
        (date(2026, 11, 6), status.SOON),
        (date(2026, 11, 7), status.SOON),
        (date(2026, 11, 8), status.LATE),
    ],
)
def test_preliminary_clock_states(manager, today, state):
    incident = create_incident(manager)
    assert clocks_of(incident, today)["preliminary"].state == state  # due 11/7 (knew 11/3)


def test_preliminary_done_turns_the_clock_green(manager, app_ctx):
    from oversight.core.timeutil import utcnow

    incident = create_incident(manager)
    step = status.step(incident, PRELIMINARY_REPORT)
    complete_step(step, {"done_on": date(2026, 11, 5), "reference": "PPC-1"}, actor=manager, today=TODAY, now=utcnow())
    clock = clocks_of(incident)["preliminary"]
    assert clock.state == status.DONE and clock.done_on == date(2026, 11, 5)


def test_unknown_knowing_date_leaves_clocks_waiting(manager):
    incident = create_incident(manager, vendor_notified_on=None, department_knew_on=None, vendor_knew_on=None)
    panel = clocks_of(incident)
    assert panel["final"].due_on is None and panel["final"].state == status.NOT_APPLICABLE

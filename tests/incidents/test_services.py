"""Service rules beyond the clocks: owner, closing, re-evaluation requests, the dashboard query."""

from __future__ import annotations

from datetime import date

import pytest

from oversight.extensions import db
from oversight.incidents import services, status
from tests.incidents.factories import create_incident
from tests.vendors.factories import create_vendor

TODAY = date(2026, 11, 26)


def test_a_manager_recording_owns_the_incident(manager):
    assert create_incident(manager).owner_id == manager.id


def test_closing_with_open_steps_is_refused(manager):
    incident = create_incident(manager)
    with pytest.raises(services.IncidentRuleError):
        services.close_incident(incident, "done", actor=manager, today=TODAY)
    assert incident.is_open


def test_closing_records_the_reevaluation_request(manager):
    vendor = create_vendor()
    incident = create_incident(manager, vendor=vendor)
    for step in incident.steps:
        services.waive_step(step, "テスト", actor=manager, now=incident.created_at)
    services.close_incident(incident, "対応完了", actor=manager, today=TODAY)
    db.session.commit()
    assert services.reevaluation_requests([vendor.id]) == {vendor.id: TODAY}
    assert services.open_incident_counts([vendor.id]) == {}
    with pytest.raises(services.IncidentRuleError):
        services.close_incident(incident, "again", actor=manager, today=TODAY)


def test_open_incidents_lists_the_most_urgent_first_in_constant_queries(manager, count_queries):
    calm = create_incident(manager, vendor_knew_on=date(2026, 11, 20), vendor_notified_on=date(2026, 11, 24))
    late = create_incident(manager, vendor_knew_on=date(2026, 11, 10), vendor_notified_on=date(2026, 11, 11))
    db.session.commit()
    db.session.expire_all()
    with count_queries() as counter:
        rows = status.open_incidents(TODAY)
    assert [row.incident.id for row in rows] == [late.id, calm.id]
    assert rows[0].next_clock.state == status.LATE and rows[0].is_reportable
    assert counter.count <= 4
    for _ in range(5):
        create_incident(manager)
    db.session.commit()
    db.session.expire_all()
    with count_queries() as more:
        status.open_incidents(TODAY)
    assert more.count == counter.count

"""``/api/v1/incidents``: each incident with the deadlines its page computes (速報, 確報)."""

from __future__ import annotations

from datetime import date

from oversight.core.timeutil import local_today
from oversight.extensions import db
from oversight.incidents import status as incident_status
from oversight.incidents.models import Incident


def test_an_incident_carries_the_same_deadlines_as_its_page(app, client, make_token, an_incident):
    holder = make_token("viewer")
    answer = client.get(f"/api/v1/incidents/{an_incident}", headers=holder.headers).get_json()
    with app.app_context():
        expected = incident_status.incident_clocks(db.session.get(Incident, an_incident), local_today())
    clocks = {clock["key"]: clock for clock in answer["clocks"]}
    assert list(clocks) == [clock.key for clock in expected]
    for clock in expected:
        assert clocks[clock.key]["due_on"] == (clock.due_on.isoformat() if clock.due_on else None)
        assert clocks[clock.key]["state"] == clock.state
    # Known on 2026-11-02 (a Monday): 確報 within 30 days, day 1 included → 2026-12-01 (a Tuesday).
    assert clocks["final"]["due_on"] == "2026-12-01"
    assert date.fromisoformat(clocks["preliminary"]["due_on"]) <= date(2026, 11, 9)
    assert answer["is_reportable"] is True


def test_the_incident_list_filters_as_its_page(client, make_token, an_incident, a_vendor):
    holder = make_token("auditor")
    listed = client.get(f"/api/v1/incidents?status=open&vendor_id={a_vendor}", headers=holder.headers).get_json()
    assert [item["id"] for item in listed["items"]] == [an_incident]
    assert client.get("/api/v1/incidents?status=closed", headers=holder.headers).get_json()["items"] == []
    assert client.get("/api/v1/incidents?q=誤送信", headers=holder.headers).get_json()["items"][0]["id"] == an_incident

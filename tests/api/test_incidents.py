"""``/api/v1/incidents``: each incident with the deadlines its page computes (速報, 確報)."""

from __future__ import annotations

from datetime import date

from oversight.activity.models import ActivityLog
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


def test_an_incident_is_opened_with_the_incident_forms_rules(app, client, make_token, a_vendor):
    holder = make_token("legal")
    body = {"vendor_id": a_vendor, "title": "委託先PCの紛失", "kind": "loss", "occurred_on": "2026-11-01",
            "vendor_knew_on": "2026-11-02", "vendor_notified_on": "2026-11-03", "people_min": 120,
            "people_max": 150, "categories": ["R1-ro"], "description": "給与データを含むPCを紛失"}
    created = client.post("/api/v1/incidents", headers=holder.headers, json=body)
    assert created.status_code == 201, created.get_data(as_text=True)
    incident = created.get_json()
    assert created.headers["Location"].endswith(f"/api/v1/incidents/{incident['id']}")
    assert created.headers["ETag"] == f'"incident-{incident["id"]}-v1"'
    with app.app_context():
        expected = incident_status.incident_clocks(db.session.get(Incident, incident["id"]), local_today())
        logged = db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "incident.create"))
        assert logged is not None and logged.actor_id == holder.user.id
    assert [clock["key"] for clock in incident["clocks"]] == [clock.key for clock in expected]

    english = {**holder.headers, "Accept-Language": "en"}
    backwards = client.post("/api/v1/incidents", headers=english,
                            json={**body, "vendor_notified_on": "2026-11-01", "vendor_knew_on": "2026-11-02"})
    assert backwards.status_code == 422 and backwards.get_json()["errors"] == [
        {"field": "vendor_notified_on", "message": "The vendor cannot notify us before it knew."}]
    counts = client.post("/api/v1/incidents", headers=english, json={**body, "people_max": 100})
    assert [error["field"] for error in counts.get_json()["errors"]] == ["people_max"]
    unknown = client.post("/api/v1/incidents", headers=english, json={**body, "vendor_id": 999999})
    assert unknown.status_code == 422 and unknown.get_json()["errors"][0]["field"] == "vendor_id"
    viewer = make_token("viewer")
    assert client.post("/api/v1/incidents", headers=viewer.headers, json=body).status_code == 403

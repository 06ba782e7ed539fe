"""The app's finding: R4 derived from the kind of event and the number of people (規則第2条第4号, [GL] 別添2 3A).

More than 100 people affected by a leak, loss or damage makes the incident reportable whatever the user
ticked; setting the finding aside needs a reason, which the record and the activity log keep.
"""

from __future__ import annotations

from datetime import date

import pytest

from oversight.activity.models import ActivityLog
from oversight.auth.roles import LEGAL, MANAGER
from oversight.extensions import db
from oversight.incidents import clocks, status
from oversight.incidents.models import Incident
from tests.incidents.factories import create_incident
from tests.incidents.test_views import form_data, vendor_id  # noqa: F401  (fixture)

TODAY = date(2026, 11, 4)


@pytest.mark.parametrize(
    ("kind", "people", "encrypted", "expected"),
    [
        ("leak", 100, False, ()),
        ("leak", 101, False, ("R4-i",)),
        ("loss", 101, False, ("R4-i",)),
        ("damage", 5000, False, ("R4-i",)),
        ("leak", 101, True, ()),
        ("leak", None, False, ()),
    ],
)
def test_finding_is_r4_i_above_100_people_for_every_kind_of_leak_loss_or_damage(kind, people, encrypted, expected):
    assert clocks.derived_categories(kind, people=people, is_highly_encrypted=encrypted) == expected


def test_101_people_with_no_category_ticked_is_reportable_with_the_report_deadlines(manager):
    incident = create_incident(manager, categories=[], people_min=80, people_max=101)
    db.session.flush()
    view = status.reportability(incident)
    assert view.is_reportable
    assert view.finding and view.override_reason == ""
    assert status.categories(incident) == ["R4-i"]
    clocks_by_key = {clock.key: clock for clock in status.incident_clocks(incident, TODAY)}
    # We knew on 2026-11-03 (the vendor's notice): 速報 guide ends on day 5, 確報 on day 30.
    assert clocks_by_key["preliminary"].due_on == date(2026, 11, 7)
    assert clocks_by_key["final"].due_on == date(2026, 12, 2)
    assert clocks_by_key["final"].state == status.RUNNING


def test_the_final_count_decides_over_the_maximum(manager):
    incident = create_incident(manager, categories=[], people_min=80, people_max=150, people_final=100)
    assert status.finding(incident) == ()
    assert not status.reportability(incident).is_reportable


def test_recording_101_people_shows_the_finding_and_the_clocks(app, client, login_as, vendor_id):  # noqa: F811
    login_as(LEGAL)
    response = client.post(
        "/incidents/new", data=form_data(vendor_id, categories=[], people_min="90", people_max="101")
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="finding"' in page
    assert 'data-testid="clock-final" data-state="na"' not in page
    assert "2026-12-02" in page
    with app.app_context():
        assert db.session.scalar(db.select(Incident)).categories == []


def test_setting_the_finding_aside_needs_a_reason_that_is_kept_and_logged(app, client, login_as, vendor_id):  # noqa: F811
    login_as(MANAGER)
    response = client.post(
        "/incidents/new", data=form_data(vendor_id, categories=[], people_min="90", people_max="101")
    )
    assert response.status_code == 302
    with app.app_context():
        incident_id = db.session.scalar(db.select(Incident.id))
    reason = "101件のうち100件は同一人物の重複データで、本人の数は1人と確認した"
    response = client.post(
        f"/incidents/{incident_id}/edit",
        data=form_data(
            vendor_id, categories=[], people_min="90", people_max="101", version="1", finding_override_reason=reason
        ),
    )
    assert response.status_code == 302
    page = client.get(f"/incidents/{incident_id}").get_data(as_text=True)
    assert 'data-testid="finding-override"' in page and reason in page
    with app.app_context():
        incident = db.session.get(Incident, incident_id)
        assert not status.reportability(incident).is_reportable
        log = db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "incident.update"))
        assert log.changes["finding_override_reason"] == ["", reason]


def test_a_reason_without_a_finding_to_set_aside_is_refused(app, client, login_as, vendor_id):  # noqa: F811
    login_as(LEGAL)
    response = client.post(
        "/incidents/new",
        data=form_data(vendor_id, categories=[], people_min="90", people_max="100", finding_override_reason="念のため"),
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(db.select(Incident.id)) is None

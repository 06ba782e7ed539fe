"""Incident pages: access per role, recording with validation, steps, closing, vendor badges."""

from __future__ import annotations

import io
from datetime import date

import pytest

from oversight.activity.models import ActivityLog
from oversight.audits.models import AuditTrigger
from oversight.auth.models import User
from oversight.auth.roles import ADMIN, ALL_ROLES, AUDITOR, LEGAL, MANAGER, PROCUREMENT, VIEWER
from oversight.extensions import db
from oversight.incidents.models import STEP_CODES, Incident, IncidentStep
from oversight.vendors.models import Vendor
from tests.incidents.factories import create_contract, create_incident
from tests.uploads import pdf_bytes
from tests.vendors.factories import create_vendor

RECORDERS = {MANAGER, PROCUREMENT, LEGAL, AUDITOR}


@pytest.fixture
def vendor_id(app):
    with app.app_context():
        vendor = create_vendor(name="株式会社漏えいテスト")
        db.session.commit()
        return vendor.id


@pytest.fixture
def incident_id(app, make_user, vendor_id):
    owner = make_user(MANAGER)
    with app.app_context():
        incident = create_incident(db.session.get(User, owner.id), vendor=db.session.get(Vendor, vendor_id))
        db.session.commit()
        return incident.id


def form_data(vendor: int, **overrides) -> dict:
    data = {
        "vendor_id": str(vendor),
        "chain_level": "0",
        "title": "委託先での誤送信",
        "kind": "leak",
        "description": "源泉徴収票を誤送付",
        "occurred_on": "2026-11-02",
        "vendor_knew_on": "2026-11-02",
        "vendor_notified_on": "2026-11-03",
        "categories": ["R4-i"],
        "people_min": "120",
        "people_max": "150",
        "cause_party": "vendor",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_reads_list_and_detail(client, login_as, incident_id, role):
    login_as(role)
    assert client.get("/incidents/").status_code == 200
    page = client.get(f"/incidents/{incident_id}")
    assert page.status_code == 200
    assert 'data-testid="clocks"' in page.get_data(as_text=True)
    assert client.get(f"/incidents/{incident_id}/report.pdf?stage=final").status_code == 200
    assert client.get(f"/incidents/{incident_id}/notice.pdf").status_code == 200


def test_detail_runs_the_same_statements_whatever_the_incident_links(app, client, login_as, make_user, count_queries):
    """A bare incident and one with a contract, owner, subcontractor and closer cost the same statements."""
    login_as(ADMIN)
    owner = make_user(MANAGER)
    with app.app_context():
        actor = db.session.get(User, owner.id)
        bare = create_incident(actor)
        vendor = create_vendor(name="株式会社連結テスト")
        where = create_vendor(name="株式会社再委託先テスト")
        contract = create_contract(vendor)
        linked = create_incident(
            actor, vendor=vendor, contract_id=contract.id, chain_level=1, where_vendor_id=where.id, owner_id=owner.id
        )
        linked.closed_by_id = owner.id
        db.session.commit()
        bare_id, linked_id = bare.id, linked.id
    client.get(f"/incidents/{bare_id}")  # warm the per-request settings and translations alike
    with count_queries() as plain:
        assert client.get(f"/incidents/{bare_id}").status_code == 200
    with count_queries() as full:
        page = client.get(f"/incidents/{linked_id}")
    assert page.status_code == 200
    assert "株式会社再委託先テスト" in page.get_data(as_text=True)
    assert full.count == plain.count


@pytest.mark.parametrize("role", ALL_ROLES)
def test_recording_and_steps_need_a_recorder_role(client, login_as, incident_id, role):
    login_as(role)
    expected = 200 if role in RECORDERS else 403
    assert client.get("/incidents/new").status_code == expected
    assert client.get(f"/incidents/{incident_id}/edit").status_code == expected
    assert client.get(f"/incidents/{incident_id}/steps/investigation").status_code == expected


@pytest.mark.parametrize("role", ALL_ROLES)
def test_closing_and_waiving_are_for_managers(client, login_as, incident_id, role):
    login_as(role)
    assert client.get(f"/incidents/{incident_id}/close").status_code == (200 if role == MANAGER else 403)
    response = client.post(
        f"/incidents/{incident_id}/steps/publication/waive", data={"version": "1", "waiver_reason": "x"}
    )
    assert response.status_code == (302 if role == MANAGER else 403)


def test_recording_an_incident_logs_it_and_opens_every_step(app, client, login_as, vendor_id):
    user = login_as(PROCUREMENT)
    response = client.post("/incidents/new", data=form_data(vendor_id))
    assert response.status_code == 302
    with app.app_context():
        incident = db.session.scalar(db.select(Incident))
        assert incident.created_by_id == user.id and incident.categories == ["R4-i"]
        assert [step.code for step in incident.steps] == list(STEP_CODES)
        assert db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "incident.create"))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="clock-final"' in page and "2026-12-02" in page


@pytest.mark.parametrize(
    ("overrides", "field_text"),
    [
        ({"vendor_knew_on": "2026-11-01"}, "2026-11-02"),  # before occurred
        ({"people_min": "200", "people_max": "150"}, "150"),
        ({"categories": ["R2-i"]}, "R2"),
        ({"is_improper_purpose": "y", "categories": ["R3"]}, "R2"),
        ({"vendor_notified_on": "2026-11-02", "vendor_knew_on": "2026-11-05"}, "2026-11-05"),
        ({"people_final": "151"}, "151"),
        ({"chain_level": "1"}, "委託先での誤送信"),
    ],
)
def test_invalid_facts_are_refused_next_to_the_field_and_input_survives(
    client, login_as, vendor_id, overrides, field_text
):
    login_as(MANAGER)
    response = client.post("/incidents/new", data=form_data(vendor_id, description="入力が残ること", **overrides))
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "invalid-feedback" in body
    assert "入力が残ること" in body and field_text in body


@pytest.mark.parametrize(
    "overrides",
    [
        {"vendor_id": "abc"},
        {"vendor_id": "999999999999999999999"},
        {"people_min": "-5"},
        {"people_max": "99999999999999999999999"},
        {"occurred_on": "2026-13-45"},
        {"categories": ["R9"]},
        {"kind": "fire"},
        {"title": "a\x00b"},
        {"contract_id": "12"},
        {"owner_id": "x"},
        {"chain_level": "-1"},
    ],
)
def test_bad_input_never_gives_500(client, login_as, vendor_id, overrides):
    login_as(MANAGER)
    response = client.post("/incidents/new", data=form_data(vendor_id, **overrides))
    assert response.status_code in (400, 302)


def test_bad_urls_give_404(client, login_as, incident_id):
    login_as(MANAGER)
    assert client.get("/incidents/999999").status_code == 404
    assert client.get(f"/incidents/{incident_id}/steps/nonsense").status_code == 404
    assert client.get("/incidents/99999999999999999999999").status_code == 404
    assert client.get(f"/incidents/{incident_id}/report.pdf?stage=bogus").status_code == 200
    assert client.get("/incidents/?status=bogus&vendor_id=x").status_code == 200
    assert client.get("/incidents/?q=%00").status_code == 400


def test_stale_edit_keeps_the_input(app, client, login_as, incident_id, vendor_id):
    login_as(MANAGER)
    data = form_data(vendor_id, version="0", title="古い版からの編集")
    response = client.post(f"/incidents/{incident_id}/edit", data=data)
    assert response.status_code == 409  # stale: the form again with the input (docs/DEVELOPMENT.md)
    assert "古い版からの編集" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Incident, incident_id).title != "古い版からの編集"


def test_edit_saves_and_logs_the_change(app, client, login_as, incident_id, vendor_id):
    login_as(LEGAL)
    response = client.post(
        f"/incidents/{incident_id}/edit", data=form_data(vendor_id, version="1", people_final="130", people_max="150")
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Incident, incident_id).people_final == 130
        log = db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "incident.update"))
        assert log.changes["people_final"] == [None, 130]


def _step(app, incident_id, code) -> IncidentStep:
    with app.app_context():
        return db.session.scalar(db.select(IncidentStep).filter_by(incident_id=incident_id, code=code))


def test_step_done_records_who_and_when_and_logs_it(app, client, login_as, incident_id):
    user = login_as(AUDITOR)
    response = client.post(
        f"/incidents/{incident_id}/steps/preliminary_report",
        data={
            "version": "1",
            "done_on": "2026-11-05",
            "reference": "PPC-2026-0001",
            "note": "Webフォームで提出",
            "action": "done",
        },
    )
    assert response.status_code == 302
    step = _step(app, incident_id, "preliminary_report")
    assert (step.status, step.done_on, step.reference, step.completed_by_id) == (
        "done",
        date(2026, 11, 5),
        "PPC-2026-0001",
        user.id,
    )
    with app.app_context():
        assert db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "incident.step_done"))


def test_step_form_errors_keep_the_input(client, login_as, incident_id):
    login_as(MANAGER)
    response = client.post(
        f"/incidents/{incident_id}/steps/investigation",
        data={"version": "1", "done_on": "not-a-date", "note": "調査メモが残る", "action": "done"},
    )
    assert response.status_code == 400
    assert "調査メモが残る" in response.get_data(as_text=True)


def test_vendor_plan_needs_the_plan_file(app, client, login_as, incident_id):
    login_as(MANAGER)
    response = client.post(
        f"/incidents/{incident_id}/steps/vendor_plan",
        data={"version": "1", "done_on": "2026-11-20", "due_on": "2026-11-30", "action": "done"},
    )
    assert response.status_code == 400
    assert _step(app, incident_id, "vendor_plan").status == "open"
    upload = (io.BytesIO(pdf_bytes("Recurrence prevention plan")), "plan.pdf")
    response = client.post(
        f"/incidents/{incident_id}/steps/vendor_plan",
        content_type="multipart/form-data",
        data={"version": "1", "done_on": "2026-11-20", "due_on": "2026-11-30", "action": "done", "file": upload},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    step = _step(app, incident_id, "vendor_plan")
    assert step.status == "done" and step.due_on == date(2026, 11, 30)
    page = client.get(f"/incidents/{incident_id}").get_data(as_text=True)
    assert "plan.pdf" in page


def test_waiving_needs_a_reason(app, client, login_as, incident_id):
    login_as(MANAGER)
    response = client.post(
        f"/incidents/{incident_id}/steps/publication/waive", data={"version": "1", "waiver_reason": ""}
    )
    assert response.status_code == 400
    assert _step(app, incident_id, "publication").status == "open"


def test_closing_requires_settled_steps_then_triggers_reevaluation_and_audit(app, client, login_as, incident_id):
    login_as(MANAGER)
    response = client.post(f"/incidents/{incident_id}/close", data={"version": "1", "note": "対応完了"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Incident, incident_id).is_open
        for step in db.session.scalars(db.select(IncidentStep).filter_by(incident_id=incident_id)):
            step.status = "waived"
            step.waiver_reason = "テスト"
        db.session.commit()
    response = client.post(f"/incidents/{incident_id}/close", data={"version": "1", "note": "対応完了"})
    assert response.status_code == 302
    with app.app_context():
        incident = db.session.get(Incident, incident_id)
        assert incident.status == "closed" and incident.reevaluation_requested_on is not None
        trigger = db.session.scalar(db.select(AuditTrigger))
        assert trigger.vendor_id == incident.vendor_id and trigger.kind == "incident"
        assert trigger.reason == f"#{incident.id} {incident.title}"  # data, not a sentence (issue #18)
        assert db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "incident.close"))
    assert client.get(f"/incidents/{incident_id}/edit").status_code == 200  # readable form …
    closed = client.post(f"/incidents/{incident_id}/steps/investigation", data={"version": "2", "action": "done"})
    assert closed.status_code == 400  # … but a closed incident refuses changes


def test_open_incident_shows_on_vendor_list_and_detail(client, login_as, incident_id, vendor_id):
    login_as(VIEWER)
    listing = client.get("/vendors/").get_data(as_text=True)
    assert 'data-testid="light-incident"' in listing
    detail = client.get(f"/vendors/{vendor_id}").get_data(as_text=True)
    assert 'data-testid="light-incident"' in detail


def test_list_queries_do_not_grow_with_incidents(app, client, login_as, make_user, count_queries):
    login_as(ADMIN)
    owner = make_user(MANAGER)

    def add(n):
        with app.app_context():
            actor = db.session.get(User, owner.id)
            for _ in range(n):
                create_incident(actor)
            db.session.commit()

    add(2)
    with count_queries() as few:
        client.get("/incidents/")
    add(8)
    with count_queries() as many:
        client.get("/incidents/")
    assert many.count == few.count

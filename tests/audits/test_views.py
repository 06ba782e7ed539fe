"""Audit pages: access per role, the recording flow through the forms, bad input, query counts."""

from __future__ import annotations

import io
from datetime import date

import pytest

from oversight.audits import services as audit_services
from oversight.audits.models import Audit, Finding
from oversight.auth.models import User
from oversight.extensions import db
from oversight.vendors.models import Vendor
from tests.audits.helpers import NOW, TODAY, active_vendor, answer_all, finding, recording, signed_off, user

ALL_ROLES = ("admin", "procurement", "legal", "auditor", "manager", "viewer")
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def data(app):
    """A vendor with a submitted audit carrying one finding, recorded by a separate auditor."""
    with app.app_context():
        auditor = user("auditor", email="recorder@example.com")
        vendor = active_vendor(name="株式会社さくら給与計算センター", risk_tier="high")
        audit = recording(vendor, auditor)
        item = finding(audit, auditor)
        answer_all(audit, auditor)
        audit_services.submit(
            audit, rating="good", decision="continue", conditions="", summary="", actor=auditor, now=NOW
        )
        db.session.commit()
        return {"vendor_id": vendor.id, "audit_id": audit.id, "finding_id": item.id, "auditor_id": auditor.id}


READ_PATHS = (
    "/audits/",
    "/audits/records",
    "/audits/findings",
    "/audits/{audit_id}",
    "/audits/findings/{finding_id}",
    "/vendors/{vendor_id}",
    "/vendors/",
)
AUDITOR_GETS = (
    "/audits/new",
    "/audits/new?vendor_id={vendor_id}",
    "/audits/{audit_id}/findings/new",
    "/audits/{audit_id}/submit",
)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_everyone_reads_audits(client, login_as, data, role):
    login_as(role)
    for path in READ_PATHS:
        response = client.get(path.format(**data))
        assert response.status_code == 200, path
    page = client.get(f"/vendors/{data['vendor_id']}").get_data(as_text=True)
    assert 'data-testid="light-monitoring"' in page and 'id="audits"' in page


@pytest.mark.parametrize("role", ["admin", "procurement", "legal", "manager", "viewer"])
def test_only_auditors_record(client, login_as, data, role):
    login_as(role)
    for path in AUDITOR_GETS:
        assert client.get(path.format(**data)).status_code == 403, path
    audit_id, finding_id = data["audit_id"], data["finding_id"]
    for path in (
        "/audits/new",
        f"/audits/{audit_id}/edit",
        f"/audits/{audit_id}/start",
        f"/audits/{audit_id}/cancel",
        f"/audits/{audit_id}/checklist",
        f"/audits/{audit_id}/evidence",
        f"/audits/{audit_id}/findings/new",
        f"/audits/{audit_id}/submit",
        f"/audits/findings/{finding_id}/plan",
        f"/audits/findings/{finding_id}/verify",
        f"/audits/findings/{finding_id}/close",
        f"/audits/findings/{finding_id}/evidence",
    ):
        assert client.post(path, data={}).status_code == 403, path


@pytest.mark.parametrize("role", ["admin", "procurement", "legal", "auditor", "viewer"])
def test_only_managers_sign_off(client, login_as, data, role):
    login_as(role)
    for action in ("signoff", "return"):
        assert client.post(f"/audits/{data['audit_id']}/{action}", data={"version": "1"}).status_code == 403


@pytest.mark.parametrize("role", ["admin", "procurement", "legal", "viewer"])
def test_trigger_is_for_auditors_and_managers(client, login_as, data, role):
    login_as(role)
    assert client.get(f"/audits/trigger/{data['vendor_id']}").status_code == 403


def test_viewer_sees_no_action_buttons(client, login_as, data):
    login_as("viewer")
    page = client.get(f"/audits/{data['audit_id']}").get_data(as_text=True)
    assert "signoff-form" not in page and "record-checklist" not in page
    page = client.get(f"/audits/findings/{data['finding_id']}").get_data(as_text=True)
    assert "plan-form" not in page


def test_manager_signs_off(client, login_as, app, data):
    login_as("manager")
    with app.app_context():
        version = db.session.get(Audit, data["audit_id"]).version
    page = client.get(f"/audits/{data['audit_id']}").get_data(as_text=True)
    assert "signoff-form" in page
    response = client.post(
        f"/audits/{data['audit_id']}/signoff", data={"version": str(version), "note": "確認しました"}
    )
    assert response.status_code == 302
    with app.app_context():
        audit = db.session.get(Audit, data["audit_id"])
        assert (audit.status == "signed_off" and audit.completed_on == date.today()) or audit.completed_on is not None


def test_recording_auditor_who_is_manager_is_refused(client, login, make_user, app, data):
    both = make_user("auditor", "manager")
    with app.app_context():
        audit = db.session.get(Audit, data["audit_id"])
        audit.recorded_by_id = both.id
        db.session.commit()
        version = audit.version
    login(both)
    page = client.get(f"/audits/{data['audit_id']}").get_data(as_text=True)
    assert "signoff-refusal" in page and "signoff-form" not in page
    response = client.post(f"/audits/{data['audit_id']}/signoff", data={"version": str(version)})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Audit, data["audit_id"]).status == "submitted"


def test_return_needs_a_reason_and_keeps_the_form(client, login_as, app, data):
    login_as("manager")
    with app.app_context():
        version = db.session.get(Audit, data["audit_id"]).version
    response = client.post(f"/audits/{data['audit_id']}/return", data={"version": str(version), "note": ""})
    assert response.status_code == 400
    response = client.post(f"/audits/{data['audit_id']}/return", data={"version": str(version), "note": "証跡不足"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Audit, data["audit_id"]).status == "returned"


def test_stale_sign_off_is_refused(client, login_as, data):
    login_as("manager")
    response = client.post(f"/audits/{data['audit_id']}/signoff", data={"version": "999"})
    assert response.status_code == 409


def _checklist_data(app, audit_id, result="conforming"):
    with app.app_context():
        audit = audit_services.load_audit(audit_id)
        values = {"version": str(audit.version)}
        for row in audit.results:
            values[f"result_{row.item_id}"] = result
            values[f"note_{row.item_id}"] = ""
        return values, {row.item.code: row.item_id for row in audit.results}


def test_auditor_records_an_audit_through_the_forms(client, login, make_user, app, data):
    auditor = make_user("auditor")
    login(auditor)
    vendor_id = data["vendor_id"]
    response = client.post(
        "/audits/new",
        data={
            "vendor_id": str(vendor_id),
            "kind": "remote",
            "planned_on": "2026-12-01",
            "auditor_ids": [str(auditor.id)],
            "scope_note": "Web会議で実施",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        audit_id = db.session.scalar(db.select(Audit.id).where(Audit.kind == "remote"))
    assert client.post(f"/audits/{audit_id}/start").status_code == 302
    values, codes = _checklist_data(app, audit_id)
    values[f"result_{codes['A10']}"] = "finding"
    assert client.post(f"/audits/{audit_id}/checklist", data=values).status_code == 302
    upload = {"item_id": str(codes["A10"]), "file": (io.BytesIO(PNG), "room.png"), "description": "入退室管理簿"}
    response = client.post(f"/audits/{audit_id}/evidence", data=upload, content_type="multipart/form-data")
    assert response.status_code == 302
    response = client.post(
        f"/audits/{audit_id}/findings/new",
        data={
            "item_id": str(codes["A10"]),
            "severity": "minor",
            "description": "入退室記録の押印漏れ",
            "requested_action": "記録の徹底",
            "requested_on": "2026-11-26",
            "due_on": "2026-12-26",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        version = db.session.get(Audit, audit_id).version
    response = client.post(
        f"/audits/{audit_id}/submit",
        data={"version": str(version), "overall_rating": "acceptable", "decision": "continue", "summary": "概ね良好"},
    )
    assert response.status_code == 302
    with app.app_context():
        audit = db.session.get(Audit, audit_id)
        assert audit.status == "submitted"
        assert db.session.scalar(db.select(db.func.count(Finding.id)).where(Finding.audit_id == audit_id)) == 1
    page = client.get(f"/audits/{audit_id}").get_data(as_text=True)
    assert "room.png" in page


def test_typed_input_survives_failed_validation(client, login_as, data):
    login_as("auditor")
    response = client.post(
        "/audits/new",
        data={
            "vendor_id": str(data["vendor_id"]),
            "kind": "on_site",
            "planned_on": "2026-13-45",
            "scope_note": "入力した内容",
        },
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "入力した内容" in page and "is-invalid" in page


def test_my_number_in_a_finding_needs_confirmation(client, login_as, app, data):
    auditor = login_as("auditor")
    with app.app_context():
        vendor = db.session.get(Vendor, data["vendor_id"])
        audit = recording(vendor, db.session.get(User, auditor.id))
        db.session.commit()
        audit_id = audit.id
    form = {
        "severity": "serious",
        "description": "台帳に123456789018が記載されていた",
        "requested_action": "削除",
        "requested_on": "2026-11-26",
        "due_on": "2026-12-10",
    }
    response = client.post(f"/audits/{audit_id}/findings/new", data=form)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "my-number-warning" in page and "台帳に123456789018" in page
    response = client.post(f"/audits/{audit_id}/findings/new", data={**form, "confirm_not_my_number": "y"})
    assert response.status_code == 302


def test_finding_plan_verify_close_through_the_forms(client, login_as, app, data):
    login_as("auditor")
    finding_id = data["finding_id"]

    def version():
        with app.app_context():
            return str(db.session.get(Finding, finding_id).version)

    response = client.post(
        f"/audits/findings/{finding_id}/plan", data={"version": version(), "plan_text": "", "received_on": ""}
    )
    assert response.status_code == 400
    response = client.post(
        f"/audits/findings/{finding_id}/plan",
        data={"version": version(), "plan_text": "是正計画書のとおり", "received_on": "2026-11-26"},
    )
    assert response.status_code == 302
    upload = {"file": (io.BytesIO(PNG), "plan.png")}
    assert (
        client.post(
            f"/audits/findings/{finding_id}/evidence", data=upload, content_type="multipart/form-data"
        ).status_code
        == 302
    )
    response = client.post(
        f"/audits/findings/{finding_id}/verify",
        data={"version": version(), "outcome": "effective", "note": "現地で確認", "verified_on": "2026-11-26"},
    )
    assert response.status_code == 302
    assert client.post(f"/audits/findings/{finding_id}/close", data={"version": version()}).status_code == 302
    with app.app_context():
        assert db.session.get(Finding, finding_id).status == "closed"


def test_trigger_through_the_form(client, login_as, app, data):
    login_as("manager")
    response = client.post(
        f"/audits/trigger/{data['vendor_id']}", data={"reason_kind": "incident", "reason_text": "委託先で誤送信"}
    )
    assert response.status_code == 302
    page = client.get(f"/vendors/{data['vendor_id']}").get_data(as_text=True)
    assert "vendor-triggers" in page and "委託先で誤送信" in page


@pytest.mark.parametrize(
    "path",
    [
        "/audits/?page=abc&sort=nonsense&when=bogus&risk_tier=x",
        "/audits/?page=999999999999",
        "/audits/records?status=zzz&kind=%00&sort=x&page=-3",
        "/audits/findings?overdue=maybe&severity=x&status=y",
        "/audits/99999999999999999999",
        "/audits/findings/99999999999999999999",
        "/vendors/?grasp=purple",
        "/vendors/?grasp=red",
        "/audits/new?vendor_id=abc",
    ],
)
def test_bad_input_never_500(client, login_as, data, path):
    login_as("auditor")
    assert client.get(path).status_code in (200, 400, 404)


def test_an_indirect_audit_names_its_contractor_next_to_the_field(client, login_as, app, data):
    auditor = login_as("auditor")
    form = {"vendor_id": str(data["vendor_id"]), "kind": "on_site", "auditor_ids": [str(auditor.id)],
            "is_indirect": "y", "performed_by_vendor_id": ""}
    response = client.post("/audits/new", data=form)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    error = page.split('id="audit-performed_by_vendor_id-error"', 1)
    assert len(error) == 2 and "監査を実施した委託先を入力してください。" in error[1].split("</div></div>", 1)[0]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Audit.id)).where(Audit.is_indirect)) == 0
    named = client.post("/audits/new", data={**form, "performed_by_name": "元請 監査室"})
    assert named.status_code == 302


@pytest.mark.parametrize(
    "form",
    [
        {"vendor_id": "999999", "kind": "on_site"},
        {"vendor_id": "abc", "kind": "nope", "auditor_ids": ["x"]},
        {"vendor_id": "", "period_start_on": "2026-12-01", "period_end_on": "2026-01-01"},
    ],
)
def test_bad_audit_form_is_shown_again(client, login_as, data, form):
    login_as("auditor")
    assert client.post("/audits/new", data=form).status_code == 200


def test_bad_posts_never_500(client, login_as, data):
    login_as("auditor")
    audit_id, finding_id = data["audit_id"], data["finding_id"]
    assert client.post(f"/audits/{audit_id}/checklist", data={"version": "x"}).status_code in (302, 200)
    assert client.post(f"/audits/{audit_id}/findings/new", data={"due_on": "x"}).status_code == 200
    assert (
        client.post(f"/audits/findings/{finding_id}/verify", data={"version": "1", "outcome": "x"}).status_code == 400
    )
    assert client.post(f"/audits/findings/{finding_id}/close", data={"version": "1"}).status_code == 400
    assert client.post("/audits/trigger/1", data={"reason_kind": "x"}).status_code in (200, 404)


def _add_vendors(app, count):
    with app.app_context():
        auditor = db.session.scalar(db.select(User).where(User.email == "recorder@example.com"))
        manager = user("manager", email=f"m{count}@example.com")
        for _ in range(count):
            vendor = active_vendor()
            audit = signed_off(vendor, auditor, manager, conducted_on=date(2026, 6, 1))
            second = recording(vendor, auditor)
            finding(second, auditor)
            audit_services.trigger_extra_audit(vendor, "renewal", "更新", auditor, TODAY)
            assert audit.id
        db.session.commit()


@pytest.mark.parametrize("path", ["/audits/", "/audits/records", "/audits/findings", "/vendors/"])
def test_lists_use_a_constant_number_of_queries(client, login_as, app, data, count_queries, path):
    login_as("viewer")
    _add_vendors(app, 2)
    client.get(path)
    rendered = {"Cache-Control": "no-cache"}  # not the whole page from the page cache
    with count_queries() as few:
        assert client.get(path, headers=rendered).status_code == 200
    _add_vendors(app, 8)
    with count_queries() as many:
        assert client.get(path, headers=rendered).status_code == 200
    assert few.count == many.count, (few.statements, many.statements)


def test_vendor_list_filters_by_monitoring_light(client, login_as, app, data):
    login_as("viewer")
    with app.app_context():
        auditor = db.session.get(User, data["auditor_id"])
        manager = user("manager", email="m@example.com")
        green = active_vendor(name="緑の委託先株式会社")
        signed_off(green, auditor, manager, conducted_on=TODAY)
        db.session.commit()
    red_page = client.get("/vendors/?grasp=red").get_data(as_text=True)
    assert "株式会社さくら給与計算センター" in red_page and "緑の委託先株式会社" not in red_page
    assert "緑の委託先株式会社" in client.get("/vendors/?grasp=green").get_data(as_text=True)


def test_auditor_pages_open_and_edit_keeps_changes(client, login_as, app, data):
    auditor = login_as("auditor")
    with app.app_context():
        vendor = db.session.get(Vendor, data["vendor_id"])
        audit = audit_services.plan_audit(
            vendor, {"kind": "remote", "auditor_ids": [auditor.id]}, actor=None, today=TODAY
        )
        db.session.commit()
        audit_id, version = audit.id, audit.version
    for path in (f"/audits/{audit_id}/edit", f"/audits/trigger/{data['vendor_id']}", f"/audits/{audit_id}"):
        assert client.get(path).status_code == 200, path
    assert client.get(f"/audits/{audit_id}/checklist").status_code == 302  # not started yet
    response = client.post(
        f"/audits/{audit_id}/edit",
        data={"version": str(version), "kind": "questionnaire", "auditor_ids": [str(auditor.id)], "scope_note": "書面"},
    )
    assert response.status_code == 302
    stale = client.post(
        f"/audits/{audit_id}/edit",
        data={"version": str(version), "kind": "on_site", "auditor_ids": [str(auditor.id)], "scope_note": "古い版"},
    )
    assert stale.status_code == 200 and "古い版" in stale.get_data(as_text=True)
    with app.app_context():
        audit = db.session.get(Audit, audit_id)
        assert (audit.kind, audit.scope_note) == ("questionnaire", "書面")
    assert client.post(f"/audits/{audit_id}/start").status_code == 302
    assert client.get(f"/audits/{audit_id}/checklist").status_code == 200


def test_schedule_downloads_as_csv(client, login_as, data):
    login_as("viewer")
    response = client.get("/audits/schedule.csv?when=overdue&risk_tier=high")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data().decode("utf-8-sig")
    assert "株式会社さくら給与計算センター" in text.splitlines()[1]
    assert client.get("/audits/schedule.csv?when=nonsense&page=x").status_code == 200


def test_vendor_page_offers_extra_audit_to_managers(client, login_as, data):
    login_as("manager")
    page = client.get(f"/vendors/{data['vendor_id']}").get_data(as_text=True)
    assert "request-extra-audit" in page and "plan-audit" not in page


def test_auditor_cancels_a_planned_audit(client, login_as, app, data):
    auditor = login_as("auditor")
    with app.app_context():
        vendor = db.session.get(Vendor, data["vendor_id"])
        audit = audit_services.plan_audit(
            vendor, {"kind": "remote", "auditor_ids": [auditor.id]}, actor=None, today=TODAY
        )
        db.session.commit()
        audit_id, version = audit.id, audit.version
    assert "cancel-audit" in client.get(f"/audits/{audit_id}").get_data(as_text=True)
    response = client.post(f"/audits/{audit_id}/cancel", data={"version": str(version), "reason": ""})
    assert response.status_code == 400
    response = client.post(f"/audits/{audit_id}/cancel", data={"version": str(version), "reason": "日程再調整"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Audit, audit_id).status == "cancelled"
    assert (
        client.post(f"/audits/{audit_id}/cancel", data={"version": str(version + 1), "reason": "x"}).status_code == 400
    )


def _recording_audit(app, auditor_id, vendor_id):
    with app.app_context():
        audit = recording(db.session.get(Vendor, vendor_id), db.session.get(User, auditor_id))
        db.session.commit()
        return audit.id


def test_rest_conforming_on_the_audit_checklist(client, login_as, app, data):
    from oversight.activity.models import ActivityLog

    auditor = login_as("auditor")
    audit_id = _recording_audit(app, auditor.id, data["vendor_id"])
    values, codes = _checklist_data(app, audit_id, result="")
    values[f"result_{codes['A10']}"] = "finding"
    values[f"note_{codes['A10']}"] = "押印漏れ"
    values["then"] = "fill"
    response = client.post(f"/audits/{audit_id}/checklist", data=values)
    assert response.status_code == 302 and response.location.endswith(f"/audits/{audit_id}/checklist")
    with app.app_context():
        audit = audit_services.load_audit(audit_id)
        results = {row.item.code: row.result for row in audit.results}
        assert results["A10"] == "finding" and all(results.values())
        assert sum(1 for result in results.values() if result == "conforming") == len(results) - 1
        assert audit.status == "in_progress"
        entries = db.session.scalars(db.select(ActivityLog).where(ActivityLog.action == "audit.results_fill")).all()
        assert len(entries) == 1 and f"{len(results) - 1}" in entries[0].summary
    page = client.get(f"/audits/{audit_id}/checklist").get_data(as_text=True)
    assert 'data-testid="fill-conforming"' not in page


def test_save_and_add_a_finding_preselects_the_item_just_marked(client, login_as, app, data):
    auditor = login_as("auditor")
    audit_id = _recording_audit(app, auditor.id, data["vendor_id"])
    values, codes = _checklist_data(app, audit_id, result="conforming")
    values[f"result_{codes['A07']}"] = "finding"
    values["then"] = "finding"
    response = client.post(f"/audits/{audit_id}/checklist", data=values)
    assert response.status_code == 302
    assert response.location.endswith(f"/audits/{audit_id}/findings/new?item_id={codes['A07']}")
    page = client.get(response.location).get_data(as_text=True)
    assert f'<option selected value="{codes["A07"]}">' in page
    with app.app_context():
        assert {r.item.code: r.result for r in audit_services.load_audit(audit_id).results}["A07"] == "finding"


def test_a_closed_finding_offers_no_upload_and_refuses_one(client, login_as, app, data):
    login_as("auditor")
    finding_id = data["finding_id"]
    with app.app_context():
        finding_row = db.session.get(Finding, finding_id)
        finding_row.status = "closed"
        db.session.commit()
    page = client.get(f"/audits/findings/{finding_id}").get_data(as_text=True)
    assert 'data-testid="finding-evidence-form"' not in page and 'data-testid="evidence-closed"' in page
    upload = {"file": (io.BytesIO(PNG), "late.png")}
    response = client.post(f"/audits/findings/{finding_id}/evidence", data=upload, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "この指摘事項は終結しています" in response.get_data(as_text=True)
    with app.app_context():
        from oversight.evidence import services as evidence_services

        assert not evidence_services.files_for("finding", finding_id)

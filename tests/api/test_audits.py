"""``/api/v1/audits`` and ``/api/v1/findings``: audits with their results, findings with the list page's
filters, and the vendor's corrective plan recorded as on the finding page (If-Match)."""

from __future__ import annotations

from oversight.activity.models import ActivityLog
from oversight.audits import pages
from oversight.audits.models import Audit, Finding
from oversight.core.timeutil import local_today
from oversight.extensions import db


def test_an_audit_carries_its_result_per_checklist_item_and_its_findings(client, make_token, an_audit, a_vendor):
    holder = make_token("viewer")
    answer = client.get(f"/api/v1/audits/{an_audit['audit']}", headers=holder.headers)
    assert answer.status_code == 200 and answer.headers["ETag"].startswith(f'"audit-{an_audit["audit"]}-v')
    audit = answer.get_json()
    assert (audit["vendor_id"], audit["status"], audit["planned_on"]) == (a_vendor, "in_progress", "2026-11-26")
    results = {row["code"]: row["result"] for row in audit["results"]}
    assert results["A01"] == "finding" and results["A02"] == "conforming" and len(results) >= 20
    assert [row["code"] for row in audit["results"]][:2] == ["A01", "A02"]
    assert audit["finding_ids"] == [an_audit["finding"]]
    assert audit["auditor_ids"] == [an_audit["auditor"]]
    assert client.get("/api/v1/audits/999999", headers=holder.headers).status_code == 404


def test_the_audit_list_filters_as_the_records_page(client, make_token, an_audit):
    holder = make_token("legal")
    listed = client.get("/api/v1/audits?status=in_progress&kind=on_site", headers=holder.headers).get_json()
    assert [item["id"] for item in listed["items"]] == [an_audit["audit"]]
    assert client.get("/api/v1/audits?status=signed_off", headers=holder.headers).get_json()["items"] == []
    assert client.get("/api/v1/audits?q=存在しない名前", headers=holder.headers).get_json()["items"] == []


def test_the_findings_list_filters_as_its_page(app, client, make_token, an_audit):
    holder = make_token("procurement")
    found = client.get(f"/api/v1/findings/{an_audit['finding']}", headers=holder.headers).get_json()
    assert (found["status"], found["severity"], found["due_on"]) == ("open", "moderate", "2026-11-30")
    assert found["is_overdue"] is (local_today().isoformat() > "2026-11-30")
    for query, filters in (
        ("status=unresolved", {"status": "unresolved"}),
        ("status=closed", {"status": "closed"}),
        ("severity=serious", {"severity": "serious"}),
        ("overdue=true", {"overdue": True}),
        ("q=入退室", {"q": "入退室"}),
    ):
        listed = client.get(f"/api/v1/findings?{query}", headers=holder.headers).get_json()["items"]
        with app.app_context():
            expected = db.session.scalars(pages.finding_list_query(filters, local_today())).unique().all()
            assert [item["id"] for item in listed] == sorted(row.id for row in expected), query
    assert client.get("/api/v1/findings/999999", headers=holder.headers).status_code == 404


def test_an_auditor_records_the_vendors_plan_with_if_match(app, client, make_token, make_user, an_audit):
    holder = make_token("auditor")
    path = f"/api/v1/findings/{an_audit['finding']}"
    etag = client.get(path, headers=holder.headers).headers["ETag"]
    plan = {"plan_text": "入退室記録の様式を改め、全員に再教育する", "received_on": "2026-11-20"}
    assert client.put(f"{path}/response", headers=holder.headers, json=plan).status_code == 428
    stale = client.put(f"{path}/response", headers={**holder.headers, "If-Match": '"finding-1-v0"'}, json=plan)
    assert stale.status_code == 412 and stale.mimetype == "application/problem+json"
    blank = client.put(f"{path}/response", headers={**holder.headers, "If-Match": etag},
                       json={**plan, "plan_text": "  "})
    assert blank.status_code == 422 and blank.get_json()["errors"][0]["field"] == "plan_text"
    saved = client.put(f"{path}/response", headers={**holder.headers, "If-Match": etag}, json=plan)
    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert (saved.get_json()["status"], saved.get_json()["plan_received_on"]) == ("plan_received", "2026-11-20")
    assert saved.headers["ETag"] != etag
    again = client.put(f"{path}/response", headers={**holder.headers, "If-Match": etag}, json=plan)
    assert again.status_code == 412, "the ETag read before the change is stale now"
    with app.app_context():
        finding = db.session.get(Finding, an_audit["finding"])
        assert finding.plan_text == plan["plan_text"]
        logged = db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "finding.plan"))
        assert logged is not None and logged.actor_id == holder.user.id
    read_only = make_token("auditor", scope="read")
    assert client.put(f"{path}/response", headers={**read_only.headers, "If-Match": etag},
                      json=plan).status_code == 403


def test_the_plan_is_refused_with_the_pages_my_number_guard(client, make_token, an_audit):
    holder = make_token("auditor")
    path = f"/api/v1/findings/{an_audit['finding']}"
    etag = client.get(path, headers=holder.headers).headers["ETag"]
    plan = {"plan_text": "番号 123456789018 の記録を削除", "received_on": "2026-11-20"}
    refused = client.put(f"{path}/response", headers={**holder.headers, "If-Match": etag}, json=plan)
    assert refused.status_code == 422 and refused.get_json()["errors"][0]["field"] == "plan_text"
    confirmed = client.put(f"{path}/response", headers={**holder.headers, "If-Match": etag},
                           json={**plan, "confirm_not_my_number": True})
    assert confirmed.status_code == 200


def test_an_auditor_plans_an_audit_with_the_audit_forms_rules(app, client, make_token, make_user, a_vendor):
    holder = make_token("auditor")
    other_auditor = make_user("auditor")
    not_an_auditor = make_user("procurement")
    body = {"vendor_id": a_vendor, "kind": "remote", "planned_on": "2027-01-15",
            "auditor_ids": [holder.user.id, other_auditor.id], "scope_note": "年次の取扱状況確認"}
    created = client.post("/api/v1/audits", headers=holder.headers, json=body)
    assert created.status_code == 201, created.get_data(as_text=True)
    audit = created.get_json()
    assert created.headers["Location"].endswith(f"/api/v1/audits/{audit['id']}")
    assert (audit["status"], audit["kind"], audit["planned_on"]) == ("planned", "remote", "2027-01-15")
    assert audit["auditor_ids"] == sorted([holder.user.id, other_auditor.id])
    with app.app_context():
        logged = db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "audit.plan"))
        assert logged is not None and logged.actor_id == holder.user.id

    english = {**holder.headers, "Accept-Language": "en"}
    wrong = client.post("/api/v1/audits", headers=english, json={**body, "auditor_ids": [not_an_auditor.id]})
    assert wrong.status_code == 422 and wrong.get_json()["errors"][0]["field"] == "auditor_ids"
    backwards = client.post("/api/v1/audits", headers=english,
                            json={**body, "period_start_on": "2026-10-01", "period_end_on": "2026-04-01"})
    assert backwards.get_json()["errors"] == [
        {"field": "period_end_on", "message": "The end of the period cannot be before its start."}]
    indirect = client.post("/api/v1/audits", headers=english,
                           json={**body, "is_indirect": True, "performed_by_vendor_id": a_vendor})
    assert indirect.get_json()["errors"] == [
        {"field": "performed_by_vendor_id", "message": "The contractor must be another vendor than the one audited."}]
    nobody = client.post("/api/v1/audits", headers=english, json={**body, "is_indirect": True})
    assert nobody.status_code == 422 and nobody.get_json()["errors"] == [
        {"field": "performed_by_vendor_id", "message": "Say which contractor performed the audit."}]
    japanese = client.post("/api/v1/audits", headers={**holder.headers, "Accept-Language": "ja"},
                           json={**body, "is_indirect": True, "performed_by_vendor_id": None})
    assert japanese.get_json()["errors"] == [
        {"field": "performed_by_vendor_id", "message": "監査を実施した委託先を入力してください。"}]
    named = client.post("/api/v1/audits", headers=english,
                        json={**body, "is_indirect": True, "performed_by_name": "元請 監査室"})
    assert named.status_code == 201, "the person who performed it is enough, as the form says"
    unknown = client.post("/api/v1/audits", headers=english, json={**body, "vendor_id": 999999})
    assert unknown.status_code == 422 and unknown.get_json()["errors"][0]["field"] == "vendor_id"


def test_an_auditor_raises_a_finding_while_the_audit_is_recorded(app, client, make_token, an_audit):
    holder = make_token("auditor")
    path = f"/api/v1/audits/{an_audit['audit']}/findings"
    body = {"item_code": "A01", "severity": "serious", "description": "入退室記録に漏れがある",
            "requested_action": "記録様式を改める", "requested_on": "2026-11-26", "due_on": "2026-12-26"}
    created = client.post(path, headers=holder.headers, json=body)
    assert created.status_code == 201, created.get_data(as_text=True)
    finding = created.get_json()
    assert created.headers["Location"].endswith(f"/api/v1/findings/{finding['id']}")
    assert (finding["item_code"], finding["severity"], finding["status"], finding["due_on"]) == (
        "A01", "serious", "open", "2026-12-26")
    with app.app_context():
        logged = db.session.scalar(
            db.select(ActivityLog).where(ActivityLog.action == "finding.create").order_by(ActivityLog.id.desc()))
        assert logged is not None and logged.actor_id == holder.user.id
    audit = client.get(f"/api/v1/audits/{an_audit['audit']}", headers=holder.headers).get_json()
    assert finding["id"] in audit["finding_ids"]

    english = {**holder.headers, "Accept-Language": "en"}
    unknown_item = client.post(path, headers=english, json={**body, "item_code": "Z99"})
    assert unknown_item.status_code == 422
    assert [error["field"] for error in unknown_item.get_json()["errors"]] == ["item_code"]
    early = client.post(path, headers=english, json={**body, "due_on": "2026-11-01"})
    assert early.get_json()["errors"] == [
        {"field": "due_on", "message": "The due date cannot be before the request date."}]
    with app.app_context():
        db.session.get(Audit, an_audit["audit"]).status = "submitted"
        db.session.commit()
    closed = client.post(path, headers=english, json=body)
    assert closed.status_code == 422
    assert closed.get_json()["detail"] == "Findings are raised while the audit is being recorded."


def test_a_manager_signs_off_a_submitted_audit_as_on_its_page(app, client, make_token, a_submitted_audit):
    manager = make_token("manager")
    path = f"/api/v1/audits/{a_submitted_audit['audit']}"
    etag = client.get(path, headers=manager.headers).headers["ETag"]
    body = {"decision": "sign_off", "note": "確認した"}
    assert client.post(f"{path}/sign-off", headers=manager.headers, json=body).status_code == 428
    stale = client.post(f"{path}/sign-off", headers={**manager.headers, "If-Match": '"audit-1-v0"'}, json=body)
    assert stale.status_code == 412
    signed = client.post(f"{path}/sign-off", headers={**manager.headers, "If-Match": etag}, json=body)
    assert signed.status_code == 200, signed.get_data(as_text=True)
    assert (signed.get_json()["status"], signed.get_json()["signoff_note"]) == ("signed_off", "確認した")
    assert signed.headers["ETag"] != etag
    with app.app_context():
        logged = db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "audit.signoff"))
        assert logged is not None and logged.actor_id == manager.user.id
    again = client.post(f"{path}/sign-off", headers={**manager.headers, "If-Match": signed.headers["ETag"],
                                                     "Accept-Language": "en"}, json=body)
    assert again.status_code == 422
    assert again.get_json()["detail"] == "Only an audit awaiting sign-off can be signed off or returned."


def test_returning_an_audit_needs_the_reason_next_to_the_note(app, client, make_token, a_submitted_audit):
    manager = make_token("manager")
    path = f"/api/v1/audits/{a_submitted_audit['audit']}"
    headers = {**manager.headers, "If-Match": client.get(path, headers=manager.headers).headers["ETag"]}
    blank = client.post(f"{path}/sign-off", headers=headers, json={"decision": "return", "note": " "})
    assert blank.status_code == 422 and [error["field"] for error in blank.get_json()["errors"]] == ["note"]
    returned = client.post(f"{path}/sign-off", headers=headers, json={"decision": "return", "note": "A05の根拠不足"})
    assert returned.status_code == 200, returned.get_data(as_text=True)
    assert returned.get_json()["status"] == "returned"
    with app.app_context():
        logged = db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "audit.return"))
        assert logged is not None and logged.actor_id == manager.user.id

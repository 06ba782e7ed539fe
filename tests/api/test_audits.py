"""``/api/v1/audits`` and ``/api/v1/findings``: audits with their results, findings with the list page's
filters, and the vendor's corrective plan recorded as on the finding page (If-Match)."""

from __future__ import annotations

from oversight.activity.models import ActivityLog
from oversight.audits import pages
from oversight.audits.models import Finding
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

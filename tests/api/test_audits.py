"""``/api/v1/audits`` and ``/api/v1/findings``: audits with their results, findings with the list page's
filters."""

from __future__ import annotations

from oversight.audits import pages
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


"""``/api/v1/reminders``: the reminder outbox with its page's filters, for administrators as the page."""

from __future__ import annotations


def test_the_outbox_lists_and_filters_as_its_page(client, make_token, make_user, a_reminder):
    holder = make_token("admin")
    listed = client.get("/api/v1/reminders", headers=holder.headers).get_json()["items"]
    assert [row["id"] for row in listed] == [a_reminder]
    row = listed[0]
    assert (row["status"], row["due_on"], row["last_error"]) == ("failed", "2026-12-01", "connection refused")
    assert row["created_at"].endswith("Z") or "+00:00" in row["created_at"]
    for query, expected in (("status=failed", [a_reminder]), ("status=sent", []),
                            ("rule=audits.audit_due", [a_reminder]), ("rule=other", []),
                            (f"recipient={row['recipient_id']}", [a_reminder]), ("recipient=999999", [])):
        items = client.get(f"/api/v1/reminders?{query}", headers=holder.headers).get_json()["items"]
        assert [item["id"] for item in items] == expected, query


def test_only_administrators_read_the_outbox(client, make_token, a_reminder):
    refused = client.get("/api/v1/reminders", headers=make_token("manager").headers)
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"

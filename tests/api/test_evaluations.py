"""``/api/v1/evaluations``: selection evaluations with the list page's filter, each with its answers."""

from __future__ import annotations


def test_an_evaluation_carries_its_answers(client, make_token, an_evaluation):
    holder = make_token("auditor")
    answer = client.get(f"/api/v1/evaluations/{an_evaluation}", headers=holder.headers)
    assert answer.status_code == 200 and answer.headers["ETag"].startswith(f'"evaluation-{an_evaluation}-v')
    evaluation = answer.get_json()
    assert (evaluation["status"], evaluation["proposed_decision"]) == ("submitted", "approve")
    assert evaluation["submitted_at"].startswith("2026-11-26T01:00:00")
    assert evaluation["answers"] and {row["answer"] for row in evaluation["answers"]} == {"conforming"}
    assert client.get("/api/v1/evaluations/999999", headers=holder.headers).status_code == 404


def test_the_evaluation_list_filters_by_status_as_its_page(client, make_token, an_evaluation):
    holder = make_token("manager")
    listed = client.get("/api/v1/evaluations?status=submitted", headers=holder.headers).get_json()
    assert [item["id"] for item in listed["items"]] == [an_evaluation]
    assert "answers" not in listed["items"][0]
    assert client.get("/api/v1/evaluations?status=approved", headers=holder.headers).get_json()["items"] == []
    refused = client.get("/api/v1/evaluations?status=nonsense", headers=holder.headers)
    assert refused.status_code == 422 and refused.get_json()["errors"][0]["field"] == "status"

"""``/api/v1/evaluations``: selection evaluations with the list page's filter, each with its answers; a
manager's decision (confirm or return) as on the evaluation page."""

from __future__ import annotations

from oversight.activity.models import ActivityLog
from oversight.evaluations.models import Evaluation
from oversight.extensions import db


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


def _logged(app, action: str):
    with app.app_context():
        return db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == action))


def test_a_manager_confirms_the_proposed_decision_as_on_the_page(app, client, make_token, an_evaluation):
    manager = make_token("manager")
    path = f"/api/v1/evaluations/{an_evaluation}"
    etag = client.get(path, headers=manager.headers).headers["ETag"]
    body = {"decision": "confirm", "note": "問題なし"}
    assert client.post(f"{path}/decision", headers=manager.headers, json=body).status_code == 428
    stale = client.post(f"{path}/decision", headers={**manager.headers, "If-Match": '"evaluation-1-v0"'}, json=body)
    assert stale.status_code == 412
    decided = client.post(f"{path}/decision", headers={**manager.headers, "If-Match": etag}, json=body)
    assert decided.status_code == 200, decided.get_data(as_text=True)
    evaluation = decided.get_json()
    assert (evaluation["status"], evaluation["decision_note"]) == ("approved", "問題なし")
    assert evaluation["valid_until"] is not None and decided.headers["ETag"] != etag
    assert _logged(app, "evaluation.decide").actor_id == manager.user.id
    with app.app_context():
        assert db.session.get(Evaluation, an_evaluation).vendor.status == "selected"
    again = client.post(f"{path}/decision", headers={**manager.headers, "If-Match": decided.headers["ETag"],
                                                     "Accept-Language": "en"}, json=body)
    assert again.status_code == 422
    assert again.get_json()["detail"] == "Only an evaluation awaiting approval can be decided."
    read_only = make_token("manager", scope="read")
    assert client.post(f"{path}/decision", headers={**read_only.headers, "If-Match": etag},
                       json=body).status_code == 403


def test_returning_an_evaluation_needs_the_reason_next_to_the_note(app, client, make_token, an_evaluation):
    manager = make_token("manager")
    path = f"/api/v1/evaluations/{an_evaluation}"
    etag = client.get(path, headers=manager.headers).headers["ETag"]
    headers = {**manager.headers, "If-Match": etag}
    blank = client.post(f"{path}/decision", headers=headers, json={"decision": "return", "note": "  "})
    assert blank.status_code == 422 and [error["field"] for error in blank.get_json()["errors"]] == ["note"]
    returned = client.post(f"{path}/decision", headers=headers, json={"decision": "return", "note": "証跡が不足"})
    assert returned.status_code == 200, returned.get_data(as_text=True)
    assert (returned.get_json()["status"], returned.get_json()["decision_note"]) == ("returned", "証跡が不足")
    assert _logged(app, "evaluation.return").actor_id == manager.user.id

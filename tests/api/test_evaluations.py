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


def test_confirming_is_refused_as_its_page_asks_for_a_new_code(app, client, make_token, an_evaluation):
    """The page's confirmation (``evaluations.approve``) asks for a new second-factor code (step-up), which a
    token cannot give: the API refuses ``confirm``, before If-Match, and nothing changes."""
    manager = make_token("manager")
    path = f"/api/v1/evaluations/{an_evaluation}"
    etag = client.get(path, headers=manager.headers).headers["ETag"]
    body = {"decision": "confirm", "note": "問題なし"}
    for headers in (manager.headers, {**manager.headers, "If-Match": etag, "Accept-Language": "en"}):
        refused = client.post(f"{path}/decision", headers=headers, json=body)
        assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    assert refused.get_json()["detail"] == (
        "This decision needs a new code from your authenticator app, which an API token cannot give. "
        "Decide on the page.")
    assert client.get(path, headers=manager.headers).headers["ETag"] == etag
    assert _logged(app, "evaluation.decide") is None
    assert _logged(app, "auth.forbidden").actor_id == manager.user.id
    with app.app_context():
        assert db.session.get(Evaluation, an_evaluation).status == "submitted"
    read_only = make_token("manager", scope="read")
    assert client.post(f"{path}/decision", headers={**read_only.headers, "If-Match": etag},
                       json={"decision": "return", "note": "証跡が不足"}).status_code == 403


def test_returning_an_evaluation_needs_the_reason_next_to_the_note(app, client, make_token, an_evaluation):
    manager = make_token("manager")
    path = f"/api/v1/evaluations/{an_evaluation}"
    etag = client.get(path, headers=manager.headers).headers["ETag"]
    headers = {**manager.headers, "If-Match": etag}
    body = {"decision": "return", "note": "証跡が不足"}
    assert client.post(f"{path}/decision", headers=manager.headers, json=body).status_code == 428
    stale = client.post(f"{path}/decision", headers={**manager.headers, "If-Match": '"evaluation-1-v0"'}, json=body)
    assert stale.status_code == 412
    blank = client.post(f"{path}/decision", headers=headers, json={"decision": "return", "note": "  "})
    assert blank.status_code == 422 and [error["field"] for error in blank.get_json()["errors"]] == ["note"]
    returned = client.post(f"{path}/decision", headers=headers, json={"decision": "return", "note": "証跡が不足"})
    assert returned.status_code == 200, returned.get_data(as_text=True)
    assert (returned.get_json()["status"], returned.get_json()["decision_note"]) == ("returned", "証跡が不足")
    assert _logged(app, "evaluation.return").actor_id == manager.user.id

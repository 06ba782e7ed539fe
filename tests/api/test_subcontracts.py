"""``/api/v1/subcontracts``: chain nodes with their light from the node rule and their consents."""

from __future__ import annotations

from oversight.activity.models import ActivityLog
from oversight.core.timeutil import local_today
from oversight.extensions import db
from oversight.subcontracts import queries
from oversight.subcontracts.models import Subcontract


def test_a_node_carries_its_place_light_and_consents(app, client, make_token, a_subcontract):
    holder = make_token("viewer")
    first = client.get(f"/api/v1/subcontracts/{a_subcontract['first']}", headers=holder.headers)
    assert first.status_code == 200 and first.headers["ETag"].startswith(f'"subcontract-{a_subcontract["first"]}-v')
    node = first.get_json()
    assert (node["level"], node["parent_id"], node["contract_id"]) == (1, None, a_subcontract["contract"])
    assert (node["light"]["code"], node["light"]["colour"], node["has_valid_consent"]) == ("consented", "green", True)
    [consent] = node["consents"]
    assert (consent["id"], consent["status"], consent["expires_on"]) == (a_subcontract["consent"], "approved",
                                                                         "2027-06-30")
    second = client.get(f"/api/v1/subcontracts/{a_subcontract['second']}", headers=holder.headers).get_json()
    assert (second["level"], second["parent_id"], second["parent_vendor_id"]) == (
        2, a_subcontract["first"], node["vendor_id"])
    assert (second["light"]["colour"], second["consents"]) == ("red", [])
    with app.app_context():
        status = queries.node_status(db.session.get(Subcontract, a_subcontract["second"]), local_today())
        assert second["light"]["code"] == status.code and second["light"]["text"] == str(status.light.text)
    assert client.get("/api/v1/subcontracts/999999", headers=holder.headers).status_code == 404


def test_the_node_list_filters_as_the_index_page(client, make_token, a_subcontract):
    holder = make_token("legal")
    nodes = [a_subcontract["first"], a_subcontract["second"]]
    listed = client.get("/api/v1/subcontracts?scope=open", headers=holder.headers).get_json()
    assert [item["id"] for item in listed["items"]] == nodes
    assert client.get("/api/v1/subcontracts?scope=ended", headers=holder.headers).get_json()["items"] == []
    violations = client.get("/api/v1/subcontracts?section=violations", headers=holder.headers).get_json()["items"]
    assert [item["id"] for item in violations] == [a_subcontract["second"]]
    assert client.get("/api/v1/subcontracts?section=awaiting_manager", headers=holder.headers).get_json()[
        "items"] == []
    assert client.get("/api/v1/subcontracts?q=存在しない", headers=holder.headers).get_json()["items"] == []
    first_page = client.get("/api/v1/subcontracts?limit=1", headers=holder.headers).get_json()
    second_page = client.get(f"/api/v1/subcontracts?limit=1&cursor={first_page['next_cursor']}",
                             headers=holder.headers).get_json()
    assert [first_page["items"][0]["id"], second_page["items"][0]["id"]] == nodes


def _logged(app, action: str):
    with app.app_context():
        return db.session.scalar(
            db.select(ActivityLog).where(ActivityLog.action == action).order_by(ActivityLog.id.desc())
        )


REQUEST = {
    "scope_of_work": "給与明細の印刷・封入", "data_scope": "従業員の氏名、住所",
    "supervision_plan": "委託先が四半期ごとに実地確認し、報告書を提出する", "has_c04": True, "has_c14": True,
    "has_c16": True,
}


def test_a_consent_is_requested_reviewed_and_granted_as_on_the_node_page(app, client, make_token, a_consent):
    procurement, legal, manager = make_token("procurement"), make_token("legal"), make_token("manager")
    node_path = f"/api/v1/subcontracts/{a_consent['node']}/consents"
    requested = client.post(node_path, headers=procurement.headers,
                            json={**REQUEST, "evaluation_id": a_consent["evaluation"]})
    assert requested.status_code == 201, requested.get_data(as_text=True)
    consent = requested.get_json()
    path = f"/api/v1/consents/{consent['id']}"
    assert requested.headers["Location"].endswith(path)
    assert (consent["status"], consent["subcontract_id"], consent["evaluation_id"]) == (
        "requested", a_consent["node"], a_consent["evaluation"])
    assert _logged(app, "subcontract.request").actor_id == procurement.user.id
    again = client.post(node_path, headers=procurement.headers, json=REQUEST)
    assert again.status_code == 422, "one request at a time, as the service says"

    assert client.post(f"{path}/review", headers=legal.headers, json={"recommendation": "approve"}).status_code == 428
    reviewed = client.post(f"{path}/review", headers={**legal.headers, "If-Match": requested.headers["ETag"]},
                           json={"recommendation": "approve", "note": "条項C14を確認"})
    assert reviewed.status_code == 200, reviewed.get_data(as_text=True)
    assert (reviewed.get_json()["status"], reviewed.get_json()["recommendation"]) == ("reviewed", "approve")
    assert _logged(app, "subcontract.review").actor_id == legal.user.id

    decision = {"decision": "approve", "expires_on": "2027-09-30", "conditions": "年1回の報告"}
    granted = client.post(f"{path}/decision", headers={**manager.headers, "If-Match": reviewed.headers["ETag"]},
                          json=decision)
    assert granted.status_code == 403, "the manager decides on the page (step-up)"
    assert client.get(path, headers=manager.headers).get_json()["status"] == "reviewed"


STEP_UP = ("This decision needs a new code from your authenticator app, which an API token cannot give. "
           "Decide on the page.")


def test_the_decision_is_refused_as_its_page_asks_for_a_new_code(app, client, make_token, a_consent):
    """The node page's decision (``subcontracts.decide``, grant and refuse alike) asks for a new
    second-factor code (step-up), which a token cannot give: the API refuses both, before the form's checks
    and If-Match, logs the refusal, and changes nothing."""
    manager = make_token("manager")
    path = f"/api/v1/consents/{a_consent['reviewed']}"
    etag = client.get(path, headers=manager.headers).headers["ETag"]
    headers = {**manager.headers, "If-Match": etag, "Accept-Language": "en"}
    for body, sent in (
        ({"decision": "refuse", "reason": "監督体制が不十分"}, headers),
        ({"decision": "approve", "expires_on": "2027-09-30", "conditions": "年1回の報告"}, headers),
        ({"decision": "refuse", "reason": " "}, headers),  # the form would refuse it: the step-up comes first
        ({"decision": "refuse", "reason": "監督体制が不十分"}, {**manager.headers, "Accept-Language": "en"}),
    ):
        refused = client.post(f"{path}/decision", headers=sent, json=body)
        assert refused.status_code == 403 and refused.mimetype == "application/problem+json", body
        assert refused.get_json()["detail"] == STEP_UP
        assert _logged(app, "auth.forbidden").actor_id == manager.user.id
    japanese = client.post(f"{path}/decision", headers={**headers, "Accept-Language": "ja"},
                           json={"decision": "refuse", "reason": "監督体制が不十分"})
    assert japanese.get_json()["detail"].startswith("この判断には認証アプリの新しいコードが必要です")
    after = client.get(path, headers=manager.headers)
    assert after.headers["ETag"] == etag and after.get_json()["status"] == "reviewed"
    assert _logged(app, "subcontract.refuse") is None and _logged(app, "subcontract.approve") is None


def test_the_request_forms_rules_apply(client, make_token, a_consent):
    holder = make_token("admin")
    path = f"/api/v1/subcontracts/{a_consent['node']}/consents"
    advance = client.post(path, headers={**holder.headers, "Accept-Language": "en"},
                          json={**REQUEST, "consent_type": "advance"})
    assert advance.status_code == 422
    fields = {error["field"] for error in advance.get_json()["errors"]}
    assert {"advance_identified", "advance_ability_confirmed", "advance_reporting_agreed",
            "report_schedule"} <= fields
    wrong_evaluation = client.post(path, headers=holder.headers, json={**REQUEST, "evaluation_id": 999999})
    assert wrong_evaluation.status_code == 422 and wrong_evaluation.get_json()["errors"][0]["field"] == "evaluation"
    assert client.post("/api/v1/subcontracts/999999/consents", headers=holder.headers,
                       json=REQUEST).status_code == 404

"""``/api/v1/subcontracts``: chain nodes with their light from the node rule and their consents."""

from __future__ import annotations

from oversight.activity.models import ActivityLog
from oversight.auth.models import User
from oversight.core.timeutil import local_today
from oversight.extensions import db
from oversight.subcontracts import permissions, queries
from oversight.subcontracts.models import Subcontract, SubcontractConsent


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

    decision = {"decision": "approve", "expires_on": "2027-09-30", "conditions": "年1回の報告"}
    early = client.post(f"{path}/decision", headers={**manager.headers, "If-Match": requested.headers["ETag"]},
                        json=decision)
    assert early.status_code == 422, "legal reviews before a manager decides"
    with app.app_context():
        waiting = db.session.get(SubcontractConsent, consent["id"])
        assert early.get_json()["detail"] == str(
            permissions.decide_refusal(db.session.get(User, manager.user.id), waiting))

    assert client.post(f"{path}/review", headers=legal.headers, json={"recommendation": "approve"}).status_code == 428
    reviewed = client.post(f"{path}/review", headers={**legal.headers, "If-Match": requested.headers["ETag"]},
                           json={"recommendation": "approve", "note": "条項C14を確認"})
    assert reviewed.status_code == 200, reviewed.get_data(as_text=True)
    assert (reviewed.get_json()["status"], reviewed.get_json()["recommendation"]) == ("reviewed", "approve")
    assert _logged(app, "subcontract.review").actor_id == legal.user.id

    stale = client.post(f"{path}/decision", headers={**manager.headers, "If-Match": requested.headers["ETag"]},
                        json=decision)
    assert stale.status_code == 412
    granted = client.post(f"{path}/decision", headers={**manager.headers, "If-Match": reviewed.headers["ETag"]},
                          json=decision)
    assert granted.status_code == 200, granted.get_data(as_text=True)
    assert (granted.get_json()["status"], granted.get_json()["expires_on"]) == ("approved", "2027-09-30")
    assert _logged(app, "subcontract.approve").actor_id == manager.user.id
    node = client.get(f"/api/v1/subcontracts/{a_consent['node']}", headers=manager.headers).get_json()
    assert node["has_valid_consent"] is True


def test_a_refusal_needs_its_reason_with_the_forms_message(app, client, make_token, a_consent):
    manager = make_token("manager")
    path = f"/api/v1/consents/{a_consent['reviewed']}"
    etag = client.get(path, headers=manager.headers).headers["ETag"]
    headers = {**manager.headers, "If-Match": etag, "Accept-Language": "en"}
    blank = client.post(f"{path}/decision", headers=headers, json={"decision": "refuse", "reason": " "})
    assert blank.status_code == 422  # the form's check, with the field it is about
    assert blank.get_json()["errors"] == [{"field": "reason", "message": "Give the reason for refusing."}]
    no_expiry = client.post(f"{path}/decision", headers=headers, json={"decision": "approve"})
    assert no_expiry.status_code == 422 and no_expiry.get_json()["errors"] == [
        {"field": "expires_on", "message": "Give the date the consent expires (YYYY-MM-DD)."}]
    past = client.post(f"{path}/decision", headers=headers,
                       json={"decision": "approve", "expires_on": local_today().isoformat()})
    assert past.status_code == 422 and past.get_json()["errors"] == [
        {"field": "expires_on", "message": "Give an expiry date after today."}]
    japanese = client.post(f"{path}/decision", headers={**headers, "Accept-Language": "ja"},
                           json={"decision": "refuse"})
    assert japanese.get_json()["errors"] == [{"field": "reason", "message": "不許諾の理由を入力してください。"}]
    refused = client.post(f"{path}/decision", headers=headers,
                          json={"decision": "refuse", "reason": "監督体制が不十分"})
    assert refused.status_code == 200 and refused.get_json()["status"] == "refused"
    assert refused.get_json()["refusal_reason"] == "監督体制が不十分"
    assert _logged(app, "subcontract.refuse").actor_id == manager.user.id


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

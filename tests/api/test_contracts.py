"""``/api/v1/contracts``: contracts with their clause review rounds; a draft through the contract form."""

from __future__ import annotations

from oversight.activity.models import ActivityLog
from oversight.contracts.models import Contract
from oversight.extensions import db
from oversight.vendors.models import Vendor
from tests.contracts.helpers import judge_all, people, submitted
from tests.vendors.factories import create_vendor

DRAFT = {
    "number": "API-2026-001", "title": "給与計算業務委託契約", "scope": "給与計算", "data_scope": "従業員の個人番号",
    "start_on": "2026-04-01", "end_on": "2027-03-31",
}


def test_a_contract_shows_its_review_rounds_and_each_clauses_result(app, client, make_token):
    with app.app_context():
        procurement, legal, _manager = people()
        contract = submitted(procurement, vendor=create_vendor())
        judge_all(contract, legal)
        db.session.commit()
        contract_id = contract.id
    holder = make_token("viewer")
    answer = client.get(f"/api/v1/contracts/{contract_id}", headers=holder.headers).get_json()
    (review,) = answer["reviews"]
    assert review["round_number"] == 1 and review["submitted_at"].endswith("Z")
    codes = [result["code"] for result in review["results"]]
    assert "C01" in codes and all(result["result"] == "present" for result in review["results"])
    assert any(result["required"] for result in review["results"])
    english = client.get(f"/api/v1/contracts/{contract_id}", headers={**holder.headers, "Accept-Language": "en"})
    assert english.get_json()["reviews"][0]["results"][0]["text"] != review["results"][0]["text"]
    listed = client.get(f"/api/v1/contracts?vendor={answer['vendor_id']}", headers=holder.headers).get_json()
    assert [item["id"] for item in listed["items"]] == [contract_id]


def test_drafting_a_contract_goes_through_the_form_and_service(app, client, make_token, a_vendor):
    holder = make_token("procurement")
    response = client.post("/api/v1/contracts", headers=holder.headers, json={"vendor_id": a_vendor, **DRAFT})
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    assert (created["status"], created["start_on"], created["disposal_days"]) == ("draft", "2026-04-01", 30)
    with app.app_context():
        assert db.session.get(Contract, created["id"]).vendor_id == a_vendor
        logged = db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "contract.create"))
        assert (logged.actor_id, logged.object_id) == (holder.user.id, created["id"])


def test_a_draft_the_rules_refuse_gets_the_pages_message(client, make_token, a_vendor):
    holder = make_token("admin")
    body = {"vendor_id": a_vendor, **DRAFT, "end_on": "2026-03-01"}
    response = client.post("/api/v1/contracts", headers={**holder.headers, "Accept-Language": "en"}, json=body)
    assert response.status_code == 422
    messages = [error["message"] for error in response.get_json()["errors"]]
    assert "The end date must be on or after the start date." in messages
    first = client.post("/api/v1/contracts", headers=holder.headers, json={"vendor_id": a_vendor, **DRAFT})
    again = client.post("/api/v1/contracts", headers=holder.headers, json={"vendor_id": a_vendor, **DRAFT})
    assert first.status_code == 201 and again.status_code == 422
    (error,) = again.get_json()["errors"]  # the contract form's message, with the next free number
    assert error["field"] == "number"
    assert error["message"].startswith("この契約番号は別の契約（給与計算業務委託契約）で使われています。")


def test_drafting_for_an_unknown_vendor_is_404(app, client, make_token):
    holder = make_token("procurement")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Vendor)) == 0
    response = client.post("/api/v1/contracts", headers=holder.headers, json={"vendor_id": 999, **DRAFT})
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_a_manager_returns_a_cleared_contract_but_approves_it_only_on_the_page(
    app, client, make_token, a_cleared_contract
):
    manager = make_token("manager")
    path = f"/api/v1/contracts/{a_cleared_contract['contract']}"
    etag = client.get(path, headers=manager.headers).headers["ETag"]
    headers = {**manager.headers, "If-Match": etag, "Accept-Language": "en"}
    approval = client.post(f"{path}/decision", headers=headers, json={"decision": "approve"})
    assert approval.status_code == 403 and approval.mimetype == "application/problem+json"
    assert approval.get_json()["detail"] == (
        "This decision needs a new code from your authenticator app, which an API token cannot give. "
        "Decide on the page.")
    with app.app_context():
        assert db.session.get(Contract, a_cleared_contract["contract"]).status == "in_review"
    body = {"decision": "return", "note": "第5条の再委託条項を修正"}
    assert client.post(f"{path}/decision", headers=manager.headers, json=body).status_code == 428
    stale = client.post(f"{path}/decision", headers={**headers, "If-Match": '"contract-1-v0"'}, json=body)
    assert stale.status_code == 412
    blank = client.post(f"{path}/decision", headers=headers, json={"decision": "return", "note": " "})
    assert blank.status_code == 422 and [error["field"] for error in blank.get_json()["errors"]] == ["note"]
    returned = client.post(f"{path}/decision", headers=headers, json=body)
    assert returned.status_code == 200, returned.get_data(as_text=True)
    assert returned.get_json()["status"] == "returned" and returned.headers["ETag"] != etag
    with app.app_context():
        logged = db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "contract.return"))
        assert logged is not None and logged.actor_id == manager.user.id


def test_the_approval_refusal_is_in_japanese_by_default(client, make_token, a_cleared_contract):
    manager = make_token("manager")
    path = f"/api/v1/contracts/{a_cleared_contract['contract']}"
    etag = client.get(path, headers=manager.headers).headers["ETag"]
    refused = client.post(f"{path}/decision", headers={**manager.headers, "If-Match": etag},
                          json={"decision": "approve"})
    assert refused.status_code == 403
    assert refused.get_json()["detail"].startswith("この判断には認証アプリの新しいコードが必要です")

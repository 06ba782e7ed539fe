"""Every role on every API operation gets what docs/permissions.md says for the page it mirrors: the
same table the pages are tested against (tests/web/test_permissions.py), read the same way."""

from __future__ import annotations

import pytest

from oversight.activity.models import ActivityLog
from oversight.auth.roles import ALL_ROLES
from oversight.extensions import db
from tests.web.test_permissions import ACTION_OF, APP

API_ENDPOINTS = sorted(endpoint for endpoint in ACTION_OF if endpoint.startswith("api."))


def test_every_api_operation_is_in_the_matrix():
    operations = {endpoint for endpoint in APP.view_functions if endpoint.startswith("api.")}
    assert operations - {"api.openapi", "api.docs"} == set(API_ENDPOINTS)


def _call(client, endpoint: str, headers: dict, vendor_id: int, contract_id: int, incident_id: int, ids: dict):
    """A well-formed request to ``endpoint``: an allowed role gets a success, not merely no 403."""
    if endpoint == "api.vendors":
        return client.get("/api/v1/vendors", headers=headers)
    if endpoint == "api.vendor":
        return client.get(f"/api/v1/vendors/{vendor_id}", headers=headers)
    if endpoint == "api.create_vendor":
        return client.post("/api/v1/vendors", headers=headers, json={"name": "株式会社権限確認"})
    if endpoint == "api.update_vendor":
        etag = f'"vendor-{vendor_id}-v1"'
        return client.patch(
            f"/api/v1/vendors/{vendor_id}", headers={**headers, "If-Match": etag}, json={"risk_tier": "low"}
        )
    if endpoint == "api.contracts":
        return client.get("/api/v1/contracts", headers=headers)
    if endpoint == "api.contract":
        return client.get(f"/api/v1/contracts/{contract_id}", headers=headers)
    if endpoint == "api.create_contract":
        return client.post("/api/v1/contracts", headers=headers, json={
            "vendor_id": vendor_id, "number": "API-001", "title": "給与計算業務委託契約", "scope": "給与計算",
            "data_scope": "従業員の個人番号", "start_on": "2026-04-01", "end_on": "2027-03-31",
        })
    if endpoint == "api.incidents":
        return client.get("/api/v1/incidents", headers=headers)
    if endpoint == "api.incident":
        return client.get(f"/api/v1/incidents/{incident_id}", headers=headers)
    if endpoint == "api.disposals":
        return client.get("/api/v1/disposals", headers=headers)
    if endpoint == "api.disposal":
        return client.get(f"/api/v1/disposals/{ids['disposal']}", headers=headers)
    if endpoint == "api.audits":
        return client.get("/api/v1/audits", headers=headers)
    if endpoint == "api.audit":
        return client.get(f"/api/v1/audits/{ids['audit']()['audit']}", headers=headers)
    if endpoint == "api.findings":
        return client.get("/api/v1/findings", headers=headers)
    if endpoint == "api.finding":
        return client.get(f"/api/v1/findings/{ids['audit']()['finding']}", headers=headers)
    if endpoint == "api.record_finding_response":
        path = f"/api/v1/findings/{ids['audit']()['finding']}"
        etag = client.get(path, headers=headers).headers["ETag"]
        return client.put(f"{path}/response", headers={**headers, "If-Match": etag},
                          json={"plan_text": "入退室記録の様式を改め、全員に再教育する", "received_on": "2026-11-20"})
    if endpoint == "api.subcontracts":
        return client.get("/api/v1/subcontracts", headers=headers)
    if endpoint == "api.subcontract":
        return client.get(f"/api/v1/subcontracts/{ids['subcontract']()['first']}", headers=headers)
    if endpoint == "api.evaluations":
        return client.get("/api/v1/evaluations", headers=headers)
    if endpoint == "api.evaluation":
        return client.get(f"/api/v1/evaluations/{ids['evaluation']()}", headers=headers)
    if endpoint == "api.reminders":
        return client.get("/api/v1/reminders", headers=headers)
    raise AssertionError(f"no request written for {endpoint}")


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("endpoint", API_ENDPOINTS)
def test_each_role_gets_what_the_matrix_says(
    app, client, request, make_token, a_vendor, a_contract, an_incident, a_disposal, endpoint, role
):
    holder = make_token(role, scope="write")
    action = ACTION_OF[endpoint]
    ids = {"disposal": a_disposal}  # the records of the later operations, made only where they are asked for
    for name, fixture in (("audit", "an_audit"), ("subcontract", "a_subcontract"), ("evaluation", "an_evaluation")):
        ids[name] = lambda fixture=fixture: request.getfixturevalue(fixture)
    response = _call(client, endpoint, holder.headers, a_vendor, a_contract, an_incident, ids)
    what = f"{role} {endpoint} ({action.id}): {response.status_code} {response.get_data(as_text=True)[:200]}"
    if role in action.roles:
        assert response.status_code in (200, 201), what
        return
    assert response.status_code == 403, what
    assert response.mimetype == "application/problem+json"
    with app.app_context():
        refusal = db.session.scalar(
            db.select(ActivityLog).where(ActivityLog.action == "auth.forbidden").order_by(ActivityLog.id.desc())
        )
        assert refusal is not None and refusal.actor_id == holder.user.id, "a refusal is written to the activity log"

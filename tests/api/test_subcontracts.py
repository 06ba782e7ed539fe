"""``/api/v1/subcontracts``: chain nodes with their light from the node rule and their consents."""

from __future__ import annotations

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

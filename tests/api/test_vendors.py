"""``/api/v1/vendors``: the list page's filters, cursor pages stable under inserts, the stored lights,
writes through the vendor form and service with If-Match, the pages' messages in the asked language."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from oversight.activity.models import ActivityLog
from oversight.core.timeutil import local_today
from oversight.extensions import db
from oversight.status import lights as status_lights
from oversight.status import register
from oversight.status.models import VendorState
from oversight.vendors.models import Vendor
from tests.vendors.factories import create_vendor, vendor_values


def _vendors(app, count: int, **overrides) -> list[int]:
    with app.app_context():
        created = [create_vendor(**overrides) for _ in range(count)]
        db.session.commit()
        return [vendor.id for vendor in created]


def _all_pages(client, headers, query: str = "", limit: int = 2, between=None) -> list[int]:
    """Every id of the list, following next_cursor; ``between(page_number)`` runs after each page."""
    seen, cursor, number = [], "", 0
    while True:
        answer = client.get(f"/api/v1/vendors?limit={limit}&cursor={cursor}{query}", headers=headers).get_json()
        seen += [item["id"] for item in answer["items"]]
        number += 1
        if between:
            between(number)
        cursor = answer["next_cursor"]
        if cursor is None:
            return seen


def test_pages_neither_repeat_nor_skip_a_vendor_when_vendors_are_added_meanwhile(app, client, make_token):
    holder = make_token("viewer", scope="read")
    first = _vendors(app, 5)
    added: list[int] = []

    def add_one(page_number: int) -> None:
        if page_number < 3:
            added.extend(_vendors(app, 1))

    seen = _all_pages(client, holder.headers, between=add_one)
    assert len(seen) == len(set(seen)), "no vendor twice"
    assert seen == sorted(first + added), "every vendor, the new ones on later pages"


FILTERS = [{"risk_tier": "low"}, {"q": "低リスク"}, {"status": "candidate", "risk_tier": "high"}]


@pytest.mark.parametrize("filters", FILTERS)
def test_the_filters_are_the_list_pages(app, client, make_token, filters):
    _vendors(app, 2, risk_tier="high")
    _vendors(app, 1, risk_tier="low", name="株式会社低リスク商会")
    holder = make_token("viewer")
    with app.app_context():
        listed = db.session.scalars(register.list_query(filters, sort=None, today=local_today())).unique()
        expected = sorted(vendor.id for vendor in listed)
    assert expected
    assert _all_pages(client, holder.headers, "&" + urlencode(filters)) == expected


def test_a_light_filter_answers_from_the_stored_status(app, client, make_token):
    ids = _vendors(app, 2)
    holder = make_token("viewer")
    with app.app_context():
        states = {row.vendor_id: row for row in db.session.scalars(db.select(VendorState))}
    colour = status_lights.RULES["selection"].COLOURS[states[ids[0]].selection]
    assert set(_all_pages(client, holder.headers, f"&selection={colour}")) == set(ids)
    answer = client.get(f"/api/v1/vendors/{ids[0]}", headers=holder.headers).get_json()
    assert answer["lights"]["selection"] == {"state": states[ids[0]].selection, "colour": colour}
    assert set(answer["lights"]) == {"selection", "contract", "monitoring", "subcontract", "disposal"}


def test_a_bad_cursor_is_a_problem_not_an_error(client, make_token):
    holder = make_token("viewer")
    for cursor in ("nonsense!", "aWQ6eA", "eHl6OjE"):
        response = client.get(f"/api/v1/vendors?cursor={cursor}", headers=holder.headers)
        assert response.status_code == 400 and response.get_json()["errors"][0]["field"] == "cursor"


def test_creating_a_vendor_goes_through_the_service_and_the_log_names_the_tokens_owner(app, client, make_token):
    holder = make_token("procurement")
    response = client.post("/api/v1/vendors", headers=holder.headers, json=vendor_values(is_entrustment=True))
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    assert response.headers["Location"] == f"/api/v1/vendors/{created['id']}"
    assert response.headers["ETag"] == f'"vendor-{created["id"]}-v1"'
    assert created["status"] == "candidate" and created["is_entrustment"] is True
    with app.app_context():
        logged = db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "vendor.create"))
        assert (logged.actor_id, logged.object_id) == (holder.user.id, created["id"])


def test_a_write_is_refused_with_the_forms_messages_in_the_asked_language(app, client, make_token):
    holder = make_token("procurement")
    number = vendor_values()["corporate_number"]
    _vendors(app, 1, corporate_number=number)
    body = {"name": "株式会社重複", "corporate_number": number}
    english = client.post("/api/v1/vendors", headers={**holder.headers, "Accept-Language": "en"}, json=body)
    japanese = client.post("/api/v1/vendors", headers={**holder.headers, "Accept-Language": "ja"}, json=body)
    assert english.status_code == japanese.status_code == 422
    assert english.mimetype == "application/problem+json"
    assert english.get_json()["errors"][0]["field"] == "corporate_number"
    assert "Another vendor already has this corporate number" in english.get_json()["errors"][0]["message"]
    assert "法人番号" in japanese.get_json()["errors"][0]["message"]


def test_a_control_character_is_refused_before_the_fields_own_checks_read_the_database(app, client, make_token):
    """The corporate-number check looks the number up; with a NUL in it PostgreSQL refused the query (a 500).
    The control-character message comes first, next to the field, on both engines (found by Schemathesis)."""
    holder = make_token("procurement")
    vendor_id = _vendors(app, 1)[0]
    url = f"/api/v1/vendors/{vendor_id}"
    etag = client.get(url, headers=holder.headers).headers["ETag"]
    body = {"corporate_number": "\u0000\uda3f\udddb ", "name": "株式会社\u0000改名"}
    refused = client.patch(url, headers={**holder.headers, "If-Match": etag, "Accept-Language": "en"}, json=body)
    assert refused.status_code == 422
    errors = {error["field"]: error["message"] for error in refused.get_json()["errors"]}
    assert set(errors) == {"corporate_number", "name"}
    assert all("control character" in message for message in errors.values())
    with app.app_context():
        assert db.session.get(Vendor, vendor_id).version == 1


def test_the_my_number_guard_applies_and_the_confirmation_lets_it_through(client, make_token):
    holder = make_token("procurement")
    body = {"name": "株式会社番号", "entrusted_work": "個人番号 123456789018 の管理"}
    refused = client.post("/api/v1/vendors", headers=holder.headers, json=body)
    assert refused.status_code == 422
    assert [error["field"] for error in refused.get_json()["errors"]] == ["entrusted_work"]
    confirmed = client.post("/api/v1/vendors", headers=holder.headers, json={**body, "confirm_not_my_number": True})
    assert confirmed.status_code == 201


def test_a_change_needs_the_current_etag_and_a_stale_one_is_412(app, client, make_token):
    holder = make_token("procurement")
    vendor_id = _vendors(app, 1, risk_tier="high")[0]
    url = f"/api/v1/vendors/{vendor_id}"
    etag = client.get(url, headers=holder.headers).headers["ETag"]
    assert client.patch(url, headers=holder.headers, json={"risk_tier": "low"}).status_code == 428
    changed = client.patch(url, headers={**holder.headers, "If-Match": etag}, json={"risk_tier": "low"})
    assert changed.status_code == 200 and changed.get_json()["risk_tier"] == "low"
    assert changed.headers["ETag"] != etag
    stale = client.patch(url, headers={**holder.headers, "If-Match": etag}, json={"risk_tier": "medium"})
    assert stale.status_code == 412 and stale.mimetype == "application/problem+json"
    with app.app_context():
        vendor = db.session.get(Vendor, vendor_id)
        assert (vendor.risk_tier, vendor.version) == ("low", 2)
        logged = db.session.scalars(db.select(ActivityLog).where(ActivityLog.action == "vendor.update")).all()
        assert [(row.actor_id, row.changes) for row in logged] == [(holder.user.id, {"risk_tier": ["high", "low"]})]


def test_a_change_keeps_the_fields_it_does_not_name(app, client, make_token):
    holder = make_token("admin")
    vendor_id = _vendors(app, 1, address="東京都港区1-1", data_subject_count=50)[0]
    url = f"/api/v1/vendors/{vendor_id}"
    etag = client.get(url, headers=holder.headers).headers["ETag"]
    answer = client.patch(url, headers={**holder.headers, "If-Match": etag}, json={"name": "株式会社新名称"}).get_json()
    assert (answer["name"], answer["address"], answer["data_subject_count"]) == ("株式会社新名称", "東京都港区1-1", 50)

"""``/api/v1/disposals``: return/deletion items with the list page's filters."""

from __future__ import annotations

from oversight.activity.models import ActivityLog
from oversight.core.timeutil import local_today
from oversight.disposals import services
from oversight.extensions import db


def test_an_overdue_item_is_listed_under_the_pages_overdue_filter(app, client, make_token, a_disposal):
    holder = make_token("viewer")
    answer = client.get(f"/api/v1/disposals/{a_disposal}", headers=holder.headers).get_json()
    assert (answer["state"], answer["is_overdue"], answer["due_on"]) == ("open", True, "2026-04-30")
    for state in ("overdue", "open", "certified"):
        listed = client.get(f"/api/v1/disposals?state={state}", headers=holder.headers).get_json()["items"]
        with app.app_context():
            expected = [item.id for item in db.session.scalars(services.list_query(state=state, today=local_today()))]
        assert [item["id"] for item in listed] == sorted(expected), state


def test_a_manager_confirms_a_recorded_certificate_with_if_match(app, client, make_token, a_certified_disposal):
    manager = make_token("manager")
    path = f"/api/v1/disposals/{a_certified_disposal}"
    read = client.get(path, headers=manager.headers)
    assert read.get_json()["state"] == "certified"
    body = {"note": "証明書の記載を確認した"}
    assert client.post(f"{path}/confirmation", headers=manager.headers, json=body).status_code == 428
    stale = client.post(f"{path}/confirmation", headers={**manager.headers, "If-Match": '"disposalitem-1-v0"'},
                        json=body)
    assert stale.status_code == 412
    confirmed = client.post(f"{path}/confirmation", headers={**manager.headers, "If-Match": read.headers["ETag"]},
                            json=body)
    assert confirmed.status_code == 200, confirmed.get_data(as_text=True)
    assert confirmed.get_json()["state"] == "confirmed" and confirmed.get_json()["confirmed_at"]
    with app.app_context():
        logged = db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "disposal.confirm"))
        assert logged is not None and logged.actor_id == manager.user.id
    again = client.post(f"{path}/confirmation", headers={**manager.headers, "If-Match": confirmed.headers["ETag"]},
                        json=body)
    assert again.status_code == 422, "already confirmed, as the predicate says"


def test_an_item_without_a_certificate_cannot_be_confirmed(app, client, make_token, a_disposal):
    manager = make_token("manager")
    path = f"/api/v1/disposals/{a_disposal}"
    etag = client.get(path, headers=manager.headers).headers["ETag"]
    refused = client.post(f"{path}/confirmation", headers={**manager.headers, "If-Match": etag,
                                                           "Accept-Language": "en"}, json={})
    assert refused.status_code == 422
    assert refused.get_json()["detail"] == "Record the certificate before confirming."

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


def test_confirming_is_refused_as_its_page_asks_for_a_new_code(app, client, make_token, a_certified_disposal):
    """The page's confirmation asks for a new second-factor code (step-up), which a token cannot give: the
    API refuses it, with or without If-Match, and nothing changes (confirm on the item page)."""
    manager = make_token("manager")
    path = f"/api/v1/disposals/{a_certified_disposal}"
    read = client.get(path, headers=manager.headers)
    assert read.get_json()["state"] == "certified"
    body = {"note": "証明書の記載を確認した"}
    unmatched = client.post(f"{path}/confirmation", headers={**manager.headers, "Accept-Language": "en"}, json=body)
    assert unmatched.status_code == 403 and unmatched.mimetype == "application/problem+json"
    assert unmatched.get_json()["detail"] == (
        "This decision needs a new code from your authenticator app, which an API token cannot give. "
        "Decide on the page.")
    refused = client.post(f"{path}/confirmation", headers={**manager.headers, "If-Match": read.headers["ETag"]},
                          json=body)
    assert refused.status_code == 403
    assert refused.get_json()["detail"].startswith("この判断には認証アプリの新しいコードが必要です")
    after = client.get(path, headers=manager.headers)
    assert after.headers["ETag"] == read.headers["ETag"] and after.get_json()["state"] == "certified"
    with app.app_context():
        assert db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "disposal.confirm")) is None
        logged = db.session.scalars(db.select(ActivityLog).where(ActivityLog.action == "auth.forbidden")).all()
        assert [(row.actor_id, row.summary) for row in logged] == [
            (manager.user.id, f"POST {path}/confirmation")] * 2

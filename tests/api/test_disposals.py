"""``/api/v1/disposals``: return/deletion items with the list page's filters."""

from __future__ import annotations

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

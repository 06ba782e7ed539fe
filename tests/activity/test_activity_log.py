"""The activity log: what is written, the admin page's filters and the CSV export."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from oversight.activity import services as activity
from oversight.activity.models import ActivityLog
from oversight.auth.models import User
from oversight.extensions import db

GOOD_PASSWORD = "plum-lantern-harbour-91"


def _rows(app, action=None) -> list[ActivityLog]:
    with app.app_context():
        query = db.select(ActivityLog).order_by(ActivityLog.id)
        if action:
            query = query.where(ActivityLog.action == action)
        rows = list(db.session.scalars(query))
        db.session.expunge_all()
        return rows


def test_sign_in_and_sign_out_are_logged_with_origin(client, make_user, app):
    user = make_user("viewer")
    client.post("/auth/login", data={"email": user.email, "password": user.password},
                headers={"User-Agent": "TestBrowser/1.0"})
    client.post("/auth/logout", headers={"User-Agent": "TestBrowser/1.0"})
    login, logout = _rows(app, "auth.login")[0], _rows(app, "auth.logout")[0]
    assert (login.actor_id, login.object_type, login.object_id) == (user.id, "user", user.id)
    assert login.ip_address == "127.0.0.1"
    assert login.user_agent == "TestBrowser/1.0"
    assert logout.actor_id == user.id


def test_failed_sign_in_and_lockout_are_logged(client, make_user, app):
    user = make_user("viewer")
    client.post("/auth/login", data={"email": "ghost@example.com", "password": "whatever-password"})
    for _ in range(5):
        client.post("/auth/login", data={"email": user.email, "password": "wrong-password-123"})
    failed = _rows(app, "auth.login_failed")
    assert failed[0].actor_id is None
    assert failed[0].summary == "ghost@example.com"
    assert [row.actor_id for row in failed[1:]] == [user.id] * 5
    lockout = _rows(app, "auth.lockout")
    assert len(lockout) == 1
    assert lockout[0].changes["locked_until"][0] is None
    assert lockout[0].changes["locked_until"][1]


def test_admin_creating_and_changing_a_user_is_logged_with_before_and_after(client, login_as, app):
    admin = login_as("admin")
    response = client.post(
        "/admin/users/new",
        data={"email": "new.person@example.com", "name": "新人", "language": "ja", "roles": ["viewer"],
              "password": GOOD_PASSWORD, "confirm_password": GOOD_PASSWORD},
    )
    assert response.status_code == 302
    created = _rows(app, "user.create")[-1]
    assert created.actor_id == admin.id
    assert created.changes["email"] == [None, "new.person@example.com"]
    assert created.changes["roles"] == [None, ["viewer"]]
    assert "password" not in str(created.changes)
    user_id = created.object_id
    response = client.post(
        f"/admin/users/{user_id}/edit",
        data={"email": "new.person@example.com", "name": "新人 二郎", "language": "en", "roles": ["viewer", "legal"],
              "is_enabled": "y", "version": "1"},
    )
    assert response.status_code == 302
    updated = _rows(app, "user.update")[-1]
    assert updated.object_id == user_id
    assert updated.changes == {
        "name": ["新人", "新人 二郎"],
        "language": ["ja", "en"],
        "roles": [["viewer"], ["legal", "viewer"]],
    }


def test_password_reset_is_logged_and_clears_lockout(client, login_as, make_user, app):
    target = make_user("viewer")
    with app.app_context():
        db.session.get(User, target.id).locked_until = datetime.now(UTC) + timedelta(minutes=10)
        db.session.commit()
    admin = login_as("admin")
    response = client.post(
        f"/admin/users/{target.id}/password", data={"password": GOOD_PASSWORD, "confirm_password": GOOD_PASSWORD}
    )
    assert response.status_code == 302
    reset = _rows(app, "user.password_reset")[-1]
    assert (reset.actor_id, reset.object_id) == (admin.id, target.id)
    with app.app_context():
        assert db.session.get(User, target.id).locked_until is None


def test_weak_password_reset_is_refused(client, login_as, make_user, app):
    target = make_user("viewer")
    login_as("admin")
    data = {"password": "short", "confirm_password": "short"}
    response = client.post(f"/admin/users/{target.id}/password", data=data)
    assert response.status_code == 400
    assert _rows(app, "user.password_reset") == []


@pytest.fixture
def log_data(app, make_user):
    """Three users' actions on three days (Asia/Tokyo)."""
    alice = make_user("admin", email="alice@example.com", name="Alice")
    bob = make_user("viewer", email="bob@example.com", name="Bob")
    with app.app_context():
        db.session.execute(db.delete(ActivityLog))
        users = {u.id: u for u in db.session.scalars(db.select(User))}
        entries = [
            (alice.id, "auth.login", None, datetime(2026, 11, 1, 1, 0, tzinfo=UTC), "ログイン 東京"),
            (bob.id, "auth.login", None, datetime(2026, 11, 2, 1, 0, tzinfo=UTC), "bob login"),
            (alice.id, "user.update", bob.id, datetime(2026, 11, 3, 1, 0, tzinfo=UTC), "changed bob"),
            # 2026-11-03 23:30 UTC is 2026-11-04 08:30 in Tokyo.
            (bob.id, "auth.logout", None, datetime(2026, 11, 3, 23, 30, tzinfo=UTC), "bob logout"),
        ]
        for actor_id, action, object_id, when, summary in entries:
            row = activity.record(action, actor=users[actor_id], target=users[object_id] if object_id else None,
                                  summary=summary, changes={"name": ["前", "後"]} if object_id else None)
            row.occurred_at = when
        db.session.commit()
    return alice, bob


def _listed(client, **params) -> list[str]:
    response = client.get("/activity/", query_string=params)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return [summary for summary in ("ログイン 東京", "bob login", "changed bob", "bob logout") if summary in html]


def test_filters(client, login, log_data):
    alice, bob = log_data
    login(alice)
    assert _listed(client) == ["ログイン 東京", "bob login", "changed bob", "bob logout"]
    assert _listed(client, actor=bob.id) == ["bob login", "bob logout"]
    assert _listed(client, action="auth.login") == ["ログイン 東京", "bob login"]
    assert _listed(client, object_type="user", object_id=bob.id) == ["changed bob"]
    assert _listed(client, date_from="2026-11-02", date_to="2026-11-03") == ["bob login", "changed bob"]
    assert _listed(client, date_from="2026-11-04") == ["bob logout"]
    assert _listed(client, date_to="2026-11-01") == ["ログイン 東京"]


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "notadate"},
        {"date_to": "2026-13-45"},
        {"date_from": "2026-11-05", "date_to": "2026-11-01"},
        {"actor": "abc"},
        {"actor": "999999"},
        {"object_id": "-3"},
        {"object_id": "99999999999999999999999"},
        {"action": "no.such.action"},
        {"page": "abc"},
        {"page": "-5"},
        {"page": "99999"},
    ],
)
def test_bad_filters_show_the_page_not_an_error(client, login, log_data, params):
    alice, _ = log_data
    login(alice)
    assert client.get("/activity/", query_string=params).status_code == 200
    assert client.get("/activity/export.csv", query_string=params).status_code == 200


def _csv(response) -> list[list[str]]:
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_csv_export_has_bom_header_and_filtered_rows(client, login, log_data, app):
    alice, bob = log_data
    login(alice)
    response = client.get("/activity/export.csv", query_string={"actor": bob.id})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _csv(response)
    assert rows[0][:4] == ["id", "occurred_at", "user", "action"]
    assert [row[7] for row in rows[1:]] == ["bob logout", "bob login"]
    assert rows[1][1] == "2026-11-04 08:30"
    assert _rows(app, "activity.export")[-1].actor_id == alice.id


def test_csv_export_keeps_japanese_and_changes(client, login, log_data):
    alice, _ = log_data
    login(alice)
    rows = _csv(client.get("/activity/export.csv"))
    by_summary = {row[7]: row for row in rows[1:]}
    assert "ログイン 東京" in by_summary
    assert '"前"' in by_summary["changed bob"][8]


@pytest.mark.parametrize("role", ["procurement", "legal", "auditor", "manager", "viewer"])
def test_non_admins_cannot_read_or_export_the_log(client, login_as, role):
    login_as(role)
    assert client.get("/activity/").status_code == 403
    assert client.get("/activity/export.csv").status_code == 403


def test_a_long_log_is_counted_only_up_to_the_limit(app, client, login, log_data, monkeypatch):
    alice, _bob = log_data
    login(alice)  # one more row: five in all
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    monkeypatch.setattr("oversight.activity.views.COUNT_LIMIT", 4)
    html = client.get("/activity/").get_data(as_text=True)
    assert 'data-testid="count-capped"' in html and "4" in html.split('data-testid="count-capped"')[1][:80]
    assert "2 ページ中 1 ページ目" in html or "page 1 of 2" in html
    # A page past the counted ones shows the last counted page, not an empty one.
    last = client.get("/activity/", query_string={"page": 99}).get_data(as_text=True)
    assert "2 ページ中 2 ページ目" in last or "page 2 of 2" in last
    monkeypatch.setattr("oversight.activity.views.COUNT_LIMIT", 100)
    # A constant changed under a running app is not data: the kept page is rendered afresh on request.
    exact = client.get("/activity/", headers={"Cache-Control": "no-cache"}).get_data(as_text=True)
    assert 'data-testid="count-capped"' not in exact and 'data-testid="result-count"' in exact

"""List pages are served from the page cache until anything they show can have changed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import text

from oversight import create_app
from oversight.config import TestConfig as AppConfig
from oversight.core.timeutil import local_today
from oversight.extensions import cache, db
from oversight.vendors.models import Vendor
from oversight.web.pagecache import STATUS_HEADER, TOKEN_PLACEHOLDER
from tests.conftest import TEST_PASSWORD
from tests.vendors.factories import create_vendor

LIST_PAGES = (
    "/vendors/",
    "/contracts/",
    "/audits/",
    "/audits/records",
    "/audits/findings",
    "/incidents/",
    "/disposals/",
    "/evaluations/",
    "/reminders/outbox",
    "/activity/",
)


def _without_tokens(response) -> str:
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]+"', r'\1"', response.get_data(as_text=True))


def _status(response) -> str | None:
    return response.headers.get(STATUS_HEADER)


@pytest.fixture
def vendor_id(app) -> int:
    with app.app_context():
        vendor = create_vendor(name="株式会社キャッシュ前")
        db.session.commit()
        return vendor.id


@pytest.mark.parametrize("path", LIST_PAGES)
def test_a_list_is_rendered_once_then_served_with_two_queries(client, login_as, vendor_id, count_queries, path):
    login_as("admin")
    first = client.get(path)
    with count_queries() as counter:
        second = client.get(path)
    assert (first.status_code, second.status_code) == (200, 200)
    assert (_status(first), _status(second)) == ("miss", "hit")
    assert counter.count == 2  # the signed-in user and the data version
    assert TOKEN_PLACEHOLDER not in second.get_data(as_text=True)
    assert _without_tokens(second) == _without_tokens(first)  # (a token carries the second it was made)


def test_a_change_through_a_form_shows_at_once(client, login_as, vendor_id):
    login_as("procurement")
    assert "株式会社キャッシュ前" in client.get("/vendors/").get_data(as_text=True)
    form = client.get(f"/vendors/{vendor_id}/edit").get_data(as_text=True)
    values = dict(re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', form))
    values.update(name="株式会社キャッシュ後", risk_tier="low", handling_location="domestic", handling_site="own_site")
    values.update(is_entrustment="yes", entrusted_work="給与計算", data_scope="個人番号")
    response = client.post(f"/vendors/{vendor_id}/edit", data=values, follow_redirects=True)
    assert response.request.path == f"/vendors/{vendor_id}"  # saved (the flashed message shown there)
    page = client.get("/vendors/")
    assert _status(page) == "miss"
    assert "株式会社キャッシュ後" in page.get_data(as_text=True)


def test_a_change_by_another_process_or_plain_sql_shows_at_once(client, login_as, vendor_id, app):
    login_as("viewer")
    client.get("/vendors/")
    assert _status(client.get("/vendors/")) == "hit"
    with app.app_context():  # e.g. the scheduler process or another worker, through the ORM
        db.session.scalar(db.select(Vendor)).name = "株式会社別プロセス"
        db.session.commit()
    assert "株式会社別プロセス" in client.get("/vendors/").get_data(as_text=True)
    assert _status(client.get("/vendors/")) == "hit"
    with app.app_context():  # a bulk statement as the reminder sweep writes them
        db.session.execute(text("UPDATE vendors SET name = '株式会社一括更新'"))
        db.session.commit()
    page = client.get("/vendors/")
    assert _status(page) == "miss" and "株式会社一括更新" in page.get_data(as_text=True)


def test_each_user_language_and_day_has_its_own_page(app, make_user, vendor_id, monkeypatch):
    editor, reader = make_user("procurement", name="編集 花子"), make_user("viewer", name="閲覧 次郎", language="en")
    clients = {}
    for user in (editor, reader):  # both sign in first: signing in is itself a change
        clients[user.id] = app.test_client()
        clients[user.id].post("/auth/login", data={"email": user.email, "password": user.password})
    as_editor = clients[editor.id].get("/vendors/")
    as_reader = clients[reader.id].get("/vendors/")
    assert (_status(as_editor), _status(as_reader)) == ("miss", "miss")
    editor_html, reader_html = as_editor.get_data(as_text=True), as_reader.get_data(as_text=True)
    assert 'data-testid="user-menu">編集 花子<' in editor_html and 'user-menu">閲覧 次郎<' not in editor_html
    assert 'data-testid="user-menu">閲覧 次郎<' in reader_html and 'user-menu">編集 花子<' not in reader_html
    assert 'href="/vendors/new"' in editor_html and 'href="/vendors/new"' not in reader_html
    assert 'lang="ja"' in editor_html and 'lang="en"' in reader_html
    tomorrow = local_today() + timedelta(days=1)
    monkeypatch.setattr("oversight.web.pagecache.local_today", lambda: tomorrow)
    assert _status(clients[editor.id].get("/vendors/")) == "miss"
    assert _status(clients[editor.id].get("/vendors/")) == "hit"


def test_a_flashed_message_is_shown_once_and_never_kept(client, login_as, vendor_id, app):
    login_as("procurement")
    assert _status(client.get("/vendors/")) == "miss"
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "保存しました。")]
    shown = client.get("/vendors/")
    assert _status(shown) == "bypass" and "保存しました。" in shown.get_data(as_text=True)
    after = client.get("/vendors/")
    assert _status(after) == "hit" and "保存しました。" not in after.get_data(as_text=True)


def test_no_cache_request_renders_afresh(client, login_as, vendor_id):
    login_as("viewer")
    client.get("/vendors/")
    assert _status(client.get("/vendors/", headers={"Cache-Control": "no-cache"})) == "miss"
    assert _status(client.get("/vendors/", headers={"Pragma": "no-cache"})) == "miss"
    assert _status(client.get("/vendors/", headers={"Cache-Control": "max-age=0"})) == "hit"


def test_errors_and_other_methods_are_not_kept(client, login_as):
    login_as("viewer")
    assert client.get("/vendors/?page=abc").status_code == 200
    assert client.head("/vendors/").status_code == 200
    assert _status(client.head("/vendors/")) == "bypass"


def test_a_failing_cache_server_only_costs_the_rendering(client, login_as, vendor_id, app, monkeypatch):
    login_as("viewer")

    def unavailable(*_args, **_kwargs):
        raise ConnectionError("cache server down")

    monkeypatch.setattr(app.extensions["cache"][cache], "get", unavailable)
    monkeypatch.setattr(app.extensions["cache"][cache], "set", unavailable)
    for _ in range(2):
        page = client.get("/vendors/")
        assert page.status_code == 200 and _status(page) == "miss"
        assert "株式会社キャッシュ前" in page.get_data(as_text=True)


@pytest.fixture
def csrf_app(database_url, app):
    """A second app on the same database with CSRF protection on, as in production."""
    application = create_app(AppConfig(database_url, WTF_CSRF_ENABLED=True))
    yield application
    with application.app_context():
        db.session.remove()


def _sign_in(client, email: str) -> None:
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/auth/login", data={"email": email, "password": TEST_PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def _tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', html))


def test_a_kept_page_carries_the_token_of_the_session_it_is_served_to(csrf_app, make_user):
    user = make_user("admin")
    first, second = csrf_app.test_client(), csrf_app.test_client()
    _sign_in(first, user.email)
    _sign_in(second, user.email)
    page_one = first.get("/reminders/outbox")
    page_two = second.get("/reminders/outbox")
    assert (_status(page_one), _status(page_two)) == ("miss", "hit")
    tokens_one, tokens_two = _tokens(page_one.get_data(as_text=True)), _tokens(page_two.get_data(as_text=True))
    assert len(tokens_one) == len(tokens_two) == 1 and tokens_one != tokens_two
    # The token served with the kept page is the second session's own: its forms work there only.
    form = {"csrf_token": tokens_two.pop(), "language": "en", "next": "/reminders/outbox"}
    assert first.post("/auth/language", data=form).status_code == 400
    assert second.post("/auth/language", data=form).status_code == 302

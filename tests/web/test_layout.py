"""The base layout's navigation and fixed links, built once per language, mount point and role set
(``oversight.web.layout``): every user still sees their own entries, in their language, the current page
marked, and links that follow where the app is mounted."""

from __future__ import annotations

import re

from oversight.web.layout import visible_endpoints
from oversight.web.navigation import NAV_ITEMS


def _nav(page: str) -> str:
    return page.split('<nav class="navbar', 1)[1].split("</nav>", 1)[0]


def _main_links(page: str) -> list[tuple[str, str, str]]:
    """(class, href, label) of each main navigation entry."""
    return re.findall(r'<li class="nav-item"><a class="(nav-link[^"]*)" href="([^"]*)">([^<]*)</a></li>', _nav(page))


def _admin_links(page: str) -> list[tuple[str, str]]:
    """(href, label) of each entry of the administration menu (the user's own menu aside)."""
    menu = re.search(r'<ul class="dropdown-menu">(.*?)</ul>', _nav(page), re.S)
    return re.findall(r'<li><a class="dropdown-item" href="([^"]*)">([^<]*)</a></li>', menu.group(1)) if menu else []


def test_the_current_page_is_marked_and_only_it(client, login_as):
    login_as("procurement")
    vendors = _main_links(client.get("/vendors/").get_data(as_text=True))
    assert ("nav-link active", "/vendors/", "委託先") in vendors
    assert [entry for entry in vendors if "active" in entry[0]] == [("nav-link active", "/vendors/", "委託先")]
    contracts = _main_links(client.get("/contracts/").get_data(as_text=True))
    assert ("nav-link", "/vendors/", "委託先") in contracts
    assert [entry[1] for entry in contracts if "active" in entry[0]] == ["/contracts/"]


def test_each_user_sees_the_entries_their_roles_may_open(app, client, login_as, login, make_user):
    login_as("admin")
    page = client.get("/vendors/").get_data(as_text=True)
    assert ("/admin/users", "ユーザー管理") in _admin_links(page) and "管理</a>" in _nav(page)
    client.post("/auth/logout")
    login(make_user("viewer"))  # built after the administrator's: must not show theirs
    page = client.get("/vendors/").get_data(as_text=True)
    assert _admin_links(page) == [] and "/admin/users" not in _nav(page) and "管理</a>" not in _nav(page)
    assert [href for _class, href, _label in _main_links(page)] == [
        href for _class, href, _label in _main_links(client.get("/vendors/").get_data(as_text=True))
    ]
    for roles in ({"viewer"}, {"admin"}, {"procurement", "manager"}):
        main, admin = visible_endpoints(app, roles, "main"), visible_endpoints(app, roles, "admin")
        for item in NAV_ITEMS:
            shown = item.endpoint in (main if item.section == "main" else admin)
            assert shown == bool(app.view_functions[item.endpoint].access_roles & roles), (roles, item.endpoint)


def test_the_navigation_is_in_each_users_language(client, login_as, login, make_user):
    login_as("admin", language="en")
    page = client.get("/vendors/").get_data(as_text=True)
    assert ("nav-link active", "/vendors/", "Vendors") in _main_links(page)
    assert ("/admin/users", "Users") in _admin_links(page)
    assert "Skip to content" in page and "About this page" in page
    client.post("/auth/logout")
    login(make_user("admin", language="ja"))
    page = client.get("/vendors/").get_data(as_text=True)
    assert ("nav-link active", "/vendors/", "委託先") in _main_links(page)
    assert ("/admin/users", "ユーザー管理") in _admin_links(page)
    assert "このページについて" in page and "About this page" not in page


def test_the_links_follow_where_the_app_is_mounted(client, login_as):
    login_as("admin")
    mounted = client.get("/vendors/", base_url="http://localhost/oversight/").get_data(as_text=True)
    plain = client.get("/vendors/").get_data(as_text=True)
    for page, prefix in ((mounted, "/oversight"), (plain, "")):
        assert f'<link rel="stylesheet" href="{prefix}/static/css/app.css">' in page
        assert f'<script src="{prefix}/static/js/app.js"></script>' in page
        assert f'action="{prefix}/auth/logout"' in page
        assert ("nav-link active", f"{prefix}/vendors/", "委託先") in _main_links(page)
        assert (f"{prefix}/admin/users", "ユーザー管理") in _admin_links(page)
        assert f'href="{prefix}/bootstrap/static/css/bootstrap.min.css"' in page

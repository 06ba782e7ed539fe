"""Every stylesheet, script and image is served by the app itself (no CDN)."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest


class AssetCollector(HTMLParser):
    """The URLs of <link href>, <script src> and <img src> in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        wanted = {"link": "href", "script": "src", "img": "src"}.get(tag)
        for name, value in attrs:
            if name == wanted and value:
                self.urls.append(value)


def _assets(html: str) -> list[str]:
    collector = AssetCollector()
    collector.feed(html)
    return collector.urls


@pytest.mark.parametrize("path", ["/auth/login", "/dashboard"])
def test_page_assets_are_local_and_served(client, login_as, path):
    if path != "/auth/login":
        login_as("admin")
    urls = _assets(client.get(path).get_data(as_text=True))
    assert any(url.endswith(".css") for url in urls)
    assert any(url.endswith(".js") for url in urls)
    for url in urls:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc, f"{url} is not served by the app"
        response = client.get(url)
        assert response.status_code == 200, url
        response.close()


def test_bootstrap_is_served_locally(app):
    assert app.config["BOOTSTRAP_SERVE_LOCAL"] is True


class IconLinks(HTMLParser):
    """The href of every <link rel="icon">."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        values = dict(attrs)
        if tag == "link" and "icon" in (values.get("rel") or "").split():
            self.urls.append(values["href"])


def test_the_browsers_own_favicon_request_finds_the_icon(client):
    """Browsers ask for /favicon.ico on every site; it answered 404 in every console."""
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype in {"image/x-icon", "image/vnd.microsoft.icon"}
    assert response.get_data()[:4] == b"\x00\x00\x01\x00"  # an ICO file
    response.close()


def test_the_icon_request_leaves_the_session_alone(client, login_as):
    """Browsers fetch /favicon.ico on their own, late; its answer carried the session cookie of the page
    before, so arriving after a link had started a vendor-portal session it replaced that session."""
    client.get("/auth/login")  # a session with a form token, as the sign-in page leaves it
    response = client.get("/favicon.ico")
    assert response.headers.getlist("Set-Cookie") == []
    response.close()
    login_as("admin")
    response = client.get("/favicon.ico")
    assert response.headers.getlist("Set-Cookie") == []
    response.close()


@pytest.mark.parametrize("path", ["/auth/login", "/dashboard"])
def test_every_page_links_an_icon_the_app_serves(client, login_as, path):
    if path != "/auth/login":
        login_as("admin")
    links = IconLinks()
    links.feed(client.get(path).get_data(as_text=True))
    assert links.urls
    for url in links.urls:
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype.startswith("image/"), url
        response.close()

"""Markup typed into a name, and a parser that finds it in a page when it was not escaped."""

from __future__ import annotations

from html.parser import HTMLParser

MARKER = "injected"
PAYLOAD = f'</option></select><h1 id="{MARKER}">XSS</h1><a href="//e.vil/{MARKER}">x</a>'


class InjectedElements(HTMLParser):
    """The elements a page's markup really holds that came from the payload."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        values = dict(attrs)
        if values.get("id") == MARKER or MARKER in (values.get("href") or ""):
            self.found.append(f"<{tag} {values}>")


def injected(html: str) -> list[str]:
    parser = InjectedElements()
    parser.feed(html)
    parser.close()
    return parser.found

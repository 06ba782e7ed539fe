"""The base layout's parts that hold no data, built once per process instead of on every page.

Every page draws the same navigation, fixed links (icon, style sheets, scripts, the user menu's forms,
the glossary) and the page's guide. Building them afresh cost each page about 35 ``url_for`` route
builds and 30 catalogue look-ups. What they show depends only on the language, where the app is mounted
(``request.script_root``), the signed-in user's set of roles (the entries they may open) and, for the guide,
the page's endpoint — never on records. So they are kept per application and per those keys, like the
compiled templates and the loaded catalogues: constant text, not a cache of data (no page, fragment or
figure of oversight data is kept; docs/DEVELOPMENT.md, "No caches of oversight data"). The user's name
and e-mail, the flashed messages, the CSRF token and the current page's marking are drawn by the
template on every request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import Flask, current_app, request, url_for
from flask_babel import get_locale
from markupsafe import Markup

from oversight.auth.decorators import access_rule
from oversight.web.help import Guide, guide_for
from oversight.web.navigation import NAV_ITEMS

EXTENSION = "oversight.layout"


@dataclass(frozen=True)
class NavEntry:
    """One entry of the navigation, ready to draw: its endpoint (to mark the current page), URL and label."""

    endpoint: str
    url: str
    label: str


@dataclass(frozen=True)
class Navigation:
    main: tuple[NavEntry, ...]
    admin: tuple[NavEntry, ...]


@dataclass(frozen=True)
class PageGuide:
    """A page's guide (``web.help``) translated."""

    purpose: str
    next_actor: str
    basis: str


# The fixed links of the base layout: name -> (endpoint, values).
LINKS = {
    "favicon": ("favicon", {}),
    "favicon_svg": ("static", {"filename": "favicon.svg"}),
    "app_css": ("static", {"filename": "css/app.css"}),
    "app_js": ("static", {"filename": "js/app.js"}),
    "home": ("dashboard.root", {}),
    "password": ("auth.password", {}),
    "tokens": ("auth.tokens", {}),
    "language": ("auth.language", {}),
    "logout": ("auth.logout", {}),
    "glossary": ("help.glossary", {}),
}


def _kept(app: Flask) -> dict:
    return app.extensions.setdefault(EXTENSION, {})


def _locale() -> str:
    return str(get_locale() or "")


def links() -> dict[str, str]:
    """The layout's fixed URLs (and Bootstrap's ``<link>``/``<script>`` tags), built once per mount point."""
    kept = _kept(current_app)
    key = ("links", request.script_root)
    found = kept.get(key)
    if found is None:
        found = {name: url_for(endpoint, **values) for name, (endpoint, values) in LINKS.items()}
        bootstrap = current_app.extensions["bootstrap"]
        found["bootstrap_css"] = Markup(bootstrap.load_css())
        found["bootstrap_js"] = Markup(bootstrap.load_js())
        kept[key] = found
    return found


def visible_endpoints(app: Flask, roles: Iterable[str], section: str) -> tuple[str, ...]:
    """The endpoints of ``section``'s entries that are registered and that a holder of ``roles`` may open."""
    held = frozenset(roles)
    endpoints = []
    for item in NAV_ITEMS:
        view = app.view_functions.get(item.endpoint)
        if item.section != section or view is None:
            continue
        rule = access_rule(view)
        if isinstance(rule, frozenset) and rule & held:
            endpoints.append(item.endpoint)
    return tuple(endpoints)


def navigation(roles: Iterable[str]) -> Navigation:
    """The main and administration entries a holder of ``roles`` may open, in the current language."""
    held = frozenset(roles)
    kept = _kept(current_app)
    key = ("navigation", _locale(), request.script_root, held)
    found = kept.get(key)
    if found is None:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        by_endpoint = {item.endpoint: item for item in NAV_ITEMS}

        def entries(section: str) -> tuple[NavEntry, ...]:
            return tuple(
                NavEntry(endpoint, url_for(endpoint), str(by_endpoint[endpoint].label))
                for endpoint in visible_endpoints(app, held, section)
            )

        found = Navigation(entries("main"), entries("admin"))
        kept[key] = found
    return found


def page_guide(endpoint: str | None) -> PageGuide | None:
    """The guide of the page ``endpoint`` renders, translated (None when the page has none)."""
    guide: Guide | None = guide_for(endpoint)
    if guide is None:
        return None
    kept = _kept(current_app)
    key = ("guide", _locale(), endpoint)
    found = kept.get(key)
    if found is None:
        found = PageGuide(str(guide.purpose), str(guide.next_actor), str(guide.basis))
        kept[key] = found
    return found

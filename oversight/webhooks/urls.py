"""Which URLs an endpoint may have: https, or http only to this machine (loopback) or when the
``WEBHOOK_ALLOW_HTTP`` setting allows it; no user name or password in the URL."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

MAX_LENGTH = 500


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_refusal(url: str, *, allow_http: bool) -> object | None:
    """Why ``url`` cannot be an endpoint's URL (a translated message), or None."""
    url = (url or "").strip()
    if not url:
        return _l("Enter the URL.")
    if len(url) > MAX_LENGTH:
        return _l("The URL is longer than %(max)d characters.", max=MAX_LENGTH)
    if any(character.isspace() or ord(character) < 32 for character in url):
        return _l("The URL cannot contain spaces.")
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        return _l("This is not a valid URL.")
    if parts.scheme not in ("https", "http") or not host:
        return _l("Enter a URL starting with https://.")
    if parts.username is not None or parts.password is not None:
        return _l("Do not put a user name or password in the URL; the deliveries are signed with the secret.")
    if parts.fragment:
        return _l("The URL cannot have a fragment (#…).")
    if parts.scheme == "http" and not (allow_http or is_loopback(host)):
        return _l("Use https://. Plain http:// is allowed only to this machine (localhost).")
    return None

"""Template filters and the values every template can use."""

from datetime import date, datetime
from urllib.parse import urlencode

from flask import Flask, current_app, request, url_for
from flask_babel import format_number, get_locale
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from oversight.activity.actions import action_label, object_type_label
from oversight.auth.roles import LANGUAGE_LABELS, ROLE_LABELS
from oversight.core.timeutil import to_local
from oversight.web.layout import links, navigation, page_guide


def format_date(value: date | datetime | None) -> str:
    """``2026-11-26``: the one date format of the UI."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return value.isoformat()


def format_datetime(value: datetime | None) -> str:
    """``2026-11-26 08:30`` in the app's time zone."""
    if value is None:
        return ""
    return to_local(value).strftime("%Y-%m-%d %H:%M")


def current_query(**changes) -> str:
    """The current page's query string (``?…``, or "" when empty) with some parameters replaced or removed (None).

    Built here rather than passed to ``url_for`` as keywords: a visitor's ``endpoint=``, ``values=``,
    ``_method=``, ``_external=`` or a parameter also given in ``changes`` would clash with ``url_for``'s
    own arguments (a TypeError, so a 500) or change what it builds.
    """
    args = MultiDict(_page_args())
    for key, value in changes.items():
        if value is None:
            args.poplist(key)
        else:
            args.setlist(key, [value])
    return f"?{urlencode(list(args.items(multi=True)))}" if args else ""


def _page_args() -> tuple[tuple[str, str], ...]:
    """The current page's query parameters, read once per request (a list page asks ~20 times)."""
    found = getattr(request, "_oversight_page_args", None)
    if found is None:
        # "_external", "_anchor"… are url_for options, never a list's filter: not passed on.
        found = tuple((key, value) for key, value in request.args.items(multi=True) if not key.startswith("_"))
        request._oversight_page_args = found
    return found


def _page_url() -> str:
    """The current page's URL without its query, built once per request."""
    found = getattr(request, "_oversight_page_url", None)
    if found is None:
        found = url_for(request.endpoint, **(request.view_args or {}))
        request._oversight_page_url = found
    return found


_ID_PLACEHOLDER = 918273645


def url_prefix(endpoint: str, key: str, **values) -> str:
    """``url_for(endpoint, **{key: id}, **values)`` without the id at its end, built once for a list's rows.

    A table of 50 rows linking each to its record called ``url_for`` 50–100 times (a route match each);
    the template appends the id instead: ``{% set detail = url_prefix('contracts.detail', 'contract_id') %}``
    then ``{{ detail ~ contract.id }}``. Only for routes whose id comes last (no anchor or query after it).
    """
    url = url_for(endpoint, **{key: _ID_PLACEHOLDER}, **values)
    if not url.endswith(str(_ID_PLACEHOLDER)):
        raise ValueError(f"{endpoint}: {key} is not at the end of {url}")
    return url.removesuffix(str(_ID_PLACEHOLDER))


def url_with(**changes) -> str:
    """The current page's URL with some query parameters replaced (for sort and pagination links)."""
    return _page_url() + current_query(**changes)


def init_templating(app: Flask) -> None:
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(action_label, "action_label")
    app.add_template_filter(object_type_label, "object_type_label")
    app.add_template_filter(format_number, "number")  # 10,000: grouped as the locale groups digits
    app.add_template_global(url_with)
    app.add_template_global(url_prefix)
    app.add_template_global(current_query)

    @app.context_processor
    def layout_values() -> dict:
        # The navigation, fixed links and guide are built once per language, mount point and role set
        # (``web.layout``: constant text, no data).
        signed_in = current_user.is_authenticated
        nav = navigation(current_user.roles) if signed_in else None
        return {
            "company_name": current_app.config["COMPANY_NAME"],
            "current_locale": str(get_locale()),
            "language_labels": LANGUAGE_LABELS,
            "role_labels": ROLE_LABELS,
            "layout_links": links(),
            "main_nav": nav.main if nav else (),
            "admin_nav": nav.admin if nav else (),
            "page_guide": page_guide(request.endpoint) if signed_in else None,
        }

"""Locale and time-zone selection for Flask-Babel."""

from typing import Any

from flask import Flask, current_app, has_request_context, session
from flask.json.tag import JSONTag
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import Markup, escape

from oversight.extensions import babel


def select_locale() -> str:
    """The signed-in user's language; otherwise the visitor's choice; otherwise Japanese."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and jobs choose their language explicitly
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    chosen = session.get("language")
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["TIMEZONE"]


class TagLazyString(JSONTag):
    """Store a lazy translation in the session as the plain text it translates to.

    Without this, Flask's session serializer sees ``__html__`` on a lazy string and
    stores it as Markup, so a flashed ``_l("… %(name)s", name=…)`` would be shown
    unescaped.
    """

    __slots__ = ()
    key = None

    def check(self, value: Any) -> bool:
        return isinstance(value, LazyString)

    def tag(self, value: Any) -> Any:
        return self.serializer.tag(str(value))


def lazy_string_html(lazy: LazyString) -> Markup:
    """A lazy translation in HTML: its text, escaped.

    Flask-Babel's ``LazyString.__html__`` returns the text as it is, so Jinja, WTForms (labels,
    options, errors) and ``Markup.format`` took every ``_l("… %(name)s", name=…)`` for safe HTML,
    and a name or checklist code holding markup was rendered as markup. Our messages hold no markup,
    so escaping them is always right; plain ``str()`` (e-mail, CSV, PDF, the log) is unchanged.
    """
    return escape(str(lazy))


def init_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    LazyString.__html__ = lazy_string_html  # type: ignore[method-assign]
    serializer = app.session_interface.serializer  # type: ignore[attr-defined]
    if not any(isinstance(tag, TagLazyString) for tag in serializer.order):
        serializer.register(TagLazyString, index=0)

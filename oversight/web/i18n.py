"""Locale and time-zone selection for Flask-Babel."""

from flask import Flask, current_app, session
from flask_login import current_user

from oversight.extensions import babel


def select_locale() -> str:
    """The signed-in user's language; otherwise the visitor's choice; otherwise Japanese."""
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    chosen = session.get("language")
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["TIMEZONE"]


def init_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)

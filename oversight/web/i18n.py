"""Locale and time-zone selection for Flask-Babel, and the compiled catalogues it reads."""

import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, g, has_request_context, request, session
from flask.json.tag import JSONTag
from flask_babel import Domain, get_locale
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import Markup, escape

from oversight.extensions import babel


def select_locale() -> str:
    """The signed-in user's language; otherwise the visitor's choice; otherwise Japanese."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and jobs choose their language explicitly
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if request.blueprint == "api":  # no session there: the client says which language it reads
        return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
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


log = logging.getLogger(__name__)


class RequestDomain(Domain):
    """Flask-Babel's message domain, with the catalogue looked up once per request and locale.

    Every ``gettext`` (templates' ``_()``, ``str()`` of a lazy string, a form label) asked Flask-Babel's
    ``get_translations``, which walks the request context twice, the extension and the locale's name to
    find the same catalogue again: a page translates 50–200 strings. The catalogue found is kept on ``g``
    beside the locale object it belongs to; ``force_locale`` and ``refresh`` set a new locale object, which
    looks it up anew. The catalogues themselves are Flask-Babel's (loaded once per process as before).
    """

    def get_translations(self):
        locale = get_locale()
        if locale is None:  # outside a request and application context
            return super().get_translations()
        kept = g.get("_oversight_catalogue")
        if kept is not None and kept[0] is locale and kept[1] is self:
            return kept[2]
        translations = super().get_translations()
        g._oversight_catalogue = (locale, self, translations)
        return translations


def translation_directories(app: Flask) -> list[Path]:
    """Where Flask-Babel looks for catalogues (``BABEL_TRANSLATION_DIRECTORIES``, relative to the app)."""
    setting = app.config.get("BABEL_TRANSLATION_DIRECTORIES", "translations")
    return [Path(app.root_path, directory) for directory in setting.split(";")]


def compile_catalogues(directory: Path) -> list[Path]:
    """Compile each ``messages.po`` under ``directory`` whose ``messages.mo`` is missing or older.

    The compiled catalogues are not kept in git, and a Japanese office must never see the English
    UI because a deployment path (``flask db upgrade``, gunicorn, ``make demo``) skipped
    ``pybabel compile``: the app compiles what is stale when it starts. Each file is written to a
    temporary name and renamed, so workers starting together never read half a catalogue.
    Returns the catalogues written; one that cannot be written (a read-only install) is logged.
    """
    written = []
    for po_path in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        try:
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, locale=po_path.parent.parent.name)
            handle, temporary = tempfile.mkstemp(dir=po_path.parent, suffix=".mo.tmp")
            try:
                with os.fdopen(handle, "wb") as mo_file:
                    write_mo(mo_file, catalog)
                os.replace(temporary, mo_path)
            finally:
                if os.path.exists(temporary):
                    os.unlink(temporary)
        except OSError as error:
            log.warning("Could not compile %s (%s): run `make translations` or `pybabel compile`.", po_path, error)
            continue
        written.append(mo_path)
    return written


def lazy_string_html(lazy: LazyString) -> Markup:
    """A lazy translation in HTML: its text, escaped.

    Flask-Babel's ``LazyString.__html__`` returns the text as it is, so Jinja, WTForms (labels,
    options, errors) and ``Markup.format`` took every ``_l("… %(name)s", name=…)`` for safe HTML,
    and a name or checklist code holding markup was rendered as markup. Our messages hold no markup,
    so escaping them is always right; plain ``str()`` (e-mail, CSV, PDF, the log) is unchanged.
    """
    return escape(str(lazy))


def init_i18n(app: Flask) -> None:
    for directory in translation_directories(app):
        compile_catalogues(directory)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    if not isinstance(babel.__dict__.get("domain_instance"), RequestDomain):  # one per process, as Flask-Babel's
        babel.domain_instance = RequestDomain(domain=app.config.get("BABEL_DOMAIN", "messages"))
    LazyString.__html__ = lazy_string_html  # type: ignore[method-assign]
    serializer = app.session_interface.serializer  # type: ignore[attr-defined]
    if not any(isinstance(tag, TagLazyString) for tag in serializer.order):
        serializer.register(TagLazyString, index=0)

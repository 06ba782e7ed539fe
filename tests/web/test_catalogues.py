"""The Japanese catalogue is compiled when the app starts, whatever path started it (issue #18, item 1)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from babel.support import Translations

from oversight import config as app_config
from oversight import create_app
from oversight.web.i18n import compile_catalogues

SOURCE = Path(__file__).resolve().parents[2] / "oversight" / "translations"


def _copy_sources(target: Path) -> Path:
    """The catalogue sources (.po) alone, as a fresh clone has them."""
    for po_path in SOURCE.glob("*/LC_MESSAGES/messages.po"):
        destination = target / po_path.relative_to(SOURCE)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(po_path, destination)
    return target


def test_a_missing_catalogue_is_compiled(tmp_path):
    directory = _copy_sources(tmp_path)
    written = compile_catalogues(directory)
    assert written == [directory / "ja" / "LC_MESSAGES" / "messages.mo"]
    translations = Translations.load(str(directory), ["ja"])
    assert translations.gettext("Sign in") != "Sign in"
    assert compile_catalogues(directory) == []  # up to date: nothing written


def test_a_catalogue_older_than_its_source_is_compiled_again(tmp_path):
    directory = _copy_sources(tmp_path)
    compile_catalogues(directory)
    mo_path = directory / "ja" / "LC_MESSAGES" / "messages.mo"
    po_path = mo_path.with_suffix(".po")
    old = po_path.stat().st_mtime - 60
    os.utime(mo_path, (old, old))
    assert compile_catalogues(directory) == [mo_path]


def test_the_app_started_without_compiled_catalogues_speaks_japanese(tmp_path, database_url):
    directory = _copy_sources(tmp_path / "translations")
    config = app_config.TestConfig(database_url, UPLOAD_FOLDER=str(tmp_path / "uploads"))
    config.BABEL_TRANSLATION_DIRECTORIES = str(directory)
    application = create_app(config)
    page = application.test_client().get("/auth/login").get_data(as_text=True)
    assert 'lang="ja"' in page
    assert "ログイン" in page

"""Japanese by default, English per user or per visitor; the catalog is complete."""

from pathlib import Path

from babel.messages.pofile import read_po

from oversight.auth.models import User
from oversight.extensions import db

CATALOG = Path(__file__).resolve().parents[2] / "oversight" / "translations" / "ja" / "LC_MESSAGES" / "messages.po"


def test_japanese_catalog_has_no_empty_or_fuzzy_translation():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="ja")
    empty = [message.id for message in catalog if message.id and not _translated(message.string)]
    fuzzy = [message.id for message in catalog if message.id and message.fuzzy]
    assert empty == [], f"untranslated msgids (add them with tools/po_fill.py): {empty}"
    assert fuzzy == [], f"fuzzy msgids (check and clear the flag): {fuzzy}"


def test_every_message_of_the_code_is_in_the_japanese_catalog(tmp_path):
    """The catalog was updated after the code changed: a msgid only in the code shows in English."""
    import subprocess
    import sys

    root = CATALOG.parents[4]
    template = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run(  # as `make i18n` extracts
        [str(pybabel), "-q", "extract", "-F", "babel.cfg", "--ignore-dirs=.* .venv __pycache__ node_modules",
         "-k", "_l", "-k", "lazy_gettext", "--no-location", "-o", str(template), "."],
        cwd=root, check=True, capture_output=True,
    )
    with template.open("rb") as handle:
        extracted = {message.id for message in read_po(handle) if message.id}
    with CATALOG.open("rb") as handle:
        catalog = {message.id for message in read_po(handle, locale="ja") if message.id}
    missing = sorted(str(message) for message in extracted - catalog)
    assert missing == [], f"run make i18n and translate (tools/po_fill.py): {missing}"


def _translated(string) -> bool:
    if isinstance(string, tuple | list):
        return all(string)
    return bool(string)


def test_sign_in_page_is_japanese_by_default(client):
    html = client.get("/auth/login").get_data(as_text=True)
    assert '<html lang="ja">' in html
    assert "ログイン" in html


def test_visitor_switches_the_sign_in_page_to_english_and_back(client):
    response = client.post("/auth/language", data={"language": "en", "next": "/auth/login?"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
    html = client.get("/auth/login").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Sign in" in html
    assert "ログイン" not in html
    client.post("/auth/language", data={"language": "ja"})
    assert "ログイン" in client.get("/auth/login").get_data(as_text=True)


def test_unknown_language_is_ignored(client):
    response = client.post("/auth/language", data={"language": "xx", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    assert '<html lang="ja">' in client.get("/auth/login").get_data(as_text=True)


def test_user_with_english_sees_english(client, login_as):
    login_as("viewer", language="en", name="Emily")
    html = client.get("/dashboard").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Welcome, Emily." in html
    assert "Sign out" in html
    assert "ログアウト" not in html


def test_user_with_japanese_sees_japanese_even_after_an_english_visitor_choice(client, login_as):
    client.post("/auth/language", data={"language": "en"})
    login_as("viewer", language="ja")
    html = client.get("/dashboard").get_data(as_text=True)
    assert '<html lang="ja">' in html
    assert "ようこそ" in html


def test_signed_in_user_changes_language_from_the_menu(client, login_as, app):
    user = login_as("viewer", language="ja")
    response = client.post("/auth/language", data={"language": "en", "next": "/dashboard?"})
    assert response.status_code == 302
    assert "Welcome" in client.get("/dashboard").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user.id).language == "en"


def test_messages_after_sign_out_are_in_the_users_language(client, login_as):
    login_as("viewer", language="en")
    client.post("/auth/logout")
    html = client.get("/auth/login").get_data(as_text=True)
    assert "You have signed out." in html


def test_sign_in_page_after_sign_out_stays_in_the_users_language(client, login_as):
    login_as("viewer", language="en")
    client.post("/auth/logout")
    assert '<html lang="en">' in client.get("/auth/login").get_data(as_text=True)

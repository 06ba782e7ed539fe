"""Rendering one recipient's digest e-mail, in the recipient's language."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple, Protocol

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup

from oversight.core import registry
from oversight.core.due import title_text
from oversight.core.i18n import Translate, translator


class Addressee(Protocol):
    """Whom a digest is for: a User, or a row of the columns the digest reads."""

    name: str
    language: str


class DigestEntry(NamedTuple):
    """One line of a digest: what falls due, when, and where to act on it.

    A named tuple, not a dataclass: a sweep makes and hashes (``DigestRenderer``'s key) one per reminder,
    ~20,000 on a day after the first sweep, and a tuple's are made and hashed in C."""

    kind: str
    title: str
    due_on: date
    url_path: str
    is_escalation: bool = False


@dataclass(frozen=True, slots=True)
class DigestLine:
    """One line as the line templates show it (an object, not a dict: Jinja reads attributes faster)."""

    title: str
    due_on: str
    lateness: str
    is_late: bool
    is_escalation: bool
    url: str


@dataclass(frozen=True, slots=True)
class LineLabels:
    """The words of a line template, translated once per language and sweep (not once per line: each
    ``gettext`` looks the catalogue up again). HTML: ``Markup``, as the templates' ``_()`` gives them."""

    escalated: str
    due_date: str


class _Language:
    """What the lines of one language share: its catalogue, the line templates' words and each lateness."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.translate = _ = translator()
        self.text_labels = LineLabels(escalated=_("Escalated"), due_date=_("Due date"))
        self.html_labels = LineLabels(
            escalated=Markup(self.text_labels.escalated), due_date=Markup(self.text_labels.due_date)
        )
        self._lateness: dict[date, str] = {}

    def lateness(self, due_on: date) -> str:
        found = self._lateness.get(due_on)
        if found is None:
            found = self._lateness[due_on] = lateness(due_on, self.today, self.translate)
        return found


@dataclass(frozen=True, slots=True)
class RenderedLine:
    """One line of a digest, rendered: its text and its HTML (a table row)."""

    text: str
    html: Markup


@dataclass(frozen=True)
class RenderedDigest:
    subject: str
    text: str
    html: str


class DigestRenderer:
    """Renders the digests of one sweep, each distinct line once per language.

    Most lines are shared between digests (an overdue audit goes to every auditor, a review waiting
    to every member of legal), so a sweep's 20,000 lines hold about 1,000 distinct ones: each is
    rendered (and its lateness translated) once, then only joined into every digest that holds it.
    """

    def __init__(self, today: date) -> None:
        self.today = today
        self._lines: dict[tuple[str, DigestEntry], RenderedLine] = {}
        self._languages: dict[str, _Language] = {}

    def render(self, user: Addressee, entries: Iterable[DigestEntry]) -> RenderedDigest:
        """Subject, text and HTML of ``user``'s digest of ``entries`` as seen on ``today``."""
        entries = list(entries)
        language = user.language if user.language in current_app.config["LANGUAGES"] else "ja"
        today = self.today.isoformat()
        with force_locale(language):
            context = {
                "user": user,
                "today": today,
                "sections": self._sections(entries, language),
                "company_name": current_app.config["COMPANY_NAME"],
                "base_url": current_app.config["BASE_URL"],
                "lang": language,
            }
            subject = _("[Oversight] %(count)d reminders as of %(date)s", count=len(entries), date=today)
            # The Jinja environment directly: e-mails have no request, so no layout context processors.
            env = current_app.jinja_env
            text = env.get_template("emails/reminders/digest.txt").render(context)
            html = env.get_template("emails/reminders/digest.html").render(context)
        return RenderedDigest(subject=subject, text=text, html=html)

    def _sections(self, entries: list[DigestEntry], language: str) -> list[dict]:
        by_kind: dict[str, list[DigestEntry]] = {}
        for entry in entries:
            by_kind.setdefault(entry.kind, []).append(entry)
        features = registry.current()
        kinds = sorted(by_kind, key=lambda kind: (features.kind_order(kind), kind))
        words = self._languages.get(language)
        if words is None:  # inside the language's force_locale: the catalogue looked up once per sweep
            words = self._languages[language] = _Language(self.today)
        sections = []
        for kind in kinds:
            lines = sorted(by_kind[kind], key=lambda entry: (not entry.is_escalation, entry.due_on, entry.title))
            items = [self._line(entry, language, words) for entry in lines]
            sections.append({"label": features.kind_label(kind), "items": items})
        return sections

    def _line(self, entry: DigestEntry, language: str, words: _Language) -> RenderedLine:
        """``entry`` rendered in ``language`` (the current locale); rendered once per sweep."""
        key = (language, entry)
        line = self._lines.get(key)
        if line is None:
            item = DigestLine(
                title=title_text(entry.title, words.translate),
                due_on=entry.due_on.isoformat(),
                lateness=words.lateness(entry.due_on),
                is_late=entry.due_on < self.today,
                is_escalation=entry.is_escalation,
                url=absolute_url(entry.url_path),
            )
            env = current_app.jinja_env
            line = RenderedLine(
                text=env.get_template("emails/reminders/line.txt").render(item=item, labels=words.text_labels),
                html=Markup(
                    env.get_template("emails/reminders/line.html").render(item=item, labels=words.html_labels)
                ),
            )
            self._lines[key] = line
        return line


def render_digest(user: Addressee, entries: Iterable[DigestEntry], today: date) -> RenderedDigest:
    """Subject, text and HTML of ``user``'s digest of ``entries`` as seen on ``today`` (one digest alone)."""
    return DigestRenderer(today).render(user, entries)


def lateness(due_on: date, today: date, _: Translate = _) -> str:
    """``Days overdue: 3`` / ``Due today`` / ``Days left: 7`` in the current language (``_``: its ``gettext``)."""
    days = (today - due_on).days
    if days > 0:
        return _("Days overdue: %(days)d", days=days)
    if days == 0:
        return _("Due today")
    return _("Days left: %(days)d", days=-days)


def absolute_url(url_path: str) -> str:
    if url_path.startswith(("http://", "https://")):
        return url_path
    return current_app.config["BASE_URL"] + "/" + url_path.lstrip("/")

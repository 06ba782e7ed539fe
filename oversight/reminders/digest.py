"""Rendering one recipient's digest e-mail, in the recipient's language."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from oversight.auth.models import User
from oversight.core import registry


@dataclass(frozen=True)
class DigestEntry:
    """One line of a digest: what falls due, when, and where to act on it."""

    kind: str
    title: str
    due_on: date
    url_path: str
    is_escalation: bool = False


@dataclass(frozen=True, slots=True)
class DigestLine:
    """One line as the templates show it (an object, not a dict: Jinja reads attributes faster)."""

    title: str
    due_on: str
    lateness: str
    is_late: bool
    is_escalation: bool
    url: str


@dataclass(frozen=True)
class RenderedDigest:
    subject: str
    text: str
    html: str


def render_digest(user: User, entries: Iterable[DigestEntry], today: date) -> RenderedDigest:
    """Subject, text and HTML of ``user``'s digest of ``entries`` as seen on ``today``."""
    entries = list(entries)
    language = user.language if user.language in current_app.config["LANGUAGES"] else "ja"
    with force_locale(language):
        context = {
            "user": user,
            "today": today.isoformat(),
            "sections": _sections(entries, today),
            "company_name": current_app.config["COMPANY_NAME"],
            "base_url": current_app.config["BASE_URL"],
            "lang": language,
        }
        subject = _("[Oversight] %(count)d reminders as of %(date)s", count=len(entries), date=today.isoformat())
        # The Jinja environment directly: e-mails have no request, so no layout context processors.
        env = current_app.jinja_env
        text = env.get_template("emails/reminders/digest.txt").render(context)
        html = env.get_template("emails/reminders/digest.html").render(context)
    return RenderedDigest(subject=subject, text=text, html=html)


def lateness(due_on: date, today: date) -> str:
    """``Days overdue: 3`` / ``Due today`` / ``Days left: 7`` in the current language."""
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


def _sections(entries: list[DigestEntry], today: date) -> list[dict]:
    by_kind: dict[str, list[DigestEntry]] = {}
    for entry in entries:
        by_kind.setdefault(entry.kind, []).append(entry)
    features = registry.current()
    kinds = sorted(by_kind, key=lambda kind: (features.kind_order(kind), kind))
    # Translated once per due date, not once per line: a first sweep's digest can hold thousands.
    lateness_of: dict[date, str] = {}
    sections = []
    for kind in kinds:
        lines = sorted(by_kind[kind], key=lambda entry: (not entry.is_escalation, entry.due_on, entry.title))
        items = []
        for entry in lines:
            if entry.due_on not in lateness_of:
                lateness_of[entry.due_on] = lateness(entry.due_on, today)
            items.append(DigestLine(
                title=entry.title,
                due_on=entry.due_on.isoformat(),
                lateness=lateness_of[entry.due_on],
                is_late=entry.due_on < today,
                is_escalation=entry.is_escalation,
                url=absolute_url(entry.url_path),
            ))
        sections.append({"label": features.kind_label(kind), "items": items})
    return sections

"""The personal iCalendar feed: random tokens stored as SHA-256, and the .ics built from the due dates."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, timedelta

from icalendar import Calendar, Event

from oversight.activity import services as activity
from oversight.auth.models import User
from oversight.dashboard.due import due_entries
from oversight.dashboard.models import CalendarToken
from oversight.extensions import db

FEED_PAST_DAYS = 30
FEED_FUTURE_DAYS = 365


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def active_token(user: User) -> CalendarToken | None:
    """The user's token in use, if any."""
    query = db.select(CalendarToken).where(CalendarToken.user_id == user.id, CalendarToken.revoked_at.is_(None))
    return db.session.scalar(query.order_by(CalendarToken.id.desc()))


def _revoke_all(user: User, now: datetime) -> list[CalendarToken]:
    tokens = list(
        db.session.scalars(
            db.select(CalendarToken).where(CalendarToken.user_id == user.id, CalendarToken.revoked_at.is_(None))
        )
    )
    for token in tokens:
        token.revoked_at = now
    return tokens


def create_token(user: User, *, actor: User, now: datetime) -> str:
    """A new feed token for ``user`` (any earlier one stops working); returns the token, shown once."""
    replaced = _revoke_all(user, now)
    token = secrets.token_urlsafe(32)
    record = CalendarToken(user_id=user.id, token_hash=hash_token(token), created_at=now)
    db.session.add(record)
    db.session.flush()
    activity.record(
        "calendar_feed.regenerate" if replaced else "calendar_feed.create",
        actor=actor,
        target=record,
        summary=user.email,
    )
    return token


def revoke_token(user: User, *, actor: User, now: datetime) -> bool:
    """Stop the user's feed; False when there was none."""
    tokens = _revoke_all(user, now)
    for token in tokens:
        activity.record("calendar_feed.revoke", actor=actor, target=token, summary=user.email)
    return bool(tokens)


def user_for_token(token: str) -> User | None:
    """The active user whose feed ``token`` is still valid, or None."""
    if not token or len(token) > 100:
        return None
    query = (
        db.select(User)
        .join(CalendarToken, CalendarToken.user_id == User.id)
        .where(CalendarToken.token_hash == hash_token(token), CalendarToken.revoked_at.is_(None))
    )
    user = db.session.scalar(query)
    return user if user is not None and user.is_active else None


def feed_ics(user: User, today: date, *, base_url: str, now: datetime) -> bytes:
    """The feed: every dated duty from a month ago to a year ahead, one all-day event each."""
    calendar = Calendar()
    calendar.add("prodid", "-//Oversight//委託先監督トラッカー//JA")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Oversight — {user.name}")
    entries = due_entries(
        today, start=today - timedelta(days=FEED_PAST_DAYS), end=today + timedelta(days=FEED_FUTURE_DAYS)
    )
    for entry in entries:
        event = Event()
        event.add("uid", entry.uid)
        event.add("dtstamp", now)
        event.add("dtstart", entry.due_on)
        event.add("dtend", entry.due_on + timedelta(days=1))
        event.add("summary", f"{entry.kind_label}: {entry.title}")
        url = base_url.rstrip("/") + entry.url_path
        event.add("url", url)
        event.add("description", f"{entry.vendor_name}\n{url}")
        calendar.add_component(event)
    return calendar.to_ical()

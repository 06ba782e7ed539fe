"""Sending reminders: record what the rules report, then send one digest per recipient.

``send_due_reminders`` and ``retry_failed`` are job boundaries, not ordinary services: they
commit after recording and after every digest, because an e-mail that went out cannot be
rolled back with a transaction, and its row must say so at once.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Select, update
from sqlalchemy.orm import joinedload

from oversight import email
from oversight.activity import services as activity
from oversight.auth.models import User
from oversight.core import registry
from oversight.core.due import DueItem, collect_due
from oversight.core.timeutil import to_local
from oversight.extensions import db
from oversight.reminders import storage
from oversight.reminders.digest import DigestEntry, DigestRenderer, RenderedDigest, render_digest
from oversight.reminders.models import (
    FAILED,
    IDENTITY_COLUMNS,
    LOGGED,
    PENDING,
    SENT,
    UNSENT_STATUSES,
    ReminderLog,
)

log = logging.getLogger(__name__)

LEASE_NAME = "reminders.send"
# Longer than any sweep should take; a crashed sweep's lease lapses after it.
LEASE_TTL = timedelta(hours=1)
WOULD_SEND = "would send"


@dataclass
class DigestOutcome:
    """What happened to one recipient's digest."""

    recipient_id: int
    email: str
    status: str  # sent | logged | failed | would send
    entries: list[DigestEntry] = field(default_factory=list)
    error: str | None = None


@dataclass
class SweepResult:
    """What one run did (or, for a dry run, would do)."""

    today: date
    new_rows: int = 0
    digests: list[DigestOutcome] = field(default_factory=list)
    is_skipped: bool = False  # another run held the lease
    is_dry_run: bool = False
    rule_errors: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[DigestOutcome]:
        return [digest for digest in self.digests if digest.status == FAILED]

    @property
    def reminder_count(self) -> int:
        return sum(len(digest.entries) for digest in self.digests if digest.status != FAILED)


def send_due_reminders(today: date, now: datetime, dry_run: bool = False) -> SweepResult:
    """Record every reminder the rules report for ``today`` and send every unsent one that is due.

    Safe to run twice, or in two processes at once: rows are inserted only if absent, a lease
    lets one run at a time send, and on PostgreSQL rows are claimed with FOR UPDATE SKIP LOCKED.
    """
    if dry_run:
        return preview_sweep(today, now)
    holder = _holder_name()
    if not storage.acquire_lease(LEASE_NAME, holder, now, LEASE_TTL):
        return SweepResult(today=today, is_skipped=True)
    try:
        rule_errors: list[str] = []
        new_rows = record_due(collect_due(db.session, today, registry.current().reminder_rules(), rule_errors), now)
        db.session.commit()
        result = deliver_pending(today, now)
        result.new_rows = new_rows
        result.rule_errors = rule_errors
        return result
    finally:
        db.session.rollback()
        storage.release_lease(LEASE_NAME, holder)


def retry_failed(now: datetime, recipient_ids: Iterable[int] | None = None) -> SweepResult:
    """Send the pending and failed reminders whose retry time has come (the 15-minute job)."""
    today = to_local(now).date()
    holder = _holder_name()
    if not storage.acquire_lease(LEASE_NAME, holder, now, LEASE_TTL):
        return SweepResult(today=today, is_skipped=True)
    try:
        return deliver_pending(today, now, recipient_ids=recipient_ids)
    finally:
        db.session.rollback()
        storage.release_lease(LEASE_NAME, holder)


def record_due(items: Iterable[DueItem], now: datetime) -> int:
    """Insert a pending row for each (item, enabled recipient) not yet in the log; the count inserted."""
    items = list(items)
    enabled = _enabled_recipients(items)
    # Rows already logged are skipped with one query instead of one conflicting INSERT each (a daily sweep
    # re-finds every open item); insert_if_absent still guards the new ones against a racing writer.
    known = _known_identities(items)
    rows = []
    for item in items:
        for recipient_id in sorted(item.recipients & enabled):
            identity = _identity(item, recipient_id)
            if identity in known:
                continue
            known.add(identity)  # two rules reporting the same reminder insert it once
            rows.append(_row_values(item, recipient_id, now))
    # In the order the digests read and update them (recipient, then due date), so each digest's
    # rows lie together on disk: updating a first sweep's rows scattered over the table took 4× longer.
    rows.sort(key=lambda row: (row["recipient_id"], row["due_on"]))
    # One statement (PostgreSQL) or one executemany (SQLite) of INSERT … ON CONFLICT DO NOTHING: a first
    # sweep over a large register logs tens of thousands of rows, which one statement each made slow.
    return storage.insert_many_if_absent(ReminderLog.__table__, rows, IDENTITY_COLUMNS)


def deliver_pending(today: date, now: datetime, recipient_ids: Iterable[int] | None = None) -> SweepResult:
    """Send one digest to each recipient with unsent reminders due by ``now``; commits per digest."""
    due = db.select(ReminderLog.recipient_id).where(
        ReminderLog.status.in_(UNSENT_STATUSES), ReminderLog.next_attempt_at <= now
    )
    if recipient_ids is not None:
        due = due.where(ReminderLog.recipient_id.in_(list(recipient_ids)))
    # Name, address and language of each recipient, as plain rows: ORM objects would be expired by the
    # commit after each digest and read again, one query each.
    recipients = db.session.execute(
        db.select(User.id, User.name, User.email, User.language)
        .where(User.id.in_(due), User.is_enabled)
        .order_by(User.id)
    ).all()
    db.session.commit()
    result = SweepResult(today=today)
    # One SMTP connection for all the digests of this run (each still recorded as sent only once the
    # server has accepted it, and committed at once), and each distinct line rendered once.
    renderer = DigestRenderer(today)
    with email.Mailer() as mailer:
        for recipient in recipients:
            outcome = _deliver_to(mailer, renderer, recipient, now)
            db.session.commit()
            if outcome is not None:
                result.digests.append(outcome)
    return result


def _deliver_to(mailer: email.Mailer, renderer: DigestRenderer, user, now: datetime) -> DigestOutcome | None:
    """Send ``user`` (a row of id, name, email, language) the digest of their unsent reminders due by ``now``."""
    # Rows another sweep is sending right now are locked: skip them rather than wait and resend.
    # Plain columns, not ORM objects: a first sweep's digest can hold thousands of rows.
    rows = db.session.execute(
        db.select(*_DELIVERY_COLUMNS)
        .where(ReminderLog.recipient_id == user.id, ReminderLog.status.in_(UNSENT_STATUSES),
               ReminderLog.next_attempt_at <= now)
        .order_by(ReminderLog.due_on, ReminderLog.id)
        .with_for_update(skip_locked=True)
    ).all()
    if not rows:
        return None
    entries = [_entry(row) for row in rows]
    outcome = DigestOutcome(recipient_id=user.id, email=user.email, status=FAILED, entries=entries)
    try:
        digest = renderer.render(user, entries)
        delivery = mailer.send([(user.name, user.email)], digest.subject, digest.text, digest.html)
    except Exception as exc:  # one recipient's failure must not stop the others
        log.warning("Reminder digest to %s failed: %s", user.email, exc, exc_info=not isinstance(exc, email.EmailError))
        outcome.error = f"{type(exc).__name__}: {exc}" if not isinstance(exc, email.EmailError) else str(exc)
        _mark_failed(rows, outcome.error, now)
        return outcome
    outcome.status = LOGGED if delivery == email.LOGGED else SENT
    _mark_sent(rows, outcome.status, now)
    return outcome


_DELIVERY_COLUMNS = (
    ReminderLog.id,
    ReminderLog.attempts,
    ReminderLog.kind,
    ReminderLog.title,
    ReminderLog.due_on,
    ReminderLog.url_path,
    ReminderLog.is_escalation,
)
# Ids per UPDATE statement: well below every engine's limit on bound parameters.
_UPDATE_CHUNK = 500
# The table, not the ORM class: plain UPDATEs by id, without the ORM's session synchronisation (the
# caller commits at once, which expires any row objects loaded in the session).
_LOG = ReminderLog.__table__


def _mark_sent(rows: list, status: str, now: datetime) -> None:
    """One digest's rows sent: a few set-based UPDATEs by id (the caller commits)."""
    values = {
        "status": status,
        "attempts": _LOG.c.attempts + 1,
        "last_attempt_at": now,
        "sent_at": now,
        "last_error": None,
        "digest_id": uuid.uuid4().hex,
    }
    _update_by_id([row.id for row in rows], values)


def _mark_failed(rows: list, error: str, now: datetime) -> None:
    """One digest's rows failed: retried later, with a back-off that grows with each row's attempts."""
    by_attempts: dict[int, list[int]] = {}
    for row in rows:
        by_attempts.setdefault(row.attempts + 1, []).append(row.id)
    for attempts, ids in sorted(by_attempts.items()):
        values = {
            "status": FAILED,
            "attempts": attempts,
            "last_attempt_at": now,
            "last_error": error[:2000],
            "next_attempt_at": now + retry_delay(attempts),
        }
        _update_by_id(ids, values)


def _update_by_id(ids: list[int], values: dict) -> None:
    for start in range(0, len(ids), _UPDATE_CHUNK):
        db.session.execute(update(_LOG).where(_LOG.c.id.in_(ids[start:start + _UPDATE_CHUNK])).values(**values))


def retry_delay(attempts: int) -> timedelta:
    """Wait 10 minutes after the first failure, doubling up to 6 hours; never give up."""
    return min(timedelta(minutes=10) * 2 ** max(attempts - 1, 0), timedelta(hours=6))


def preview_sweep(today: date, now: datetime) -> SweepResult:
    """What ``send_due_reminders`` would send now, without writing anything."""
    result = SweepResult(today=today, is_dry_run=True)
    by_recipient = pending_entries(today, now, errors=result.rule_errors)
    users = {user.id: user for user in db.session.scalars(db.select(User).where(User.id.in_(by_recipient)))}
    for recipient_id in sorted(by_recipient):
        user = users[recipient_id]
        result.digests.append(DigestOutcome(recipient_id, user.email, WOULD_SEND, by_recipient[recipient_id]))
    return result


def pending_entries(
    today: date, now: datetime, recipient_id: int | None = None, errors: list[str] | None = None
) -> dict[int, list[DigestEntry]]:
    """The entries each enabled recipient's next digest would hold: unsent rows due by ``now``
    plus what the rules report for ``today`` that is not in the log yet."""
    items = collect_due(db.session, today, registry.current().reminder_rules(), errors)
    known = _known_identities(items)
    enabled = _enabled_recipients(items)
    by_recipient: dict[int, list[DigestEntry]] = {}
    query = (
        db.select(ReminderLog)
        .join(User, User.id == ReminderLog.recipient_id)
        .where(ReminderLog.status.in_(UNSENT_STATUSES), ReminderLog.next_attempt_at <= now, User.is_enabled)
    )
    if recipient_id is not None:
        query = query.where(ReminderLog.recipient_id == recipient_id)
    for row in db.session.scalars(query):
        by_recipient.setdefault(row.recipient_id, []).append(_entry(row))
    for item in items:
        for user_id in sorted(item.recipients & enabled):
            if recipient_id not in (None, user_id) or _identity(item, user_id) in known:
                continue
            known.add(_identity(item, user_id))
            by_recipient.setdefault(user_id, []).append(
                DigestEntry(item.kind, item.title, item.due_on, item.url_path, item.escalate)
            )
    return by_recipient


def preview_digest(user: User, today: date, now: datetime) -> RenderedDigest | None:
    """The digest ``user`` would get from a sweep on ``today``, or None when nothing is due."""
    entries = pending_entries(today, now, recipient_id=user.id).get(user.id)
    return render_digest(user, entries, today) if entries else None


def resend(row: ReminderLog, *, actor: User, now: datetime) -> None:
    """Queue a reminder to be sent again by the next run (the caller commits)."""
    before = row.status
    row.status = PENDING
    row.next_attempt_at = now
    activity.record(
        "reminder.resend",
        actor=actor,
        target=row,
        summary=f"{row.rule} {row.object_type}#{row.object_id} {row.stage} → {row.recipient_id}",
        changes={"status": [before, PENDING]},
    )


@dataclass(frozen=True)
class OutboxFilter:
    status: str | None = None
    rule: str | None = None
    recipient_id: int | None = None


def outbox_query(filters: OutboxFilter) -> Select:
    """Reminder rows matching ``filters``, newest first, with their recipients loaded."""
    query = db.select(ReminderLog).options(joinedload(ReminderLog.recipient))
    if filters.status:
        query = query.where(ReminderLog.status == filters.status)
    if filters.rule:
        query = query.where(ReminderLog.rule == filters.rule)
    if filters.recipient_id:
        query = query.where(ReminderLog.recipient_id == filters.recipient_id)
    return query.order_by(ReminderLog.created_at.desc(), ReminderLog.id.desc())


def rule_names() -> list[str]:
    """Every rule name that has rows in the log (for the outbox filter)."""
    return list(db.session.scalars(db.select(ReminderLog.rule).distinct().order_by(ReminderLog.rule)))


def _enabled_recipients(items: list[DueItem]) -> set[int]:
    """The ids among the items' recipients whose accounts are enabled (disabled users get nothing)."""
    wanted = {recipient for item in items for recipient in item.recipients}
    if not wanted:
        return set()
    return set(db.session.scalars(db.select(User.id).where(User.id.in_(wanted), User.is_enabled)))


def _entry(row) -> DigestEntry:
    """A log row (a ReminderLog or a row of its columns) as a digest line."""
    return DigestEntry(row.kind, row.title, row.due_on, row.url_path, row.is_escalation)


def _row_values(item: DueItem, recipient_id: int, now: datetime) -> dict:
    return {
        "rule": item.rule,
        "kind": item.kind,
        "object_type": item.object_type,
        "object_id": item.object_id,
        "due_on": item.due_on,
        "stage": item.stage,
        "recipient_id": recipient_id,
        "title": item.title[:300],
        "url_path": item.url_path[:300],
        "is_escalation": item.escalate,
        "status": PENDING,
        "attempts": 0,
        "created_at": now,
        "next_attempt_at": now,
    }


def _identity(item: DueItem, recipient_id: int) -> tuple:
    return (item.rule, item.object_type, item.object_id, item.due_on, item.stage, recipient_id)


def _known_identities(items: list[DueItem]) -> set[tuple]:
    if not items:
        return set()
    columns = [getattr(ReminderLog, name) for name in IDENTITY_COLUMNS]
    query = db.select(*columns).where(
        ReminderLog.rule.in_({item.rule for item in items}), ReminderLog.due_on.in_({item.due_on for item in items})
    )
    return {tuple(row) for row in db.session.execute(query)}


def _holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:120]

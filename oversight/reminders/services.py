"""Sending reminders: record what the rules report, then send one digest per recipient.

``send_due_reminders`` and ``retry_failed`` are job boundaries, not ordinary services: they
commit after recording and after every digest, because an e-mail that went out cannot be
rolled back with a transaction, and its row must say so at once.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, String, cast, func, update
from sqlalchemy.orm import joinedload

from oversight import email
from oversight.activity import services as activity
from oversight.auth.models import User
from oversight.core import registry
from oversight.core.due import DueItem, collect_due
from oversight.core.errors import RuleError
from oversight.core.timeutil import to_local
from oversight.extensions import db
from oversight.reminders import contact_mail, storage
from oversight.reminders.digest import DigestEntry, DigestRenderer, RenderedDigest, render_digest
from oversight.reminders.models import (
    CONTACT_IDENTITY_COLUMNS,
    FAILED,
    IDENTITY_COLUMNS,
    LOGGED,
    PENDING,
    SENDING,
    SENT,
    UNCERTAIN,
    UNSENT_STATUSES,
    ReminderLog,
)
from oversight.reminders.units import seeing_recipients

log = logging.getLogger(__name__)

LEASE_NAME = "reminders.send"
# A run renews its lease after each step (recording, each digest); a run killed mid-sweep stops renewing,
# and its lease lapses this long after its last step, so the next run or the 15-minute retry can go on.
LEASE_TTL = timedelta(minutes=5)
# A row still "sending" this long after its attempt began belongs to a run that died (the lease has
# lapsed by then too): it becomes uncertain, never sent again blindly.
SENDING_TIMEOUT = timedelta(minutes=10)
# An uncertain digest is sent again (with the same Message-ID) only after this wait, which leaves an
# administrator time to check the mail server's log and mark it sent in the outbox.
UNCERTAIN_DELAY = timedelta(hours=6)
WOULD_SEND = "would send"


class ReminderRuleError(RuleError):
    """A step on the reminder log that the rules refuse."""


@dataclass
class DigestOutcome:
    """What happened to one recipient's digest."""

    recipient_id: int | None  # None: a vendor contact's reminder (contact_id)
    email: str
    status: str  # sent | logged | failed | uncertain | would send
    entries: list[DigestEntry] = field(default_factory=list)
    error: str | None = None
    retry_at: datetime | None = None  # failed or uncertain: when a run sends it again
    contact_id: int | None = None


@dataclass
class SweepResult:
    """What one run did (or, for a dry run, would do)."""

    today: date
    new_rows: int = 0
    digests: list[DigestOutcome] = field(default_factory=list)
    is_skipped: bool = False  # another run held the lease
    lease: storage.LeaseInfo | None = None  # skipped: who held the lease, until when
    is_dry_run: bool = False
    rule_errors: list[str] = field(default_factory=list)
    interrupted: int = 0  # rows left "sending" by a dead run, now uncertain

    @property
    def failed(self) -> list[DigestOutcome]:
        return [digest for digest in self.digests if digest.status == FAILED]

    @property
    def uncertain(self) -> list[DigestOutcome]:
        return [digest for digest in self.digests if digest.status == UNCERTAIN]

    @property
    def reminder_count(self) -> int:
        return sum(len(digest.entries) for digest in self.digests if digest.status in (SENT, LOGGED))


class Lease:
    """This run's hold on the sweep lease, renewed after each step (a heartbeat in the run's own thread)."""

    def __init__(self, now: datetime) -> None:
        self.holder = _holder_name()
        self.now = now
        self._started = time.monotonic()

    def acquire(self) -> bool:
        return storage.acquire_lease(LEASE_NAME, self.holder, self.now, LEASE_TTL)

    def renew(self) -> bool:
        """Push the expiry LEASE_TTL past the present; False when another run has taken the lease meanwhile."""
        elapsed = timedelta(seconds=time.monotonic() - self._started)
        return storage.renew_lease(LEASE_NAME, self.holder, self.now + elapsed + LEASE_TTL)

    def release(self) -> None:
        storage.release_lease(LEASE_NAME, self.holder)


def send_due_reminders(today: date, now: datetime, dry_run: bool = False) -> SweepResult:
    """Record every reminder the rules report for ``today`` and send every unsent one that is due.

    Safe to run twice, or in two processes at once: rows are inserted only if absent, a lease
    lets one run at a time send, each digest's rows are claimed ("sending") and committed before it
    is sent, and on PostgreSQL rows are claimed with FOR UPDATE SKIP LOCKED.
    """
    if dry_run:
        return preview_sweep(today, now)
    lease = Lease(now)
    if not lease.acquire():
        return SweepResult(today=today, is_skipped=True, lease=storage.lease_info(LEASE_NAME))
    try:
        rule_errors: list[str] = []
        new_rows = record_due(collect_due(db.session, today, registry.current().reminder_rules(), rule_errors), now)
        db.session.commit()
        lease.renew()
        result = deliver_pending(today, now, heartbeat=lease.renew)
        result.new_rows = new_rows
        result.rule_errors = rule_errors
        return result
    finally:
        db.session.rollback()
        lease.release()


def retry_failed(
    now: datetime, recipient_ids: Iterable[int] | None = None, contact_ids: Iterable[int] | None = None
) -> SweepResult:
    """Send the pending, failed and uncertain reminders whose time has come (the 15-minute job).

    ``recipient_ids`` / ``contact_ids``: only those users' / vendor contacts' (naming either leaves out
    everyone the other does not name)."""
    today = to_local(now).date()
    lease = Lease(now)
    if not lease.acquire():
        return SweepResult(today=today, is_skipped=True, lease=storage.lease_info(LEASE_NAME))
    try:
        return deliver_pending(today, now, recipient_ids=recipient_ids, contact_ids=contact_ids,
                               heartbeat=lease.renew)
    finally:
        db.session.rollback()
        lease.release()


def record_due(items: Iterable[DueItem], now: datetime) -> int:
    """Insert a pending row for each (item, enabled recipient) and (item, vendor contact) not yet in the log;
    the count inserted."""
    items = list(items)
    enabled = _enabled_recipients(items)
    who = seeing_recipients(items, enabled)  # a member of another unit gets nothing (docs/units.md)
    # Rows already logged are skipped, read with one query as each item's logged recipients and contacts,
    # instead of one conflicting INSERT each (a daily sweep re-finds every open item); insert_many_if_absent
    # still guards the new ones against a racing writer.
    logged = _logged_recipients(items)
    rows = []
    contact_rows = []
    for item in items:
        users, contacts = logged[_item_key(item)]
        new = who(item) - users
        if new:
            users |= new  # two rules reporting the same reminder insert it once
            rows.extend(_row_values(item, recipient_id, now) for recipient_id in sorted(new))
        new_contacts = item.contacts - contacts
        if new_contacts:
            contacts |= new_contacts
            contact_rows.extend(
                _row_values(item, None, now) | {"contact_id": contact_id} for contact_id in sorted(new_contacts)
            )
    # In the order the digests read and update them (recipient, then due date), so each digest's
    # rows lie together on disk: updating a first sweep's rows scattered over the table took 4× longer.
    rows.sort(key=lambda row: (row["recipient_id"], row["due_on"]))
    # One statement (PostgreSQL) or one executemany (SQLite) of INSERT … ON CONFLICT DO NOTHING: a first
    # sweep over a large register logs tens of thousands of rows, which one statement each made slow.
    inserted = storage.insert_many_if_absent(ReminderLog.__table__, rows, IDENTITY_COLUMNS)
    return inserted + storage.insert_many_if_absent(ReminderLog.__table__, contact_rows, CONTACT_IDENTITY_COLUMNS)


def reconcile_interrupted(now: datetime) -> int:
    """Rows left "sending" by a run that died are made uncertain (the caller commits); the count.

    Whether the server accepted such a digest cannot be known: it is not sent again at once, but after
    UNCERTAIN_DELAY with the same Message-ID, unless an administrator marks it sent first.
    """
    result = db.session.execute(
        update(_LOG)
        .where(_LOG.c.status == SENDING, _LOG.c.last_attempt_at <= now - SENDING_TIMEOUT)
        .values(status=UNCERTAIN, next_attempt_at=now + UNCERTAIN_DELAY, last_error=INTERRUPTED)
    )
    return result.rowcount


INTERRUPTED = "Interrupted while sending: the mail server may have accepted this digest."


def deliver_pending(
    today: date, now: datetime, recipient_ids: Iterable[int] | None = None,
    heartbeat: Callable[[], bool] | None = None, contact_ids: Iterable[int] | None = None,
) -> SweepResult:
    """Send one digest to each recipient with unsent reminders due by ``now``, and one e-mail to each vendor
    contact with unsent reminders (``contact_mail``); commits once per recipient (a digest's outcome with the
    next recipient's claim).

    ``heartbeat`` (the lease's renewal) is called after each digest; when it answers False another run
    has the lease, and this one stops.
    """
    result = SweepResult(today=today, interrupted=reconcile_interrupted(now))
    db.session.commit()
    due = db.select(ReminderLog.recipient_id).where(
        ReminderLog.status.in_(UNSENT_STATUSES), ReminderLog.next_attempt_at <= now
    )
    if recipient_ids is not None or contact_ids is not None:
        due = due.where(ReminderLog.recipient_id.in_(list(recipient_ids or ())))
    # Name, address and language of each recipient, as plain rows: ORM objects would be expired by the
    # commit after each digest and read again, one query each.
    recipients = db.session.execute(
        db.select(User.id, User.name, User.email, User.language)
        .where(User.id.in_(due), User.is_enabled)
        .order_by(User.id)
    ).all()
    db.session.commit()
    # One SMTP connection for all the digests of this run (each still recorded as sent only once the
    # server has accepted it, and committed at once), and each distinct line rendered once.
    renderer = DigestRenderer(today)
    with email.Mailer() as mailer:
        # One commit per recipient: the outcome of one recipient's digest, the lease's renewal and the claim of
        # the next recipient's rows (on SQLite each commit is a sync to disk). Each claim is still committed
        # before its digest is sent, and an outcome is committed even when the lease is lost.
        claimed = _claim_rows(recipients[0].id, now) if recipients else []
        db.session.commit()
        for number, recipient in enumerate(recipients):
            result.digests.extend(_send_claimed(mailer, renderer, recipient, claimed, now))
            alive = heartbeat is None or heartbeat()
            if alive and number + 1 < len(recipients):
                claimed = _claim_rows(recipients[number + 1].id, now, after_outcome=True)
            db.session.commit()
            if not alive:
                log.warning("Reminder run lost its lease (a step took longer than %s); stopping", LEASE_TTL)
                break
        if heartbeat is None or heartbeat():
            contacts = None if recipient_ids is None and contact_ids is None else list(contact_ids or ())
            result.digests.extend(_deliver_to_contacts(mailer, today, now, contacts, heartbeat))
    return result


def _claim_rows(user_id: int, now: datetime, *, after_outcome: bool = False) -> list[tuple[str, list, bool]]:
    """Claim user ``user_id``'s unsent reminders due by ``now`` (the caller commits before sending them): their
    digests as (digest id, rows, is fresh); none when another run claimed some of them first.

    Usually one digest. Rows of an earlier digest whose fate is unknown (uncertain, or failed when sent
    again) keep their digest and are sent as it was, with its Message-ID, so mail systems can drop a copy.
    ``after_outcome``: the transaction holds the previous digest's outcome, which a lost claim must not
    take with it (the claim is made in a savepoint).
    """
    # Rows another sweep is sending right now are locked: skip them rather than wait and resend.
    # Plain columns, not ORM objects: a first sweep's digest can hold thousands of rows.
    rows = db.session.execute(
        db.select(*_DELIVERY_COLUMNS)
        .where(ReminderLog.recipient_id == user_id, ReminderLog.status.in_(UNSENT_STATUSES),
               ReminderLog.next_attempt_at <= now)
        .order_by(ReminderLog.due_on, ReminderLog.id)
        .with_for_update(skip_locked=True)
    ).all()
    digests: dict[str | None, list] = {}
    for row in rows:
        digests.setdefault(row.digest_id, []).append(row)
    fresh = digests.pop(None, None)
    if fresh:
        digests[uuid.uuid4().hex] = fresh
    if not digests:
        return []
    # Claimed and committed before anything is sent: a run that dies from here on leaves "sending" rows,
    # which are reconciled (made uncertain), never sent again as if nothing had happened.
    savepoint = db.session.begin_nested() if after_outcome else None
    if not _claim(digests, now):
        # Another run claimed some of them first (SQLite has no row locks).
        if savepoint is not None:
            savepoint.rollback()
        else:
            db.session.rollback()
        return []
    if savepoint is not None:
        savepoint.commit()
    return [(digest_id, digest_rows, digest_rows is fresh) for digest_id, digest_rows in digests.items()]


def _send_claimed(mailer: email.Mailer, renderer: DigestRenderer, user, digests: list[tuple[str, list, bool]],
                  now: datetime) -> list[DigestOutcome]:
    """Send ``user`` (a row of id, name, email, language) their claimed digests (``_claim_rows``)."""
    outcomes = []
    for number, (digest_id, digest_rows, is_fresh) in enumerate(digests, start=1):
        outcomes.append(_send_digest(mailer, renderer, user, digest_id, digest_rows, is_fresh=is_fresh, now=now))
        if number < len(digests):
            db.session.commit()  # at once: the server has the message (or refused it)
    return outcomes  # the last digest's outcome is committed by the caller, with the lease's renewal


def _beat(heartbeat: Callable[[], bool] | None) -> bool:
    """Renew the lease and commit, with the outcome of the digest just sent (one commit, not two: on SQLite
    each commit is a sync to disk); False when another run has the lease meanwhile and this one must stop."""
    alive = heartbeat is None or heartbeat()
    db.session.commit()  # even when the lease is lost: the digest's outcome must be kept
    if not alive:
        log.warning("Reminder run lost its lease (a step took longer than %s); stopping", LEASE_TTL)
    return alive


def _send_digest(mailer: email.Mailer, renderer: DigestRenderer, user, digest_id: str, rows: list, *,
                 is_fresh: bool, now: datetime) -> DigestOutcome:
    """Send one claimed digest and record what the server answered (the caller commits)."""
    entries = [_entry(row) for row in rows]
    outcome = DigestOutcome(recipient_id=user.id, email=user.email, status=FAILED, entries=entries)
    ids = [row.id for row in rows]
    try:
        digest = renderer.render(user, entries)
        delivery = mailer.send([(user.name, user.email)], digest.subject, digest.text, digest.html,
                               message_id=f"reminders.{digest_id}")
    except email.EmailUncertain as exc:
        log.warning("Reminder digest to %s may or may not have been accepted: %s", user.email, exc)
        outcome.status, outcome.error, outcome.retry_at = UNCERTAIN, str(exc), now + UNCERTAIN_DELAY
        _update_by_id(ids, {"status": UNCERTAIN, "last_error": str(exc)[:2000], "next_attempt_at": outcome.retry_at})
        return outcome
    except Exception as exc:  # one recipient's failure must not stop the others
        log.warning("Reminder digest to %s failed: %s", user.email, exc, exc_info=not isinstance(exc, email.EmailError))
        outcome.error = f"{type(exc).__name__}: {exc}" if not isinstance(exc, email.EmailError) else str(exc)
        # A digest never sent before is remade next time (with any newer reminders); one that may have
        # reached the recipient earlier keeps its Message-ID.
        outcome.retry_at = _mark_failed(rows, outcome.error, now, keep_digest=not is_fresh)
        return outcome
    outcome.status = LOGGED if delivery == email.LOGGED else SENT
    _update_by_id(ids, {"status": outcome.status, "sent_at": now, "last_error": None})
    return outcome


def _deliver_to_contacts(
    mailer: email.Mailer, today: date, now: datetime, contact_ids: list[int] | None,
    heartbeat: Callable[[], bool] | None,
) -> list[DigestOutcome]:
    """Send each vendor contact (all, or ``contact_ids``) with unsent reminders due by ``now`` their e-mail."""
    due = db.select(ReminderLog.contact_id).where(
        ReminderLog.contact_id.is_not(None), ReminderLog.status.in_(UNSENT_STATUSES), ReminderLog.next_attempt_at <= now
    )
    if contact_ids is not None:
        due = due.where(ReminderLog.contact_id.in_(contact_ids))
    ids = list(db.session.scalars(due.distinct().order_by(ReminderLog.contact_id)))
    db.session.commit()
    outcomes = []
    for contact_id in ids:
        outcomes.extend(_deliver_to_contact(mailer, today, contact_id, now))
        if not _beat(heartbeat):
            break
    return outcomes


def _deliver_to_contact(mailer: email.Mailer, today: date, contact_id: int, now: datetime) -> list[DigestOutcome]:
    """As ``_deliver_to`` for one vendor contact: claim their unsent rows, then send each e-mail."""
    rows = db.session.execute(
        db.select(*_DELIVERY_COLUMNS, ReminderLog.object_id, ReminderLog.stage)
        .where(ReminderLog.contact_id == contact_id, ReminderLog.status.in_(UNSENT_STATUSES),
               ReminderLog.next_attempt_at <= now)
        .order_by(ReminderLog.due_on, ReminderLog.id)
        .with_for_update(skip_locked=True)
    ).all()
    digests: dict[str | None, list] = {}
    for row in rows:
        digests.setdefault(row.digest_id, []).append(row)
    fresh = digests.pop(None, None)
    if fresh:
        digests[uuid.uuid4().hex] = fresh
    if not _claim(digests, now):
        db.session.rollback()
        return []
    db.session.commit()
    outcomes = []
    for number, (digest_id, digest_rows) in enumerate(digests.items(), start=1):
        outcomes.append(_send_contact_mail(mailer, today, contact_id, digest_id, digest_rows,
                                           is_fresh=digest_rows is fresh, now=now))
        if number < len(digests):
            db.session.commit()
    return outcomes  # the last one committed by the caller (_beat)


def _send_contact_mail(mailer: email.Mailer, today: date, contact_id: int, digest_id: str, rows: list, *,
                       is_fresh: bool, now: datetime) -> DigestOutcome:
    """Send one claimed e-mail to a vendor contact, with a fresh sign-in link, and record the answer."""
    outcome = DigestOutcome(recipient_id=None, contact_id=contact_id, email="", status=FAILED,
                            entries=[_entry(row) for row in rows])
    ids = [row.id for row in rows]
    try:
        message = contact_mail.compose(contact_id, [(row.object_id, row.stage) for row in rows], today, now)
        outcome.email = message.address
        delivery = mailer.send(message.to, message.subject, message.text, message_id=f"reminders.{digest_id}")
    except email.EmailUncertain as exc:  # the link stays: the contact may have it
        log.warning("Reminder to vendor contact %s may or may not have been accepted: %s", contact_id, exc)
        outcome.status, outcome.error, outcome.retry_at = UNCERTAIN, str(exc), now + UNCERTAIN_DELAY
        _update_by_id(ids, {"status": UNCERTAIN, "last_error": str(exc)[:2000], "next_attempt_at": outcome.retry_at})
        return outcome
    except Exception as exc:  # one contact's failure must not stop the others
        db.session.rollback()  # the sign-in link that was not sent is not kept
        log.warning("Reminder to vendor contact %s failed: %s", contact_id, exc,
                    exc_info=not isinstance(exc, email.EmailError | contact_mail.ContactMailError))
        outcome.error = str(exc) if isinstance(exc, email.EmailError) else f"{type(exc).__name__}: {exc}"
        outcome.retry_at = _mark_failed(rows, outcome.error, now, keep_digest=not is_fresh)
        return outcome
    outcome.status = LOGGED if delivery == email.LOGGED else SENT
    _update_by_id(ids, {"status": outcome.status, "sent_at": now, "last_error": None})
    return outcome


_DELIVERY_COLUMNS = (
    ReminderLog.id,
    ReminderLog.attempts,
    ReminderLog.kind,
    ReminderLog.title,
    ReminderLog.due_on,
    ReminderLog.url_path,
    ReminderLog.is_escalation,
    ReminderLog.digest_id,
)
# Ids per UPDATE statement: well below every engine's limit on bound parameters.
_UPDATE_CHUNK = 500
# The table, not the ORM class: plain UPDATEs by id, without the ORM's session synchronisation (the
# caller commits at once, which expires any row objects loaded in the session).
_LOG = ReminderLog.__table__


def _claim(digests: dict[str, list], now: datetime) -> bool:
    """Mark each digest's rows "sending" with its digest id, if still unsent; False if any was taken."""
    expected = claimed = 0
    for digest_id, rows in digests.items():
        ids = [row.id for row in rows]
        expected += len(ids)
        values = {"status": SENDING, "digest_id": digest_id, "attempts": _LOG.c.attempts + 1, "last_attempt_at": now}
        claimed += _update_by_id(ids, values, _LOG.c.status.in_(UNSENT_STATUSES))
    return claimed == expected


def _mark_failed(rows: list, error: str, now: datetime, *, keep_digest: bool) -> datetime:
    """One digest's rows failed: retried later, with a back-off that grows with each row's attempts
    (already counted by the claim); the earliest retry."""
    by_attempts: dict[int, list[int]] = {}
    for row in rows:
        by_attempts.setdefault(row.attempts + 1, []).append(row.id)
    for attempts, ids in sorted(by_attempts.items()):
        values = {"status": FAILED, "last_error": error[:2000], "next_attempt_at": now + retry_delay(attempts)}
        if not keep_digest:
            values["digest_id"] = None
        _update_by_id(ids, values)
    return now + retry_delay(min(by_attempts))


def _update_by_id(ids: list[int], values: dict, *conditions) -> int:
    """UPDATE the rows ``ids`` (those also meeting ``conditions``) in chunks; the number updated."""
    count = 0
    for start in range(0, len(ids), _UPDATE_CHUNK):
        statement = update(_LOG).where(_LOG.c.id.in_(ids[start:start + _UPDATE_CHUNK]), *conditions)
        count += db.session.execute(statement.values(**values)).rowcount
    return count


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
    logged = _logged_recipients(items)
    enabled = _enabled_recipients(items)
    who = seeing_recipients(items, enabled)
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
        users = logged[_item_key(item)][0]
        for user_id in sorted(who(item) - users):
            if recipient_id not in (None, user_id):
                continue
            users.add(user_id)
            by_recipient.setdefault(user_id, []).append(
                DigestEntry(item.kind, item.title, item.due_on, item.url_path, item.escalate)
            )
    return by_recipient


def preview_digest(user: User, today: date, now: datetime) -> RenderedDigest | None:
    """The digest ``user`` would get from a sweep on ``today``, or None when nothing is due."""
    entries = pending_entries(today, now, recipient_id=user.id).get(user.id)
    return render_digest(user, entries, today) if entries else None


def resend(row: ReminderLog, *, actor: User, now: datetime) -> None:
    """Queue a reminder to be sent again by the next run, in a new digest (the caller commits)."""
    if row.status == SENDING:
        raise ReminderRuleError(_l("This reminder is being sent right now; it cannot be queued again."))
    before = row.status
    row.status = PENDING
    row.next_attempt_at = now
    row.digest_id = None  # a new Message-ID: a copy mail systems would drop as a duplicate is no resend
    activity.record(
        "reminder.resend",
        actor=actor,
        target=row,
        summary=f"{row.rule} {row.object_type}#{row.object_id} {row.stage} → {row.recipient_id}",
        changes={"status": [before, PENDING]},
    )


def confirm_sent(row: ReminderLog, *, actor: User) -> int:
    """An administrator has found that the uncertain digest holding ``row`` did reach the mail server:
    mark its uncertain rows sent, so it is not sent again (the caller commits); the rows changed."""
    if row.status != UNCERTAIN:
        raise ReminderRuleError(_l("Only an uncertain reminder can be marked as sent."))
    rows = db.session.scalars(
        db.select(ReminderLog).where(ReminderLog.digest_id == row.digest_id, ReminderLog.status == UNCERTAIN)
    ).all()
    for each in rows:
        each.status = SENT
        each.sent_at = each.last_attempt_at
        each.last_error = None
        activity.record(
            "reminder.confirm_sent",
            actor=actor,
            target=each,
            summary=f"{each.rule} {each.object_type}#{each.object_id} {each.stage} → {each.recipient_id}",
            changes={"status": [UNCERTAIN, SENT]},
        )
    return len(rows)


@dataclass(frozen=True)
class OutboxFilter:
    status: str | None = None
    rule: str | None = None
    recipient_id: int | None = None


def outbox_query(filters: OutboxFilter) -> Select:
    """Reminder rows matching ``filters``, newest first, with their recipients loaded."""
    query = db.select(ReminderLog).options(joinedload(ReminderLog.recipient), joinedload(ReminderLog.contact))
    if filters.status:
        query = query.where(ReminderLog.status == filters.status)
    if filters.rule:
        query = query.where(ReminderLog.rule == filters.rule)
    if filters.recipient_id:
        query = query.where(ReminderLog.recipient_id == filters.recipient_id)
    return query.order_by(ReminderLog.created_at.desc(), ReminderLog.id.desc())


def rule_names() -> list[tuple[str, str]]:
    """Every rule name that has rows in the log, with the kind of its items (for the outbox filter)."""
    query = (
        db.select(ReminderLog.rule, db.func.min(ReminderLog.kind)).group_by(ReminderLog.rule).order_by(ReminderLog.rule)
    )
    return [(rule, kind) for rule, kind in db.session.execute(query)]


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


def _item_key(item: DueItem) -> tuple:
    """The identity columns of ``item``'s reminders but the recipient: ``_logged_recipients``'s key."""
    return (item.rule, item.object_type, item.object_id, item.due_on, item.stage)


def _logged_recipients(items: list[DueItem]) -> defaultdict[tuple, tuple[set[int], set[int]]]:
    """For each item (``_item_key``) already in the log: the user ids and the vendor contact ids it was
    logged for (two empty sets for any other item).

    One row per item, its recipients and contacts joined in one string each (``group_concat`` /
    ``string_agg``): after the first sweep a daily sweep re-finds ~150,000 logged reminders of ~9,000
    items, and reading them one row each (identity tuples, dates parsed in Python) was a third of its time.
    """
    logged: defaultdict[tuple, tuple[set[int], set[int]]] = defaultdict(lambda: (set(), set()))
    if not items:
        return logged
    key_columns = [getattr(ReminderLog, name) for name in IDENTITY_COLUMNS[:5]]
    query = (
        db.select(
            *key_columns,
            func.aggregate_strings(cast(ReminderLog.recipient_id, String), ","),
            func.aggregate_strings(cast(ReminderLog.contact_id, String), ","),
        )
        .where(
            ReminderLog.rule.in_({item.rule for item in items}),
            ReminderLog.due_on.in_({item.due_on for item in items}),
            ReminderLog.stage.in_({item.stage for item in items}),
        )
        .group_by(*key_columns)
    )
    for *key, recipient_ids, contact_ids in db.session.execute(query):
        logged[tuple(key)] = (_ids(recipient_ids), _ids(contact_ids))
    return logged


def _ids(joined: str | None) -> set[int]:
    return {int(each) for each in joined.split(",")} if joined else set()


def _holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:120]

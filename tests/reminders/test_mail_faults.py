"""Reminders under mail faults: a real SMTP server (aiosmtpd) that misbehaves on purpose, and a sweep
in a real subprocess killed with SIGKILL. Every digest the server accepted is sent exactly once; a
digest whose fate is unknown is never resent blindly, and never dropped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

from oversight.core import registry
from oversight.core.due import collect_due
from oversight.core.timeutil import to_local, utcnow
from oversight.extensions import db
from oversight.reminders import services, storage
from oversight.reminders.models import FAILED, PENDING, SENDING, SENT, UNCERTAIN, ReminderLog
from tests.reminders.conftest import NOW, TODAY
from tests.reminders.test_sweep import rows, sweep

ROOT = Path(__file__).resolve().parents[2]
# How soon after its holder's death a lease must have lapsed (the issue: "within a few minutes").
A_FEW_MINUTES = timedelta(minutes=6)

# The sweep as the scheduler or `flask reminders send` runs it, in a process of its own.
SWEEP_SCRIPT = """
import sys
from datetime import date, datetime
from oversight import create_app
from oversight.config import TestConfig
from oversight.reminders import services
url, port, today, now = sys.argv[1:]
app = create_app(TestConfig(url, MAIL_SERVER="127.0.0.1", MAIL_PORT=int(port)))
with app.app_context():
    services.send_due_reminders(date.fromisoformat(today), datetime.fromisoformat(now))
"""


def received_by(smtp_server) -> Counter:
    return Counter(envelope.rcpt_tos[0] for envelope in smtp_server.envelopes)


def message_ids_by(smtp_server) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for envelope, message in zip(smtp_server.envelopes, smtp_server.messages, strict=True):
        found.setdefault(envelope.rcpt_tos[0], []).append(message["Message-ID"])
    return found


def statuses(app) -> Counter:
    return Counter(row.status for row in rows(app))


def record(app, now=NOW) -> None:
    """The rows a sweep records, written here (the subprocess has no test rule)."""
    with app.app_context():
        services.record_due(collect_due(db.session, TODAY, registry.current().reminder_rules()), now)
        db.session.commit()


def drop_before_answering(smtp_server, *, on: set[int]) -> None:
    """The server keeps message number n (1-based) for n in ``on``, then drops the connection unanswered."""
    handler = smtp_server.handler
    keep = handler.handle_DATA

    async def handle_DATA(server, session, envelope):
        status = await keep(server, session, envelope)
        if len(handler.envelopes) in on:
            server.transport.abort()
        return status

    handler.handle_DATA = handle_DATA


def kill_on_message(smtp_server, number: int) -> dict:
    """The server keeps message ``number``, then SIGKILLs the sending process before answering 250."""
    handler = smtp_server.handler
    keep = handler.handle_DATA
    victim: dict = {}

    async def handle_DATA(server, session, envelope):
        status = await keep(server, session, envelope)
        if len(handler.envelopes) == number:
            os.kill(victim["process"].pid, signal.SIGKILL)
            victim["process"].wait(30)
        return status

    handler.handle_DATA = handle_DATA
    return victim


def run_sweep_process(database_url, smtp_server, victim: dict, now) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", SWEEP_SCRIPT, database_url, str(smtp_server.port), TODAY.isoformat(), now.isoformat()],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    victim["process"] = process
    process.wait(120)
    return process


# --- 8: a message the server accepted is sent, whatever happens after ----------------------------------

def test_421_on_quit_after_accepted_data_sends_each_digest_once(app, make_user, smtp_server, account_review):
    async def handle_QUIT(server, session, envelope):
        return "421 4.3.0 Service closing transmission channel"

    smtp_server.handler.handle_QUIT = handle_QUIT
    users = [make_user("viewer") for _ in range(25)]
    account_review.user_ids = [user.id for user in users]

    result = sweep(app)
    with app.app_context():
        retry = services.retry_failed(NOW + timedelta(minutes=15))
    again = sweep(app, now=NOW + timedelta(hours=7))

    assert [digest.status for digest in result.digests] == [SENT] * 25
    assert retry.digests == [] and again.digests == []
    assert received_by(smtp_server) == Counter({user.email: 1 for user in users})
    assert statuses(app) == Counter({SENT: 25})


def test_connection_dropped_after_250_counts_as_sent(app, make_user, smtp_server, account_review):
    handler = smtp_server.handler
    keep = handler.handle_DATA

    async def handle_DATA(server, session, envelope):
        await keep(server, session, envelope)
        server.transport.write(b"250 2.0.0 Accepted\r\n")
        server.transport.close()  # gone before the client's next command
        return "250 2.0.0 Accepted"

    handler.handle_DATA = handle_DATA
    users = [make_user("viewer") for _ in range(3)]
    account_review.user_ids = [user.id for user in users]

    result = sweep(app)
    again = sweep(app, now=NOW + timedelta(hours=7))

    assert [digest.status for digest in result.digests] == [SENT] * 3
    assert again.digests == []
    assert received_by(smtp_server) == Counter({user.email: 1 for user in users})


def test_connection_dropped_before_the_answer_is_uncertain_and_not_resent_as_failed(
    app, make_user, smtp_server, account_review
):
    # The server has the whole message but its answer never comes: it may be delivered. Today's code
    # called that "failed" and sent it again ten minutes later: a duplicate.
    users = [make_user("viewer") for _ in range(3)]
    account_review.user_ids = [user.id for user in users]
    drop_before_answering(smtp_server, on={2})

    result = sweep(app)

    assert [digest.status for digest in result.digests] == [SENT, UNCERTAIN, SENT]
    uncertain = result.digests[1]
    assert "may have accepted" in uncertain.error
    assert uncertain.retry_at == NOW + services.UNCERTAIN_DELAY
    with app.app_context():
        retry = services.retry_failed(NOW + timedelta(minutes=15))
    assert retry.digests == []
    assert received_by(smtp_server) == Counter({user.email: 1 for user in users})

    # Never dropped: after the long wait it goes again, with the Message-ID of the first copy.
    with app.app_context():
        later = services.retry_failed(NOW + services.UNCERTAIN_DELAY)
    assert [digest.status for digest in later.digests] == [SENT]
    first, second = message_ids_by(smtp_server)[uncertain.email]
    assert first == second
    assert statuses(app) == Counter({SENT: 3})


def test_a_refusal_after_data_is_failed_and_retried_with_a_new_digest(app, make_user, smtp_server, account_review):
    # A definite answer (554 to the message) means not accepted: failed, retried as usual.
    handler = smtp_server.handler
    keep = handler.handle_DATA
    refuse = {"on": True}

    async def handle_DATA(server, session, envelope):
        if refuse["on"]:
            return "554 5.6.0 Message refused"
        return await keep(server, session, envelope)

    handler.handle_DATA = handle_DATA
    user = make_user("viewer")
    account_review.user_ids = [user.id]

    assert [digest.status for digest in sweep(app).digests] == [FAILED]
    (row,) = rows(app)
    assert (row.status, row.digest_id, row.next_attempt_at) == (FAILED, None, NOW + timedelta(minutes=10))
    refuse["on"] = False
    with app.app_context():
        assert [digest.status for digest in services.retry_failed(NOW + timedelta(minutes=15)).digests] == [SENT]
    assert received_by(smtp_server) == Counter({user.email: 1})


# --- 9: killed between the server's acceptance and the commit -------------------------------------------

def test_sweep_killed_after_the_server_accepted_a_digest_sends_it_once(
    app, database_url, make_user, smtp_server, account_review
):
    users = [make_user("viewer") for _ in range(5)]
    account_review.user_ids = [user.id for user in users]
    record(app)
    victim = kill_on_message(smtp_server, 3)

    process = run_sweep_process(database_url, smtp_server, victim, NOW)

    assert process.returncode == -signal.SIGKILL
    assert statuses(app) == Counter({SENT: 2, SENDING: 1, PENDING: 2})
    killed = next(row for row in rows(app) if row.status == SENDING)

    # The rerun (after the dead run's lease lapsed) sends the rest and leaves the killed digest alone.
    rerun = sweep(app, now=NOW + A_FEW_MINUTES)
    assert not rerun.is_skipped
    assert received_by(smtp_server) == Counter({user.email: 1 for user in users})

    # Once stale, the "sending" row is reconciled: uncertain, not resent by the 15-minute retry.
    stale = NOW + services.SENDING_TIMEOUT + timedelta(minutes=1)
    with app.app_context():
        retry = services.retry_failed(stale)
    assert retry.interrupted == 1 and retry.digests == []
    assert statuses(app) == Counter({SENT: 4, UNCERTAIN: 1})
    assert received_by(smtp_server) == Counter({user.email: 1 for user in users})

    # No loss: after the long wait it is sent again with the same Message-ID, which mail systems dedupe.
    with app.app_context():
        late = services.retry_failed(stale + services.UNCERTAIN_DELAY)
    assert [digest.recipient_id for digest in late.digests] == [killed.recipient_id]
    ids = message_ids_by(smtp_server)
    assert all(len(set(found)) == 1 for found in ids.values())
    (twice,) = [address for address, found in ids.items() if len(found) == 2]
    assert twice == next(user.email for user in users if user.id == killed.recipient_id)
    assert statuses(app) == Counter({SENT: 5})


# --- 10: a dead run's lease lapses within minutes ------------------------------------------------------

def kill_a_sweep_on_its_first_message(app, database_url, make_user, smtp_server, account_review, ago=timedelta()):
    """Three recipients; a sweep (at the real time less ``ago``) killed once the server has its first digest."""
    users = [make_user("viewer") for _ in range(3)]
    account_review.user_ids = [user.id for user in users]
    now = utcnow() - ago
    record(app, now)
    victim = kill_on_message(smtp_server, 1)
    process = run_sweep_process(database_url, smtp_server, victim, now)
    assert process.returncode == -signal.SIGKILL
    return users, now


def test_a_killed_sweeps_lease_lapses_within_minutes(app, database_url, make_user, smtp_server, account_review):
    users, now = kill_a_sweep_on_its_first_message(app, database_url, make_user, smtp_server, account_review)

    # A few minutes later the 15-minute retry runs (today's code: skipped for an hour), and sends the rest.
    with app.app_context():
        retry = services.retry_failed(now + A_FEW_MINUTES)
    assert not retry.is_skipped
    assert [digest.status for digest in retry.digests] == [SENT, SENT]
    assert received_by(smtp_server) == Counter({user.email: 1 for user in users})
    assert statuses(app) == Counter({SENT: 2, SENDING: 1})
    # And a rerun of the sweep after that sends nothing twice.
    assert not sweep(app, now=now + A_FEW_MINUTES + timedelta(minutes=1)).is_skipped
    assert received_by(smtp_server) == Counter({user.email: 1 for user in users})


def test_cli_says_whose_lease_blocks_it_and_until_when(app, database_url, make_user, smtp_server, account_review):
    _, now = kill_a_sweep_on_its_first_message(app, database_url, make_user, smtp_server, account_review)

    # At once, the lease is still the dead run's: the CLI says until when, not that "a run" retries.
    result = app.test_cli_runner().invoke(args=["reminders", "send", "--today", TODAY.isoformat()])

    assert "holds the lease until" in result.output and "nothing was sent" in result.output
    assert "in progress" not in result.output
    with app.app_context():
        lease = storage.lease_info(services.LEASE_NAME)
    assert lease.holder in result.output
    assert lease.expires_at <= now + A_FEW_MINUTES


def test_cli_after_a_killed_sweep_reconciles_and_sends_the_rest_once(
    app, database_url, make_user, smtp_server, account_review
):
    users, _ = kill_a_sweep_on_its_first_message(app, database_url, make_user, smtp_server, account_review,
                                                 ago=services.SENDING_TIMEOUT + timedelta(minutes=1))

    result = app.test_cli_runner().invoke(args=["reminders", "send", "--today", TODAY.isoformat()])

    assert result.exit_code == 0, result.output
    assert '1 reminders were left "sending" by a run that died; they are now uncertain' in result.output
    assert result.output.count("sent: ") == 2
    assert received_by(smtp_server) == Counter({user.email: 1 for user in users})
    assert statuses(app) == Counter({SENT: 2, UNCERTAIN: 1})


def test_failed_sends_say_when_they_are_retried(app, make_user, smtp_server, account_review):
    user = make_user("manager")
    account_review.user_ids = [user.id]
    smtp_server.stop()

    result = app.test_cli_runner().invoke(args=["reminders", "send", "--today", TODAY.isoformat()])

    assert result.exit_code == 1
    assert "the next run retries them" not in result.output
    with app.app_context():
        (row,) = db.session.scalars(db.select(ReminderLog)).all()
        retry_at = to_local(row.next_attempt_at).strftime("%Y-%m-%d %H:%M")
    assert f"1 digests failed; they are sent again from {retry_at}" in result.output


def test_uncertain_digests_are_reported_with_their_resend_time(app, make_user, smtp_server, account_review):
    user = make_user("manager")
    account_review.user_ids = [user.id]
    drop_before_answering(smtp_server, on={1})

    result = app.test_cli_runner().invoke(args=["reminders", "send", "--today", TODAY.isoformat()])

    assert result.exit_code == 1
    assert "uncertain:" in result.output
    assert "1 digests uncertain (the server may have them" in result.output
    assert "sent again with the same Message-ID from " in result.output

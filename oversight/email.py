"""The one place that sends e-mail: smtplib and ``EmailMessage``, settings from the app config.

Without ``MAIL_SERVER`` (development) the message is written to the log instead of being
sent, and :func:`send_email` answers ``"logged"`` so callers can show that in the outbox.
"""

from __future__ import annotations

import base64
import io
import logging
import re
import smtplib
import ssl
import time
from collections.abc import Iterable, Mapping
from email.generator import BytesGenerator
from email.headerregistry import Address
from email.message import EmailMessage, MIMEPart
from email.utils import make_msgid, parseaddr

from flask import current_app

log = logging.getLogger(__name__)

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")

SENT = "sent"
LOGGED = "logged"


class EmailError(RuntimeError):
    """A message could not be handed to the SMTP server; the text says why."""


class EmailUncertain(EmailError):
    """The whole message was written to the server but its answer never came (the connection dropped or
    timed out): the server may have accepted it. Sending it again may deliver it twice."""


def build_message(
    to: Iterable[tuple[str, str] | str],
    subject: str,
    text: str,
    html: str | None = None,
    *,
    sender: str | tuple[str, str] | None = None,
    message_id: str | None = None,
) -> EmailMessage:
    """An RFC 5322 message: plain text, with an HTML alternative when given.

    ``message_id`` is the left part of the Message-ID (``<message_id@sender's domain>``); the same value
    makes the same Message-ID, so a message sent again can be recognised as a copy by mail systems.
    """
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = _address(sender or current_app.config["MAIL_DEFAULT_SENDER"])
    message["To"] = [_address(recipient) for recipient in to]
    domain = message["From"].addresses[0].domain or "localhost"
    message["Message-ID"] = f"<{message_id}@{domain}>" if message_id else make_msgid(domain=domain)
    message["MIME-Version"] = "1.0"
    _set_text(message, text, "plain")
    if html is not None:
        message.make_alternative()
        alternative = MIMEPart()
        _set_text(alternative, html, "html")
        message.attach(alternative)
    return message


def _set_text(part: MIMEPart, text: str, subtype: str) -> None:
    """``text`` as the content of ``part``: as it is when short ASCII lines, else base64-encoded.

    The base64 is made by ``base64.encodebytes`` in one call: ``set_content`` encodes line by line in
    Python, which took most of the time of sending a sweep's digests (each of them 100 KB or more).
    """
    if text.isascii() and all(len(line) <= MAX_LINE for line in text.splitlines()):
        part.set_content(text, subtype=subtype, charset="utf-8")
        return
    part["Content-Type"] = f'text/{subtype}; charset="utf-8"'
    part["Content-Transfer-Encoding"] = "base64"
    # Line ends as set_content makes them: "\n" each, one at the end.
    body = b"\n".join(text.encode("utf-8").splitlines()) + b"\n"
    part.set_payload(base64.encodebytes(body).decode("ascii"))


MAX_LINE = 78  # RFC 5322's recommended line length, the email package's default


class _BulkBytesGenerator(BytesGenerator):
    """``BytesGenerator`` writing each body in one piece instead of line by line (same bytes, faster)."""

    def _write_lines(self, lines: str) -> None:
        if lines:
            # Every line end (CRLF, CR or LF, as email.generator's NLCRE) made ``self._NL``, with ``str.replace``:
            # a sweep's digests are megabytes of base64, which a regular expression walked six times slower.
            self.write(lines.replace("\r\n", "\n").replace("\r", "\n").replace("\n", self._NL))


def message_bytes(message: EmailMessage) -> bytes:
    """``message`` as ``smtplib.SMTP.send_message`` writes it (CRLF line ends)."""
    with io.BytesIO() as buffer:
        _BulkBytesGenerator(buffer).flatten(message, linesep="\r\n")
        return buffer.getvalue()


def _send(connection: smtplib.SMTP, message: EmailMessage) -> None:
    """``connection.send_message(message)`` for ASCII addresses, with the message written by ``message_bytes``."""
    from_addr = message["From"].addresses[0].addr_spec
    to_addrs = [address.addr_spec for address in message["To"].addresses]
    if not all(address.isascii() for address in (from_addr, *to_addrs)):
        connection.send_message(message)  # SMTPUTF8: smtplib's own path
        return
    connection.sendmail(from_addr, to_addrs, message_bytes(message))


def send_email(
    to: Iterable[tuple[str, str] | str],
    subject: str,
    text: str,
    html: str | None = None,
    *,
    sender: str | tuple[str, str] | None = None,
) -> str:
    """Send one message; return ``"sent"``, or ``"logged"`` when no SMTP server is configured.

    ``to`` holds addresses or ``(display name, address)`` pairs.
    :raises EmailError: the server refused the message or could not be reached.
    """
    with Mailer() as mailer:
        return mailer.send(to, subject, text, html, sender=sender)


class Mailer:
    """Sends many messages over one SMTP connection: opened for the first, kept for the next ones.

    A job that sends a batch (the reminder digests) uses one ``with Mailer() as mailer:`` instead of a
    connection, TLS handshake and login per message. Each :meth:`send` returns only once the server
    has accepted that message, so the caller can record it as sent. After a failure the connection
    is dropped and the next message opens a new one.

    A kept connection that the server has closed meanwhile (idle timeout, restart) is replaced: when the
    message's first commands find it gone (disconnected, reset, or ``421`` "closing"), before any of the
    message could be accepted, the message is sent once more on a new connection; and a connection left
    idle longer than :data:`IDLE_CHECK_SECONDS` is checked with ``NOOP`` first (a connection dropped
    silently would otherwise only show as a timeout). A connection used a moment ago is not checked: a
    ``NOOP`` per message was one more round trip to the server for each digest of a sweep.
    """

    def __init__(self, config: Mapping[str, object] | None = None) -> None:
        self.config = config if config is not None else current_app.config
        self._connection: smtplib.SMTP | None = None
        self._last_used = 0.0  # time.monotonic() when the kept connection last had a reply

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def send(
        self,
        to: Iterable[tuple[str, str] | str],
        subject: str,
        text: str,
        html: str | None = None,
        *,
        sender: str | tuple[str, str] | None = None,
        message_id: str | None = None,
    ) -> str:
        """As :func:`send_email`, over this mailer's connection.

        :raises EmailUncertain: the message was written in full but the server's answer was lost.
        """
        message = build_message(to, subject, text, html, sender=sender, message_id=message_id)
        config = self.config
        if not config.get("MAIL_SERVER"):
            # The readable parts, not the transfer-encoded message, so a developer can follow links.
            log.info("MAIL_SERVER is not set; message not sent.\nTo: %s\nSubject: %s\n\n%s",
                     message["To"], subject, text)
            return LOGGED
        connection = None
        try:
            connection, kept = self._usable_connection()
            connection.body_sent = False
            try:
                _send(connection, message)
            except (smtplib.SMTPException, OSError) as exc:
                if not kept or not _connection_gone(connection, exc):
                    raise
                # The server had closed the kept connection: nothing of this message was accepted on it.
                self._drop()
                connection, _ = self._usable_connection()
                connection.body_sent = False
                _send(connection, message)
            self._last_used = time.monotonic()
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            where = f"{message['To']} via {config['MAIL_SERVER']}:{config['MAIL_PORT']}"
            if _answer_lost(connection, exc):
                raise EmailUncertain(f"Sending to {where}: no answer after the message was sent, the server may "
                                     f"have accepted it: {type(exc).__name__}: {exc}") from exc
            raise EmailError(f"Sending to {where} failed: {type(exc).__name__}: {exc}") from exc
        except BaseException:
            self._drop()
            raise
        return SENT

    def close(self) -> None:
        """Say goodbye to the server (QUIT) and close the connection, if one is open."""
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.quit()
            except (smtplib.SMTPException, OSError):
                connection.close()

    def _usable_connection(self) -> tuple[smtplib.SMTP, bool]:
        """The connection to send on, and whether it is a kept one (not opened for this message)."""
        if self._connection is not None and time.monotonic() - self._last_used > IDLE_CHECK_SECONDS:
            try:
                alive = self._connection.noop()[0] == 250
            except (smtplib.SMTPException, OSError):
                alive = False
            if not alive:
                self._drop()
        if self._connection is not None:
            return self._connection, True
        self._connection = open_connection(self.config)
        return self._connection, False

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()


# A kept connection idle longer than this is checked with NOOP before a message is sent on it. Servers close
# idle connections after minutes (RFC 5321 asks for at least 5), so one used a moment ago is still open.
IDLE_CHECK_SECONDS = 30.0


def _connection_gone(connection: smtplib.SMTP, exc: BaseException) -> bool:
    """True when ``exc`` says the connection was closed before the message's end was written: a message
    sent again on a new connection cannot arrive twice."""
    if getattr(connection, "body_sent", False):
        return False
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code == 421  # "service not available, closing transmission channel"
    return isinstance(exc, smtplib.SMTPServerDisconnected | ConnectionError)


def _answer_lost(connection: smtplib.SMTP | None, exc: BaseException) -> bool:
    """True when ``exc`` came after the message's last line was written and is not the server's answer."""
    return bool(getattr(connection, "body_sent", False)) and not isinstance(exc, smtplib.SMTPResponseException)


class _TrackingData:
    """``SMTP.data`` that remembers when the whole message (up to the final ".") has been written.

    Before that moment a failure means the server has not accepted the message; after it, until the
    server's reply is read, nobody knows: the server may already have queued it for delivery.
    """

    body_sent = False

    def data(self, msg: bytes) -> tuple[int, bytes]:
        self.body_sent = False
        code, reply = self.docmd("data")
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        body = _DOT_AT_LINE_START.sub(b"..", msg)
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        self.send(body + b".\r\n")
        self.body_sent = True
        return self.getreply()


_DOT_AT_LINE_START = re.compile(rb"(?m)^\.")


class _SMTP(_TrackingData, smtplib.SMTP):
    pass


class _SMTP_SSL(_TrackingData, smtplib.SMTP_SSL):
    pass


def open_connection(config: Mapping[str, object]) -> smtplib.SMTP:
    """A connected, authenticated SMTP client: SMTPS when MAIL_USE_SSL, STARTTLS when MAIL_USE_TLS."""
    host, port, timeout = str(config["MAIL_SERVER"]), int(config["MAIL_PORT"]), float(config["MAIL_TIMEOUT"])
    # Only when TLS is used: loading the system's CA certificates takes tens of milliseconds.
    if config.get("MAIL_USE_SSL"):
        connection: smtplib.SMTP = _SMTP_SSL(host, port, timeout=timeout, context=ssl_context(config))
    else:
        connection = _SMTP(host, port, timeout=timeout)
    try:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            connection.starttls(context=ssl_context(config))
        if config.get("MAIL_USERNAME"):
            connection.login(str(config["MAIL_USERNAME"]), str(config.get("MAIL_PASSWORD") or ""))
    except BaseException:
        connection.close()
        raise
    return connection


def ssl_context(config: Mapping[str, object]) -> ssl.SSLContext:
    """The default verifying context, trusting MAIL_CA_FILE too when it is set (private CAs, tests)."""
    return ssl.create_default_context(cafile=str(config["MAIL_CA_FILE"]) if config.get("MAIL_CA_FILE") else None)


def _address(value: str | tuple[str, str]) -> Address:
    if isinstance(value, tuple):
        name, addr = value
    else:
        name, addr = parseaddr(value)
        addr = addr or value
    username, _, domain = addr.rpartition("@")
    # A display name is one header line: a stored name with a line break or other control character
    # (the forms refuse them, older data may hold one) is flattened rather than failing every send.
    display_name = " ".join(_CONTROL.sub(" ", name or "").split())
    return Address(display_name=display_name, username=username or addr, domain=domain if username else "")

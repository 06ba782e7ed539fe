"""The one place that sends e-mail: smtplib and ``EmailMessage``, settings from the app config.

Without ``MAIL_SERVER`` (development) the message is written to the log instead of being
sent, and :func:`send_email` answers ``"logged"`` so callers can show that in the outbox.
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
from collections.abc import Iterable, Mapping
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr

from flask import current_app

log = logging.getLogger(__name__)

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")

SENT = "sent"
LOGGED = "logged"


class EmailError(RuntimeError):
    """A message could not be handed to the SMTP server; the text says why."""


def build_message(
    to: Iterable[tuple[str, str] | str],
    subject: str,
    text: str,
    html: str | None = None,
    *,
    sender: str | tuple[str, str] | None = None,
) -> EmailMessage:
    """An RFC 5322 message: plain text, with an HTML alternative when given."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = _address(sender or current_app.config["MAIL_DEFAULT_SENDER"])
    message["To"] = [_address(recipient) for recipient in to]
    domain = message["From"].addresses[0].domain or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(text, charset="utf-8")
    if html is not None:
        message.add_alternative(html, subtype="html", charset="utf-8")
    return message


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
    message = build_message(to, subject, text, html, sender=sender)
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        # The readable parts, not the transfer-encoded message, so a developer can follow links.
        log.info("MAIL_SERVER is not set; message not sent.\nTo: %s\nSubject: %s\n\n%s", message["To"], subject, text)
        return LOGGED
    try:
        with open_connection(config) as connection:
            connection.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        raise EmailError(f"Sending to {message['To']} via {config['MAIL_SERVER']}:{config['MAIL_PORT']} failed: "
                         f"{type(exc).__name__}: {exc}") from exc
    return SENT


def open_connection(config: Mapping[str, object]) -> smtplib.SMTP:
    """A connected, authenticated SMTP client: SMTPS when MAIL_USE_SSL, STARTTLS when MAIL_USE_TLS."""
    host, port, timeout = str(config["MAIL_SERVER"]), int(config["MAIL_PORT"]), float(config["MAIL_TIMEOUT"])
    context = ssl_context(config)
    if config.get("MAIL_USE_SSL"):
        connection: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        connection = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            connection.starttls(context=context)
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

"""oversight.email: the one function that sends mail, against a real local SMTP server."""

from __future__ import annotations

import io
import logging
import shutil
import ssl
import subprocess
from email.generator import BytesGenerator

import pytest
from aiosmtpd.smtp import AuthResult

from oversight import email as mail
from tests.conftest import SMTPCatcher, free_port

SUBJECT = "【委託先監督】再委託許諾の期限が近づいています"


def test_japanese_subject_display_name_and_body_arrive_intact(app, smtp_server):
    with app.app_context():
        status = mail.send_email(
            [("山田 太郎", "yamada@example.com")], SUBJECT, "本文：株式会社テストの契約が終了します。\n",
            "<p>本文：<strong>株式会社テスト</strong></p>", sender=("委託先監督システム", "oversight@example.com"),
        )
    assert status == mail.SENT
    (envelope,) = smtp_server.envelopes
    assert envelope.rcpt_tos == ["yamada@example.com"]
    assert envelope.mail_from == "oversight@example.com"
    (message,) = smtp_server.messages
    assert message["Subject"] == SUBJECT
    assert message["To"].addresses[0].display_name == "山田 太郎"
    assert message["From"].addresses[0].display_name == "委託先監督システム"
    assert message.get_body(("plain",)).get_content() == "本文：株式会社テストの契約が終了します。\n"
    assert "<strong>株式会社テスト</strong>" in message.get_body(("html",)).get_content()
    assert message.get_content_type() == "multipart/alternative"


def test_a_stored_name_with_a_line_break_still_gets_its_mail(app, smtp_server):
    """A display name is one header line: a name stored with CR/LF (before the forms refused them) is
    flattened, not a send that fails forever, and no header can be injected through it."""
    with app.app_context():
        status = mail.send_email([("田中\r\nBcc: attacker@example.com", "tanaka@example.com")], "件名", "本文\n")
    assert status == mail.SENT
    (envelope,) = smtp_server.envelopes
    assert envelope.rcpt_tos == ["tanaka@example.com"]
    (message,) = smtp_server.messages
    assert message["To"].addresses[0].display_name == "田中 Bcc: attacker@example.com"
    assert message["Bcc"] is None


def test_every_form_checks_control_characters():
    """Every form class inherits the base that refuses control characters in single-line fields."""
    import importlib
    import pkgutil

    from flask_wtf import FlaskForm

    import oversight
    from oversight.core.baseform import Form

    names = [m.name for m in pkgutil.walk_packages(oversight.__path__, "oversight.") if m.name.endswith("forms")]
    classes = []
    for name in names:
        module = importlib.import_module(name)
        classes += [value for value in vars(module).values()
                    if isinstance(value, type) and issubclass(value, FlaskForm) and value.__module__ == name]
    assert len(classes) > 50
    assert [cls.__qualname__ for cls in classes if not issubclass(cls, Form)] == []


def test_default_sender_comes_from_config(app, smtp_server):
    with app.app_context():
        mail.send_email(["someone@example.com"], "Hello", "Body")
    (message,) = smtp_server.messages
    assert message["From"].addresses[0].addr_spec == app.config["MAIL_DEFAULT_SENDER"]
    assert message.get_content_type() == "text/plain"


def test_without_mail_server_the_message_is_logged_not_sent(app_ctx, caplog):
    with caplog.at_level(logging.INFO, logger="oversight.email"):
        status = mail.send_email(["someone@example.com"], "件名のテスト", "ログに出る本文")
    assert status == mail.LOGGED
    assert "MAIL_SERVER is not set" in caplog.text
    assert "someone@example.com" in caplog.text
    assert "ログに出る本文" in caplog.text and "件名のテスト" in caplog.text


def test_unreachable_server_raises_a_clear_error(app):
    port = free_port()  # nobody listens there
    saved = dict(app.config)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=5)
    try:
        with app.app_context(), pytest.raises(mail.EmailError, match=f"127.0.0.1:{port}"):
            mail.send_email(["someone@example.com"], "Hello", "Body")
    finally:
        app.config.update(saved)


def test_refused_recipient_raises(app, smtp_server):
    smtp_server.handler.refused.add("nobody@example.com")
    with app.app_context(), pytest.raises(mail.EmailError, match="SMTPRecipientsRefused"):
        mail.send_email(["nobody@example.com"], "Hello", "Body")


def test_starttls_is_requested_when_mail_use_tls(app, smtp_server):
    # The plain test server offers no STARTTLS, so the attempt itself proves the TLS path ran.
    app.config["MAIL_USE_TLS"] = True
    with app.app_context(), pytest.raises(mail.EmailError, match="STARTTLS"):
        mail.send_email(["someone@example.com"], "Hello", "Body")
    assert smtp_server.envelopes == []


def test_smtps_is_used_when_mail_use_ssl(app, smtp_server):
    # Speaking TLS first to a plain SMTP server fails the handshake: SMTP_SSL was used.
    app.config["MAIL_USE_SSL"] = True
    app.config["MAIL_TIMEOUT"] = 5
    try:
        with app.app_context(), pytest.raises(mail.EmailError, match="SSL"):
            mail.send_email(["someone@example.com"], "Hello", "Body")
    finally:
        app.config["MAIL_TIMEOUT"] = 30
    assert smtp_server.envelopes == []


def test_a_long_japanese_message_arrives_intact(app, smtp_server):
    text = "".join(f"- 株式会社テスト{number} — 契約 BM-{number:07d}\n  期日: 2026-12-01\n" for number in range(500))
    html = "<table>" + "".join(f"<tr><td>株式会社テスト{number}</td></tr>\n" for number in range(500)) + "</table>"
    with app.app_context():
        mail.send_email(["someone@example.com"], SUBJECT, text, html)
    (message,) = smtp_server.messages
    plain, rich = message.get_body(("plain",)), message.get_body(("html",))
    assert plain["Content-Transfer-Encoding"] == "base64"
    assert plain.get_content() == text
    assert rich.get_content() == html + "\n"
    assert message["Subject"] == SUBJECT


def test_short_ascii_text_is_sent_readable(app, smtp_server):
    with app.app_context():
        mail.send_email(["someone@example.com"], "Hello", "Plain words.\r\nSecond line")
    (envelope,) = smtp_server.envelopes
    assert b"Content-Transfer-Encoding: 7bit" in envelope.original_content
    assert b"Plain words.\r\nSecond line\r\n" in envelope.original_content
    assert smtp_server.messages[0].get_content() == "Plain words.\nSecond line\n"


def test_message_bytes_are_what_smtplib_would_write(app_ctx):
    message = mail.build_message([("山田 太郎", "yamada@example.com")], SUBJECT, "本文\r\n二行目\rです", "<p>本文</p>")
    standard = io.BytesIO()
    BytesGenerator(standard).flatten(message, linesep="\r\n")
    assert mail.message_bytes(message) == standard.getvalue()


def test_a_mailer_sends_many_messages_over_one_connection(app, smtp_server):
    with app.app_context(), mail.Mailer() as mailer:
        for number in range(3):
            assert mailer.send([f"user{number}@example.com"], f"件名 {number}", "本文") == mail.SENT
    assert [envelope.rcpt_tos for envelope in smtp_server.envelopes] == [
        ["user0@example.com"], ["user1@example.com"], ["user2@example.com"]
    ]
    assert smtp_server.connections == 1
    assert smtp_server.messages[2]["Subject"] == "件名 2"


def test_a_mailer_reconnects_when_the_server_closed_its_connection(app, smtp_server):
    with app.app_context(), mail.Mailer() as mailer:
        mailer.send(["first@example.com"], "Hello", "Body")
        smtp_server.stop()  # drops the kept connection, as a server's idle timeout would
        smtp_server.start()
        # Used a moment ago, so not checked with NOOP: the closed connection shows when the message's
        # first command fails, and the message goes out on a new one.
        assert mailer.send(["second@example.com"], "Hello", "Body") == mail.SENT
    assert [envelope.rcpt_tos for envelope in smtp_server.envelopes] == [["first@example.com"], ["second@example.com"]]
    assert smtp_server.connections == 2


def test_a_mailer_checks_a_connection_only_after_it_was_idle(app, smtp_server, monkeypatch):
    """No NOOP before a message on a connection used a moment ago (a round trip per digest of a sweep); one
    after the connection was idle longer than IDLE_CHECK_SECONDS."""
    noops = []

    async def handle_NOOP(server, session, envelope, arg):
        noops.append(session.peer)
        return "250 OK"

    smtp_server.handler.handle_NOOP = handle_NOOP
    clock = [1000.0]
    monkeypatch.setattr(mail.time, "monotonic", lambda: clock[0])
    with app.app_context(), mail.Mailer() as mailer:
        for number in range(3):
            clock[0] += 1
            assert mailer.send([f"user{number}@example.com"], "Hello", "Body") == mail.SENT
        assert noops == []
        clock[0] += mail.IDLE_CHECK_SECONDS + 1
        assert mailer.send(["late@example.com"], "Hello", "Body") == mail.SENT
    assert len(noops) == 1
    assert smtp_server.connections == 1


def test_an_idle_connection_found_closed_by_noop_is_replaced(app, smtp_server, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(mail.time, "monotonic", lambda: clock[0])
    with app.app_context(), mail.Mailer() as mailer:
        mailer.send(["first@example.com"], "Hello", "Body")
        smtp_server.stop()
        smtp_server.start()
        clock[0] += mail.IDLE_CHECK_SECONDS + 1
        assert mailer.send(["second@example.com"], "Hello", "Body") == mail.SENT
    assert [envelope.rcpt_tos for envelope in smtp_server.envelopes] == [["first@example.com"], ["second@example.com"]]
    assert smtp_server.connections == 2


def test_a_kept_connection_closing_with_421_sends_the_message_once_on_a_new_one(app, smtp_server):
    """A server closing the kept connection answers the next MAIL with 421: nothing of the message was
    accepted, so it goes out once on a new connection instead of failing."""
    handler = smtp_server.handler
    closing = {"next": False}

    async def handle_MAIL(server, session, envelope, address, mail_options):
        if closing["next"]:
            closing["next"] = False
            return "421 4.4.2 Idle timeout, closing connection"
        envelope.mail_from = address
        return "250 OK"

    handler.handle_MAIL = handle_MAIL
    with app.app_context(), mail.Mailer() as mailer:
        mailer.send(["first@example.com"], "Hello", "Body")
        closing["next"] = True
        assert mailer.send(["second@example.com"], "Hello", "Body") == mail.SENT
    assert [envelope.rcpt_tos for envelope in smtp_server.envelopes] == [["first@example.com"], ["second@example.com"]]
    assert smtp_server.connections == 2


def test_a_message_refused_on_a_kept_connection_is_not_sent_again(app, smtp_server):
    """Only a closed connection is a reason to send again: a refusal is the message's own failure."""
    smtp_server.handler.refused.add("nobody@example.com")
    with app.app_context(), mail.Mailer() as mailer:
        mailer.send(["first@example.com"], "Hello", "Body")
        with pytest.raises(mail.EmailError, match="SMTPRecipientsRefused"):
            mailer.send(["nobody@example.com"], "Hello", "Body")
    assert [envelope.rcpt_tos for envelope in smtp_server.envelopes] == [["first@example.com"]]
    assert smtp_server.connections == 1


def test_a_refused_message_does_not_stop_the_mailer(app, smtp_server):
    smtp_server.handler.refused.add("nobody@example.com")
    with app.app_context(), mail.Mailer() as mailer:
        with pytest.raises(mail.EmailError, match="SMTPRecipientsRefused"):
            mailer.send(["nobody@example.com"], "Hello", "Body")
        assert mailer.send(["someone@example.com"], "Hello", "Body") == mail.SENT
    assert [envelope.rcpt_tos for envelope in smtp_server.envelopes] == [["someone@example.com"]]


def test_a_mailer_without_mail_server_logs_every_message(app_ctx, caplog):
    with caplog.at_level(logging.INFO, logger="oversight.email"), mail.Mailer() as mailer:
        assert mailer.send(["a@example.com"], "一通目", "本文") == mail.LOGGED
        assert mailer.send(["b@example.com"], "二通目", "本文") == mail.LOGGED
    assert "一通目" in caplog.text and "二通目" in caplog.text


# --- real TLS, with a self-signed certificate made by the openssl command at test time -------

@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed; the TLS paths are covered by the tests above")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


def _server_context(certificate) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*map(str, certificate))
    return context


class Credentials:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.seen.append((login, password))
        return AuthResult(success=(login, password) == ("mailer", "s3cret"))


@pytest.fixture
def tls_mail(app, certificate):
    saved = dict(app.config)
    servers: list[SMTPCatcher] = []

    def start(**options) -> SMTPCatcher:
        server = SMTPCatcher(**options)
        server.start()
        servers.append(server)
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_CA_FILE=str(certificate[0]),
                          MAIL_USERNAME="mailer", MAIL_PASSWORD="s3cret", MAIL_TIMEOUT=5)
        return server

    yield start
    for server in servers:
        server.stop()
    app.config.clear()
    app.config.update(saved)


def test_starttls_with_login_delivers(app, certificate, tls_mail):
    credentials = Credentials()
    server = tls_mail(tls_context=_server_context(certificate), require_starttls=True, authenticator=credentials)
    app.config.update(MAIL_USE_TLS=True, MAIL_USE_SSL=False)
    with app.app_context():
        assert mail.send_email(["someone@example.com"], "暗号化", "STARTTLS の本文") == mail.SENT
    assert credentials.seen == [("mailer", "s3cret")]
    assert server.messages[0].get_content().strip() == "STARTTLS の本文"


def test_smtps_with_login_delivers(app, certificate, tls_mail):
    credentials = Credentials()
    # aiosmtpd only counts STARTTLS as TLS when offering AUTH; on SMTPS the whole session is TLS.
    server = tls_mail(ssl_context=_server_context(certificate), authenticator=credentials, auth_require_tls=False)
    app.config.update(MAIL_USE_TLS=False, MAIL_USE_SSL=True)
    with app.app_context():
        assert mail.send_email(["someone@example.com"], "暗号化", "SMTPS の本文") == mail.SENT
    assert credentials.seen == [("mailer", "s3cret")]
    assert server.messages[0]["Subject"] == "暗号化"


def test_untrusted_certificate_is_refused(app, certificate, tls_mail):
    tls_mail(tls_context=_server_context(certificate), require_starttls=True)
    app.config.update(MAIL_USE_TLS=True, MAIL_CA_FILE="")
    with app.app_context(), pytest.raises(mail.EmailError, match="CERTIFICATE_VERIFY_FAILED"):
        mail.send_email(["someone@example.com"], "Hello", "Body")


def test_421_to_quit_after_the_message_was_accepted_is_still_sent(app, smtp_server):
    async def handle_QUIT(server, session, envelope):
        return "421 4.3.0 Service closing transmission channel"

    smtp_server.handler.handle_QUIT = handle_QUIT
    with app.app_context():
        assert mail.send_email(["quit@example.com"], "Subject", "Body\n") == mail.SENT
    assert len(smtp_server.envelopes) == 1


def test_an_answer_lost_after_the_whole_message_is_uncertain_not_failed(app, smtp_server):
    handler = smtp_server.handler
    keep = handler.handle_DATA

    async def handle_DATA(server, session, envelope):
        status = await keep(server, session, envelope)
        server.transport.abort()  # the message is kept, the answer never sent
        return status

    handler.handle_DATA = handle_DATA
    with app.app_context(), pytest.raises(mail.EmailUncertain, match="may have accepted"):
        mail.send_email(["lost@example.com"], "Subject", ".leading dot\nBody\n")
    (message,) = smtp_server.messages
    assert message.get_content() == ".leading dot\nBody\n"  # dot-stuffed on the wire, intact on arrival


def test_a_refused_message_is_failed_not_uncertain(app, smtp_server):
    async def handle_DATA(server, session, envelope):
        return "554 5.6.0 Message refused"

    smtp_server.handler.handle_DATA = handle_DATA
    with app.app_context(), pytest.raises(mail.EmailError) as raised:
        mail.send_email(["refused@example.com"], "Subject", "Body\n")
    assert not isinstance(raised.value, mail.EmailUncertain)
    assert "554" in str(raised.value)


def test_the_same_message_id_key_makes_the_same_message_id(app, smtp_server):
    with app.app_context(), mail.Mailer() as mailer:
        mailer.send(["a@example.com"], "One", "Body\n", message_id="reminders.abc123")
        mailer.send(["a@example.com"], "Two", "Body\n", message_id="reminders.abc123")
        mailer.send(["a@example.com"], "Three", "Body\n")
    first, second, third = (message["Message-ID"] for message in smtp_server.messages)
    assert first == second and first.startswith("<reminders.abc123@")
    assert third != first

"""Fixtures shared by every test.

The database is created once per session: a temporary SQLite file, or the
PostgreSQL database named by ``TEST_DATABASE_URL``. After each test every table is
emptied, so tests never see each other's rows (and a live server thread can use
the same database).
"""

from __future__ import annotations

import email
import email.policy
import os
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from oversight import create_app
from oversight.auth import services as auth_services
from oversight.auth.roles import ALL_ROLES
from oversight.config import TestConfig
from oversight.extensions import db
from oversight.status import store as status_store
from oversight.subcontracts import states as node_states
from oversight.units import scope as unit_scope

TEST_PASSWORD = "correct-horse-battery-42"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@contextmanager
def scratch_postgresql_database(suffix: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database beside the test database (``<its name>_<suffix>``), for a test that
    needs a schema of its own (migrations, several servers); yields its URL and drops it afterwards.

    The test is skipped when ``TEST_DATABASE_URL`` names no PostgreSQL database. A database left by an
    interrupted run is dropped first; ``WITH (FORCE)`` ends connections a failed test left open.
    """
    configured = os.environ.get("TEST_DATABASE_URL", "")
    if not configured.startswith("postgresql"):
        pytest.skip("TEST_DATABASE_URL (PostgreSQL) is not set")
    url = make_url(configured)
    name = f"{url.database}_{suffix}"
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield url.set(database=name).render_as_string(hide_password=False)
        finally:
            with server.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        server.dispose()


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    application = create_app(
        TestConfig(database_url, UPLOAD_FOLDER=str(tmp_path_factory.mktemp("uploads")))
    )
    with application.app_context():
        db.session.remove()
        db.drop_all()
        db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def empty_all_tables() -> None:
    """Delete every row of every table (fast on both engines)."""
    tables = db.metadata.sorted_tables
    if db.engine.dialect.name == "postgresql":
        # Most tests write to a few tables only: find those in one round trip, then
        # DELETE their rows (children first). TRUNCATE would make new files on disk
        # for every table and is many times slower for the few rows a test writes.
        probe = " UNION ALL ".join(
            f"SELECT '{table.name}' WHERE EXISTS (SELECT 1 FROM \"{table.name}\")" for table in tables
        )
        used = {row[0] for row in db.session.execute(text(probe))}
        for table in reversed(tables):
            if table.name in used:
                db.session.execute(table.delete())
    else:
        for table in reversed(tables):
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture(autouse=True)
def _whole_group_outside_requests() -> Iterator[None]:
    """Test code outside a request (factories, direct service calls, checks) reads the whole group, as the
    CLI does; every request still sets its own scope from its signed-in user (docs/units.md)."""
    with unit_scope.whole_group():
        yield


@pytest.fixture(autouse=True)
def _empty_database_after_test(app) -> Iterator[None]:
    yield
    with app.app_context():
        db.session.remove()
        # Every test checks the stored vendor states (``status.store``) against a fresh judgement:
        # whatever a test changed, the session hook must have re-judged the vendors it touched.
        stale = status_store.mismatches()
        stale_nodes = node_states.mismatches()
        db.session.remove()
        empty_all_tables()
        db.session.remove()
    assert not stale, f"stored vendor states differ from a fresh judgement: {stale}"
    assert not stale_nodes, f"stored subcontract node states differ from a fresh judgement: {stale_nodes}"


@pytest.fixture
def app_ctx(app) -> Iterator[None]:
    """An application context for tests that call services directly."""
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@dataclass
class UserInfo:
    id: int
    email: str
    password: str
    roles: tuple[str, ...]


@pytest.fixture
def make_user(app) -> Callable[..., UserInfo]:
    """Create a user in its own app context; returns plain data, not a live object."""
    counter = {"n": 0}

    def factory(*roles: str, email: str | None = None, language: str = "ja", name: str | None = None) -> UserInfo:
        counter["n"] += 1
        email = email or f"{'-'.join(roles) or 'user'}{counter['n']}@example.com"
        with app.app_context():
            user = auth_services.create_user(
                email=email,
                name=name or f"テスト {counter['n']}",
                password=TEST_PASSWORD,
                roles=list(roles),
                language=language,
                actor=None,
            )
            db.session.commit()
            return UserInfo(user.id, user.email, TEST_PASSWORD, tuple(roles))

    return factory


@pytest.fixture
def login(client) -> Callable[[UserInfo], object]:
    """Sign ``user`` in through the real sign-in form."""

    def do_login(user: UserInfo):
        response = client.post("/auth/login", data={"email": user.email, "password": user.password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return do_login


@pytest.fixture
def login_as(make_user, login) -> Callable[..., UserInfo]:
    """Create a user with ``roles`` and sign in as them."""

    def do(*roles: str, **kwargs) -> UserInfo:
        user = make_user(*roles, **kwargs)
        login(user)
        return user

    return do


@pytest.fixture(params=ALL_ROLES)
def any_role(request) -> str:
    return request.param


class QueryCounter:
    """Counts the SQL statements run while it is active."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """``with count_queries() as counter: …`` then ``counter.count``."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        counter = QueryCounter()
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", counter)

    return counting


def free_port() -> int:
    """A TCP port nobody listens on right now (bind to 0, read it, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CollectingHandler:
    """aiosmtpd handler keeping every envelope; refuses recipients listed in ``refused``."""

    def __init__(self) -> None:
        self.envelopes: list = []
        self.refused: set[str] = set()
        self.peers: list = []  # the client's (host, port) of each accepted message: one port per connection

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refused:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.peers.append(session.peer)
        return "250 Message accepted for delivery"


class SMTPCatcher:
    """A real SMTP server on 127.0.0.1 collecting what the app sends; ``stop``/``start`` it at will."""

    def __init__(self, **controller_options) -> None:
        self.handler = CollectingHandler()
        self.port = free_port()
        self.controller_options = controller_options
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=True, **self.controller_options
        )
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def envelopes(self) -> list:
        return list(self.handler.envelopes)

    @property
    def messages(self) -> list:
        """Every received message, parsed (line ends normalised to ``\\n``)."""
        return [
            email.message_from_bytes(envelope.original_content.replace(b"\r\n", b"\n"), policy=email.policy.default)
            for envelope in self.handler.envelopes
        ]

    @property
    def connections(self) -> int:
        """How many client connections the accepted messages came over."""
        return len(set(self.handler.peers))

    def clear(self) -> None:
        self.handler.envelopes.clear()
        self.handler.peers.clear()


MAIL_SETTINGS = ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USE_SSL", "MAIL_USERNAME", "MAIL_PASSWORD")


@pytest.fixture
def smtp_server(app) -> Iterator[SMTPCatcher]:
    """An aiosmtpd server the app sends to during the test (app mail settings restored after)."""
    server = SMTPCatcher()
    server.start()
    saved = {key: app.config[key] for key in MAIL_SETTINGS}
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_USE_TLS=False, MAIL_USE_SSL=False,
        MAIL_USERNAME="", MAIL_PASSWORD="",
    )
    try:
        yield server
    finally:
        server.stop()
        app.config.update(saved)

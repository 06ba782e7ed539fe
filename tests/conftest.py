"""Fixtures shared by every test.

The database is created once per session: a temporary SQLite file, or the
PostgreSQL database named by ``TEST_DATABASE_URL``. After each test every table is
emptied, so tests never see each other's rows (and a live server thread can use
the same database).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import event, text

from oversight import create_app
from oversight.auth import services as auth_services
from oversight.auth.roles import ALL_ROLES
from oversight.config import TestConfig
from oversight.extensions import db

TEST_PASSWORD = "correct-horse-battery-42"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


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
        names = ", ".join(f'"{table.name}"' for table in tables)
        db.session.execute(text(f"TRUNCATE TABLE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(tables):
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture(autouse=True)
def _empty_database_after_test(app) -> Iterator[None]:
    yield
    with app.app_context():
        db.session.remove()
        empty_all_tables()
        db.session.remove()


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

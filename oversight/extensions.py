"""Flask extensions, created unbound; ``create_app`` binds them to an app."""

from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import Engine, MetaData, event
from sqlalchemy.orm import DeclarativeBase

# A naming convention lets Alembic name (and so alter or drop) every constraint,
# which SQLite's batch migrations need.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
bootstrap = Bootstrap5()


# SQLite's page cache per connection, in KiB (its default is 2,000 KiB). A 5,000-vendor database is
# ~350 MB: with the default, a dashboard's statements (several thousand rows read from the contracts,
# disposal items and vendor states) evicted each other's pages and read them again from the operating
# system on every request, a quarter of the page's CPU. This is the database's own buffer cache (like
# PostgreSQL's shared buffers): SQLite drops it whenever another connection has written the file, so it
# never serves stale pages. It grows only as pages are read; a sync worker uses one connection at a time.
SQLITE_CACHE_KIB = 65536


def enforce_foreign_keys(engine: Engine) -> None:
    """Make SQLite enforce foreign keys (RESTRICT, SET NULL) as PostgreSQL does: it checks them only on
    connections that ask, so every new connection asks. Migrations switch it off while SQLite's batch
    mode rebuilds tables (``migrations/env.py``). Each connection also gets a larger page cache
    (:data:`SQLITE_CACHE_KIB`)."""
    if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _configure_sqlite):
        event.listen(engine, "connect", _configure_sqlite)


def _configure_sqlite(dbapi_connection, _connection_record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.close()


def use_wal_journal(engine: Engine) -> None:
    """Give SQLite's file databases the write-ahead log (WAL) journal, keeping ``synchronous=FULL``.

    A commit then appends its pages to the ``-wal`` file and syncs that one file, where the default
    rollback journal wrote and synced a journal, the database and the journal's deletion: the reminder
    sweep commits once per digest (docs/reminders.md, "SQLite's WAL journal"). ``FULL``, not ``NORMAL``:
    a commit is still on disk when it returns, so a digest's claim ("sending") survives a power loss
    before its e-mail goes out and the digest is never sent again as new. Readers no longer wait for a
    writer. The journal mode is stored in the file (an in-memory database keeps its own); a copy of the
    database is made with ``sqlite3 … ".backup"`` (README), which reads the log too.
    """
    if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _wal_journal):
        event.listen(engine, "connect", _wal_journal)


def _wal_journal(dbapi_connection, _connection_record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()

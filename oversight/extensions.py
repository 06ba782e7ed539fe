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


# SQLite's page cache per connection, in KiB: SQLite's own default unless ``SQLITE_CACHE_KIB`` is set
# (``Config``). A larger cache makes the dashboard cheaper at 5,000 vendors (its statements read several
# thousand rows of contracts, disposal items and vendor states and, with 2,000 KiB, evicted each other's
# pages: all-roles dashboard ~155-180 ms of CPU with the default, ~100-150 ms with 65536 KiB, measured
# in-process on a loaded machine), but the cache grows with what a worker reads, up to its size, and
# stays: 64 MiB put the register PDF's peak from ~191 to ~206 MB at 5,000 vendors, past the 200 MB the
# register is held to. So the default stays SQLite's, and a deployment with memory to spare sets more.
# SQLite drops the cache whenever another connection has written the file: it never serves stale pages.
SQLITE_DEFAULT_CACHE_KIB = 2000


def enforce_foreign_keys(engine: Engine, cache_kib: int = SQLITE_DEFAULT_CACHE_KIB) -> None:
    """Make SQLite enforce foreign keys (RESTRICT, SET NULL) as PostgreSQL does: it checks them only on
    connections that ask, so every new connection asks. Migrations switch it off while SQLite's batch
    mode rebuilds tables (``migrations/env.py``). Each connection also gets ``cache_kib`` of page cache
    (:data:`SQLITE_DEFAULT_CACHE_KIB`)."""
    if engine.dialect.name != "sqlite" or getattr(engine, "_oversight_configured", False):
        return

    def configure(dbapi_connection, _connection_record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA cache_size=-{int(cache_kib)}")
        cursor.close()

    event.listen(engine, "connect", configure)
    engine._oversight_configured = True


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

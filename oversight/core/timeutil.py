"""Clock helpers: instants are UTC, the dates people think in are in the app's time zone."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy import Date, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


def utcnow() -> datetime:
    """The current instant, timezone-aware UTC."""
    return datetime.now(UTC)


def app_timezone() -> ZoneInfo:
    """The zone dates are reckoned in (TIMEZONE, default Asia/Tokyo)."""
    name = current_app.config.get("TIMEZONE", "Asia/Tokyo") if has_app_context() else "Asia/Tokyo"
    return ZoneInfo(name)


def local_today() -> date:
    """Today's date in the app's time zone."""
    return datetime.now(app_timezone()).date()


def to_local(value: datetime) -> datetime:
    """An instant shown in the app's time zone."""
    return value.astimezone(app_timezone())


def local_stamp(value: datetime, seconds: bool = False) -> str:
    """An instant as people read it in records that leave the app (PDFs, the evidence pack), its zone
    stated: ``2026-12-07 10:35 JST``."""
    local = to_local(value)
    return f"{local:%Y-%m-%d %H:%M{':%S' if seconds else ''}} {local.tzname()}"


class sql_local_date(FunctionElement):
    """``to_local(instant).date()`` in SQL, for a naive-UTC column (``UTCDateTime``): the day people saw.

    PostgreSQL converts with the zone's rules (``TIMEZONE``); SQLite has no zone data and adds the
    zone's present offset, exact for zones without summer time such as the default Asia/Tokyo.
    """

    type = Date()
    name = "local_date"
    inherit_cache = True


def local_date(column) -> sql_local_date:
    zone = app_timezone()
    minutes = int(datetime.now(zone).utcoffset().total_seconds() // 60)
    return sql_local_date(column, literal(zone.key), literal(f"{minutes:+d} minutes"))


@compiles(sql_local_date)
def _local_date_postgresql(element, compiler, **kw):
    column, zone, _offset = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(timezone({zone}, timezone('UTC', {column})) AS DATE)"


@compiles(sql_local_date, "sqlite")
def _local_date_sqlite(element, compiler, **kw):
    column, _zone, offset = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"date({column}, {offset})"

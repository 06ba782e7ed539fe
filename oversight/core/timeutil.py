"""Clock helpers: instants are UTC, the dates people think in are in the app's time zone."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context


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

"""Writing and reading the activity log. Every feature logs through :func:`record`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import has_request_context, request
from sqlalchemy import ColumnElement, Select

from oversight.activity.models import ActivityLog
from oversight.core.timeutil import app_timezone, utcnow
from oversight.extensions import db


def _unproxied(value: Any) -> Any:
    """The object behind a proxy such as ``current_user`` (its type names the record)."""
    getter = getattr(value, "_get_current_object", None)
    return getter() if callable(getter) else value


def type_name(model: type) -> str:
    """How a model's records are named in the log: ``activity_type`` or its table name, singular."""
    return getattr(model, "activity_type", None) or model.__tablename__.removesuffix("s")


def object_type_of(target: Any) -> str:
    """How a record's type is named in the log (its own ``activity_type`` first: a record that is no model)."""
    return getattr(target, "activity_type", None) or type_name(type(target))


def record(
    action: str,
    *,
    actor: Any = None,
    target: Any = None,
    summary: str = "",
    changes: dict[str, list[Any]] | None = None,
) -> Any:
    """Add one log row (the caller commits). ``target`` is the model instance acted on.

    The origin (IP address and browser) is taken from the current request when
    there is one; jobs and CLI commands have none.
    """
    actor, target = _unproxied(actor), _unproxied(target)
    row = ActivityLog(
        occurred_at=utcnow(),
        actor_id=getattr(actor, "id", None),
        # A staff user is named by their e-mail; an actor without an account (a vendor contact in the
        # portal) carries its own ``activity_label`` and no id.
        actor_label=(getattr(actor, "activity_label", None) or getattr(actor, "email", "") or "")[:254],
        action=action,
        object_type=object_type_of(target) if target is not None else None,
        object_id=getattr(target, "id", None) if target is not None else None,
        summary=summary[:2000],
        changes=changes or None,
    )
    if has_request_context():
        row.ip_address = (request.remote_addr or "")[:45] or None
        row.user_agent = (request.user_agent.string or "")[:300] or None
    db.session.add(row)
    return row


def record_many(entries: list[tuple[str, Any, str, dict[str, list[Any]] | None]], *, actor: Any = None) -> int:
    """Add one log row per ``(action, target, summary, changes)`` in a single batched INSERT (the caller
    commits): the same rows as :func:`record` writes, without an ORM object each (the bulk import logs
    tens of thousands at once). The targets must have their ids (be flushed). Returns the number of rows."""
    if not entries:
        return 0
    actor = _unproxied(actor)
    origin: dict[str, Any] = {"ip_address": None, "user_agent": None}
    if has_request_context():
        origin = {
            "ip_address": (request.remote_addr or "")[:45] or None,
            "user_agent": (request.user_agent.string or "")[:300] or None,
        }
    common = {
        "occurred_at": utcnow(),
        "actor_id": getattr(actor, "id", None),
        "actor_label": (getattr(actor, "activity_label", None) or getattr(actor, "email", "") or "")[:254],
        **origin,
    }
    rows = []
    for action, given_target, summary, changes in entries:
        target = _unproxied(given_target)
        rows.append(
            {
                **common,
                "action": action,
                "object_type": object_type_of(target) if target is not None else None,
                "object_id": getattr(target, "id", None) if target is not None else None,
                "summary": summary[:2000],
                "changes": changes or None,
            }
        )
    db.session.execute(db.insert(ActivityLog), rows)
    return len(rows)


@dataclass(frozen=True)
class LogFilter:
    """What the activity log page filters on."""

    actor_id: int | None = None
    object_type: str | None = None
    object_id: int | None = None
    action: str | None = None
    date_from: date | None = None
    date_to: date | None = None


PREFIX_END = "\U0010ffff"  # sorts after every character when text is compared code point by code point


def _action_starts_with(prefix: str) -> list[ColumnElement[bool]]:
    """``action LIKE 'prefix%'``; on SQLite also as a range, which the action index answers.

    SQLite's LIKE with a parameter cannot use the index (a rare action walked the whole log, 300,000
    rows). SQLite compares text code point by code point, so the range holds exactly the prefixed
    actions; under a PostgreSQL locale collation a range could leave rows out, so LIKE alone decides there.
    """
    condition = [ActivityLog.action.startswith(prefix)]
    if db.session.get_bind().dialect.name == "sqlite":
        condition += [ActivityLog.action >= prefix, ActivityLog.action < prefix + PREFIX_END]
    return condition


def filtered_query(filters: LogFilter) -> Select:
    """Log rows matching ``filters``, newest first."""
    query = db.select(ActivityLog)
    if filters.actor_id:
        query = query.where(ActivityLog.actor_id == filters.actor_id)
    if filters.object_type:
        query = query.where(ActivityLog.object_type == filters.object_type)
    if filters.object_id:
        query = query.where(ActivityLog.object_id == filters.object_id)
    if filters.action:
        query = query.where(*_action_starts_with(filters.action))
    zone = app_timezone()
    if filters.date_from:
        query = query.where(ActivityLog.occurred_at >= datetime.combine(filters.date_from, time(), zone))
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time(), zone)
        query = query.where(ActivityLog.occurred_at < end)
    return query.order_by(ActivityLog.occurred_at.desc(), ActivityLog.id.desc())

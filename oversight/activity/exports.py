"""The activity log as CSV/XLSX rows (raw codes beside their labels, for audit trails): the changes both as
stored (JSON of codes) and as the page shows them in the reader's language (``display.LogReader``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import islice

from flask_babel import gettext as _
from sqlalchemy import Select

from oversight.activity.actions import action_label
from oversight.activity.display import LogReader
from oversight.core import registry
from oversight.core.exports import ListExport, batched


def _readable(reader: LogReader, row) -> str:
    return "\n".join(f"{line.field}: {line.before} → {line.after}" for line in reader.changes(row))


def _activity_rows(query: Select) -> Iterator[tuple]:
    features, rows = registry.current(), batched(query, 1000)
    while page := list(islice(rows, 1000)):
        reader = LogReader(features).load(page)  # the names of a thousand rows in one statement
        yield from (_row(reader, row) for row in page)


def _row(reader: LogReader, row) -> tuple:
    return (
        row.id,
        row.occurred_at,
        row.actor_label,
        row.action,
        str(action_label(row.action)),
        row.object_type or "",
        row.object_id,
        row.summary,
        json.dumps(row.changes, ensure_ascii=False) if row.changes else "",
        row.ip_address or "",
        row.user_agent or "",
        reader.record(row),
        _readable(reader, row),
    )


def _activity_header() -> list[str]:
    return [
        "id",
        "occurred_at",
        "user",
        "action",
        "action_label",
        "object_type",
        "object_id",
        "summary",
        "changes",
        "ip_address",
        "user_agent",
        "record",
        "changes_label",
    ]


EXPORT = ListExport("activity-log", lambda: _("Activity log"), _activity_header, _activity_rows)

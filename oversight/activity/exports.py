"""The activity log as CSV/XLSX rows (raw codes beside their labels, for audit trails)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from flask_babel import gettext as _
from sqlalchemy import Select

from oversight.activity.actions import action_label
from oversight.core.exports import ListExport, batched


def _activity_rows(query: Select) -> Iterator[tuple]:
    for row in batched(query, 1000):
        yield (
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
    ]


EXPORT = ListExport("activity-log", lambda: _("Activity log"), _activity_header, _activity_rows)

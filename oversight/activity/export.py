"""CSV export of the activity log, streamed so a large log does not fill memory."""

import csv
import io
import json
from collections.abc import Iterator

from sqlalchemy import Select

from oversight.activity.actions import action_label
from oversight.extensions import db
from oversight.web.templating import format_datetime

HEADER = (
    "id", "occurred_at", "user", "action", "action_label", "object_type", "object_id", "summary", "changes",
    "ip_address", "user_agent",
)


def csv_rows(query: Select, batch_size: int = 1000) -> Iterator[str]:
    """The log as CSV text chunks, UTF-8 with a byte-order mark so Excel reads Japanese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(HEADER)
    for row in db.session.scalars(query.execution_options(yield_per=batch_size)):
        writer.writerow(
            (
                row.id,
                format_datetime(row.occurred_at),
                row.actor_label,
                row.action,
                action_label(row.action),
                row.object_type or "",
                row.object_id or "",
                row.summary,
                json.dumps(row.changes, ensure_ascii=False) if row.changes else "",
                row.ip_address or "",
                row.user_agent or "",
            )
        )
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()

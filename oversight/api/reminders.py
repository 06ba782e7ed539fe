"""``/api/v1/reminders``: the reminder outbox, read as on its page (administrators only, as the page)."""

from __future__ import annotations

from spectree import Response

from oversight.api import schemas as s
from oversight.api.access import api_access
from oversight.api.blueprint import bp
from oversight.api.pagination import page
from oversight.api.spec import spec
from oversight.api.vendors import READ_ERRORS
from oversight.auth.roles import ADMIN
from oversight.reminders import services
from oversight.reminders.models import ReminderLog


@bp.get("/reminders")
@api_access(ADMIN)  # reminder.outbox in docs/permissions.md, as reminders.outbox
@spec.validate(query=s.ReminderFilters, resp=Response(HTTP_200=s.ReminderPage, HTTP_400=s.Problem, **READ_ERRORS),
               tags=["reminders"], operation_id="listReminders")
def reminders(query: s.ReminderFilters):
    """Every reminder row with the outbox page's filters (status, rule, recipient), in cursor pages."""
    filters = services.OutboxFilter(status=query.status or None, rule=query.rule or None,
                                    recipient_id=query.recipient)
    rows, next_cursor = page(services.outbox_query(filters), ReminderLog.id, cursor=query.cursor, limit=query.limit)
    return s.ReminderPage(items=[s.Reminder.model_validate(row, from_attributes=True) for row in rows],
                          next_cursor=next_cursor)

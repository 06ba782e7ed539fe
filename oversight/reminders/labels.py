"""Reminder codes as people read them: a stage (``lead-30``, ``due``, ``overdue-2``, ``sokuho-lead-7``,
``manager-waiting-1``)."""

from __future__ import annotations

import re

from flask_babel import gettext as _

from oversight.auth.roles import ROLE_LABELS
from oversight.incidents.rules import STAGE_PREFIX_LABELS

PREFIX_LABELS = {**STAGE_PREFIX_LABELS, **ROLE_LABELS}  # an incident's clock; the role a decision waits for

STAGE = re.compile(
    r"^(?:(?P<prefix>[a-z]+)-)??(?P<step>lead|overdue|waiting)-(?P<number>\d+)$|^(?:(?P<prefix2>[a-z]+)-)?due$"
)


def stage_label(stage: str) -> str:
    """``lead-30`` → 「期限の30日前」, ``due`` → 「期限当日」, ``overdue-2`` → 「期限超過（2回目）」;
    an incident's clock (``sokuho-lead-7``) or the role a decision waits for (``manager-waiting-1``) is named
    before it. Unknown codes are shown as they are."""
    if stage == "opened":  # a request the schedule opened, announced to the vendor's contacts
        return _("Request opened")
    found = STAGE.match(stage or "")
    if not found:
        return stage
    prefix = found.group("prefix") or found.group("prefix2")
    if found.group("step") == "lead":
        text = _("%(days)s days before the due date", days=found.group("number"))
    elif found.group("step") == "overdue":
        text = _("Overdue (reminder %(number)s)", number=found.group("number"))
    elif found.group("step") == "waiting":
        text = _("Waiting for a decision (reminder %(number)s)", number=found.group("number"))
    else:
        text = _("On the due date")
    if prefix:
        label = PREFIX_LABELS.get(prefix)
        if label is None:
            return stage
        text = f"{label}: {text}"
    return text

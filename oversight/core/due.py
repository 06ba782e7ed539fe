"""The due-date framework: what a reminder rule reports, and the stages of a due date.

A rule is a pure function ``rule(session, today) -> Iterable[DueItem]``. It reads through the
SQLAlchemy ``session`` it is given, never sends anything and never writes. Each feature lists its
rules in its ``rules.py`` (``RULES``, with the digest sections they use in ``DIGEST_KINDS``), and
``oversight/features.py`` lists the features: the sweep runs what that one registry names.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

# The reminder log's column sizes (title and url_path are cut to 300 when stored).
FIELD_LIMITS = {"rule": 80, "kind": 40, "object_type": 40, "stage": 20}

DEFAULT_LEAD_DAYS = (30, 7, 1)


@dataclass(frozen=True)
class DueItem:
    """One thing falling due, to be reminded at ``stage`` to ``recipients`` (user ids) and ``contacts``
    (vendor contact ids: the vendor portal's requests, mailed with a sign-in link)."""

    rule: str
    kind: str
    object_type: str
    object_id: int
    title: str
    due_on: date
    stage: str
    days_late: int
    url_path: str
    recipients: frozenset[int] = field(default_factory=frozenset)
    escalate: bool = False
    contacts: frozenset[int] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        # Refuse here, inside the rule (which the sweep then skips and reports), rather than
        # fail the whole sweep's insert on PostgreSQL's column lengths.
        for name, limit in FIELD_LIMITS.items():
            if len(getattr(self, name)) > limit:
                raise ValueError(f"DueItem.{name} is longer than {limit} characters: {getattr(self, name)!r}")
        object.__setattr__(self, "recipients", frozenset(self.recipients))
        object.__setattr__(self, "contacts", frozenset(self.contacts))


RuleFunction = Callable[[Session, date], Iterable[DueItem]]


@dataclass(frozen=True)
class DigestKind:
    """A digest section: the ``kind`` of due items it gathers, its heading (a lazy translated
    string) and its place (lower ``order`` first)."""

    kind: str
    label: object
    order: int = 100


@dataclass(frozen=True)
class StagePolicy:
    """When reminders go out for a due date: lead times before it, then a repeat period after it."""

    lead_days: tuple[int, ...] = DEFAULT_LEAD_DAYS
    overdue_repeat_days: int = 7


def reminded_ids(*user_ids: int | None) -> frozenset[int]:
    """The users to remind among ``user_ids`` (an owner or manager not set is left out)."""
    return frozenset(user_id for user_id in user_ids if user_id)


def rule_key(rule: RuleFunction) -> str:
    return f"{rule.__module__}.{getattr(rule, '__qualname__', repr(rule))}"


def reminder_stage(due_on: date, today: date, policy: StagePolicy) -> str | None:
    """The reminder stage ``today`` is in for ``due_on``, or None when it is too early.

    Stages: ``lead-30``, ``lead-7``, ``lead-1`` (the smallest lead time of the policy already
    reached), ``due`` on the day, then ``overdue-1`` from the day after, ``overdue-2`` a repeat
    period later, and so on. The reminder log keeps one row per stage, so a daily sweep sends each
    stage once and a missed day is caught up by the next run. Read the policy once per rule run
    (``oversight.admin.reminder_settings.stage_policy``), not per item.
    """
    days_left = (due_on - today).days
    if days_left < 0:
        return f"overdue-{(-days_left - 1) // policy.overdue_repeat_days + 1}"
    if days_left == 0:
        return "due"
    for lead in sorted(policy.lead_days):
        if days_left <= lead:
            return f"lead-{lead}"
    return None


def stage_horizon(today: date, policy: StagePolicy) -> date:
    """The last due date that has a reminder stage on ``today`` (the longest lead time ahead).

    Rules filter with ``due_on <= stage_horizon(today, policy)`` in SQL, so a sweep reads only the
    rows that can be due instead of every open object of the register.
    """
    return today + timedelta(days=max(policy.lead_days))


def days_late(due_on: date, today: date) -> int:
    """How many days past ``due_on`` ``today`` is (negative: days still left)."""
    return (today - due_on).days


def collect_due(
    session: Session, today: date, rules: Iterable[RuleFunction], errors: list[str] | None = None
) -> list[DueItem]:
    """Every item ``rules`` report for ``today``.

    A rule that raises is logged and skipped (its message appended to ``errors``), so one
    feature's bug does not stop everybody else's reminders.
    """
    items: list[DueItem] = []
    for rule in rules:
        try:
            items.extend(rule(session, today))
        except Exception as exc:
            session.rollback()  # rules only read, so nothing is lost
            log.exception("Reminder rule %s failed", rule_key(rule))
            if errors is not None:
                errors.append(f"{rule_key(rule)}: {type(exc).__name__}: {exc}")
    return items


# --- labels in stored titles ------------------------------------------------------------------
# A due item's title is stored in the reminder log and read later, by people of either language (the
# digest of each recipient, the outbox). Names are data; a label in a title is kept as its msgid between
# these marks and translated when the title is shown (``title_text``), so an English digest reads
# "Next audit" where a Japanese one reads 次回監査.
LABEL_MARK = re.compile("\u27e6([^\u27e7]*)\u27e7")


def label_code(label: object) -> str:
    """``label`` (a lazy translated string or an English msgid) as a mark that ``title_text`` translates."""
    args = getattr(label, "_args", None)  # flask_babel's LazyString keeps its msgid
    msgid = args[0] if args else str(label)
    return f"\u27e6{msgid}\u27e7"


def title_text(title: str, translate: Callable[[str], str] = gettext) -> str:
    """A stored title in the current locale: each marked label translated (titles without marks as they are).
    ``translate``: the current locale's ``gettext`` (``core.i18n.translator()`` when titles are many)."""
    if not title or "\u27e6" not in title:
        return title or ""
    return LABEL_MARK.sub(lambda found: translate(found.group(1)), title)

"""The rule framework: features register functions that say what falls due, and for whom.

A rule is a pure function ``rule(session, today) -> Iterable[DueItem]``. It reads through the
SQLAlchemy ``session`` it is given, never sends anything and never writes. Register it once at
import time of the feature's ``rules.py``::

    @register_rule
    def contract_end(session, today):
        policy = stage_policy()
        for contract in session.scalars(...):
            stage = reminder_stage(contract.end_on, today, policy)
            if stage:
                yield DueItem(...)
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

import oversight
from oversight.reminders.settings import StagePolicy, stage_policy

log = logging.getLogger(__name__)


# The reminder log's column sizes (title and url_path are cut to 300 when stored).
FIELD_LIMITS = {"rule": 80, "kind": 40, "object_type": 40, "stage": 20}


@dataclass(frozen=True)
class DueItem:
    """One thing falling due, to be reminded at ``stage`` to ``recipients`` (user ids)."""

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

    def __post_init__(self) -> None:
        # Refuse here, inside the rule (which the sweep then skips and reports), rather than
        # fail the whole sweep's insert on PostgreSQL's column lengths.
        for name, limit in FIELD_LIMITS.items():
            if len(getattr(self, name)) > limit:
                raise ValueError(f"DueItem.{name} is longer than {limit} characters: {getattr(self, name)!r}")
        object.__setattr__(self, "recipients", frozenset(self.recipients))


RuleFunction = Callable[[Session, date], Iterable[DueItem]]

RULES: dict[str, RuleFunction] = {}

# Digest section headings, one per kind; features add theirs with ``register_kind``.
KIND_LABELS: dict[str, object] = {}
KIND_ORDER: dict[str, int] = {}


def register_rule(rule: RuleFunction) -> RuleFunction:
    """Add ``rule`` to every sweep (registering it again is harmless); usable as a decorator."""
    RULES[rule_key(rule)] = rule
    return rule


def unregister_rule(rule: RuleFunction) -> None:
    """Take ``rule`` out of the sweep (tests use this to clean up)."""
    RULES.pop(rule_key(rule), None)


def rule_key(rule: RuleFunction) -> str:
    return f"{rule.__module__}.{getattr(rule, '__qualname__', repr(rule))}"


def register_kind(kind: str, label: object, order: int = 100) -> None:
    """Name a digest section (``label`` is a lazy translated string); lower ``order`` comes first."""
    KIND_LABELS[kind] = label
    KIND_ORDER[kind] = order


def kind_label(kind: str) -> str:
    label = KIND_LABELS.get(kind)
    return str(label) if label is not None else kind


def registered_rules() -> list[RuleFunction]:
    return [RULES[key] for key in sorted(RULES)]


def reminder_stage(due_on: date, today: date, policy: StagePolicy | None = None) -> str | None:
    """The reminder stage ``today`` is in for ``due_on``, or None when it is too early.

    Stages: ``lead-30``, ``lead-7``, ``lead-1`` (the smallest lead time of the
    ``reminders.lead_days`` setting already reached), ``due`` on the day, then ``overdue-1`` from
    the day after, ``overdue-2`` a repeat period (``reminders.overdue_repeat_days``) later, and so
    on. The reminder log keeps one row per stage, so a daily sweep sends each stage once and a
    missed day is caught up by the next run. Pass ``policy=stage_policy()`` when calling this for
    many objects, so the settings are read once.
    """
    policy = policy or stage_policy()
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


def collect_due(session: Session, today: date, errors: list[str] | None = None) -> list[DueItem]:
    """Every item every registered rule reports for ``today``.

    A rule that raises is logged and skipped (its message appended to ``errors``), so one
    feature's bug does not stop everybody else's reminders.
    """
    items: list[DueItem] = []
    for rule in registered_rules():
        try:
            items.extend(rule(session, today))
        except Exception as exc:
            session.rollback()  # rules only read, so nothing is lost
            log.exception("Reminder rule %s failed", rule_key(rule))
            if errors is not None:
                errors.append(f"{rule_key(rule)}: {type(exc).__name__}: {exc}")
    return items


def load_rules() -> list[str]:
    """Import every ``oversight/<feature>/rules.py`` (and the built-in rules), which registers them.

    A module that fails to import is logged and skipped: one feature's bug must not stop the app
    or the other reminders. Returns the names of the modules that failed.
    """
    failed = []
    names = ["oversight.reminders.vendor_rules", "oversight.reminders.approval_rules"] + [
        f"oversight.{module.name}.rules" for module in pkgutil.iter_modules(oversight.__path__) if module.ispkg
    ]
    for name in names:
        try:
            if importlib.util.find_spec(name) is None:
                continue
            importlib.import_module(name)
        except Exception:
            log.exception("Reminder rules in %s could not be loaded", name)
            failed.append(name)
    return failed


register_kind("general", _l("Reminders"), order=1000)

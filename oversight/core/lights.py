"""The oversight light: what each duty's rule gives a vendor, and how a page shows it.

Each duty feature writes its rule once, as a SQL ``CASE`` over correlated facts that yields a
*state code* (``"expired"``, ``"under_review"`` …). Each code has one colour (:data:`GREEN`,
:data:`AMBER`, :data:`RED`, :data:`GREY`), so the same expression serves the pages (the code and
the facts are read back and turned into a translated :class:`Light`), the list filters and the
counts (``code IN codes_of(colour)``) and the PDFs. No rule is written twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy import ColumnElement

from oversight.core.i18n import Translate

GREEN, AMBER, RED, GREY = "green", "amber", "red", "grey"
COLOURS = (GREEN, AMBER, RED, GREY)


@dataclass(frozen=True)
class Light:
    """One oversight light as the ``_macros/lights.html`` macro shows it."""

    key: str
    state: str
    label: str
    text: str
    detail: str = ""


def codes_of(colours: Mapping[str, str], colour: str) -> tuple[str, ...]:
    """The state codes of a rule (``colours``: code → colour) shown in ``colour``."""
    return tuple(code for code, shown in colours.items() if shown == colour)


class LightRule(Protocol):
    """A duty feature's ``lights`` module: its rule as SQL, and how its codes are worded."""

    KEY: str
    COLOURS: Mapping[str, str]

    def facts_columns(self, vendor_id: ColumnElement[int], today: date) -> list[ColumnElement]:
        """Labelled correlated subqueries: the facts of the vendor ``vendor_id`` the rule reads."""

    def state(self, facts: Mapping[str, Any], today: date) -> ColumnElement[str]:
        """The rule: a ``CASE`` over ``facts`` (the facts columns by name) giving the state code."""

    def columns(self, facts: Mapping[str, Any], today: date) -> dict[str, ColumnElement]:
        """``code``: :meth:`state`; and any value computed from ``facts`` that :meth:`light` reads (by name)."""

    def light(self, code: str, row: Any, today: date, *, _: Translate) -> Light:
        """The light of state ``code``, worded from the facts in ``row``."""


def condition(rule: LightRule, vendor_id: ColumnElement[int], colour: str, today: date) -> ColumnElement[bool]:
    """A WHERE condition: the vendors (``vendor_id``, e.g. ``Vendor.id``) whose light of ``rule`` is ``colour``."""
    facts = {column.name: column for column in rule.facts_columns(vendor_id, today)}
    return rule.columns(facts, today)["code"].in_(codes_of(rule.COLOURS, colour))

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

from sqlalchemy import ColumnElement, Select

from oversight.core.i18n import Translate

GREEN, AMBER, RED, GREY = "green", "amber", "red", "grey"
COLOURS = (GREEN, AMBER, RED, GREY)
# How bad each colour is: a reader of several business units reads the worst of their units' lights.
SEVERITY = {GREEN: 0, GREY: 1, AMBER: 2, RED: 3}


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

    def facts(self, vendors: Select, today: date) -> Select:
        """``vendor_id`` and the facts the rule reads, for the vendors of ``vendors`` (a select of ids), the
        vendors read from the table (``vendors.models.VENDORS``): ``status.lights.facts_cte`` binds them to
        the reader's scope once."""

    def state(self, facts: Mapping[str, Any], today: date) -> ColumnElement[str]:
        """The rule: a ``CASE`` over ``facts`` (the facts columns by name) giving the state code."""

    def columns(self, facts: Mapping[str, Any], today: date) -> dict[str, ColumnElement]:
        """``code``: :meth:`state`; and any value computed from ``facts`` that :meth:`light` reads (by name)."""

    def light(self, code: str, row: Any, today: date, *, _: Translate) -> Light:
        """The light of state ``code``, worded from the facts in ``row``."""

"""The activity log as people read it: codes turned into labels in the reader's language.

The log keeps what happened as codes (``status: ["requested", "reviewed"]``, ``vendor_id: 26``,
``A01.result: "conforming"``), so it reads the same whoever wrote it and in whatever language. This is the
one place that turns a page of rows into text, at display time: each field's label, each code's label
(``依頼済 → レビュー済``), and the names of the records a row points at (a vendor's name, a contract's
number), read for the whole page in one statement. The features say how through ``LogLabels`` and
``log_names`` in ``oversight/features.py``; the log imports none of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import literal, union_all

from oversight.activity.actions import object_type_label
from oversight.core.registry import LogLabels, Registry
from oversight.extensions import db

ITEM_FIELD = re.compile(r"^([A-Z]{1,3}\d{1,3})\.(\w+)$")  # a checklist item's field: "A01.result"
EMPTY = "—"


@dataclass(frozen=True)
class ChangeLine:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class RowView:
    record: str
    changes: list[ChangeLine]


def yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


class LogReader:
    """Reads a page of log rows: ``view(row)`` after ``load(rows)`` (one statement for all the names)."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._labels: dict[str | None, LogLabels] = {}
        self._names: dict[tuple[str, int], str] = {}

    def labels(self, object_type: str | None) -> LogLabels:
        if object_type not in self._labels:
            self._labels[object_type] = self.registry.log_labels(object_type)
        return self._labels[object_type]

    def load(self, rows: Iterable[Any]) -> LogReader:
        wanted: dict[str, set[int]] = {}
        for row in rows:
            if row.object_type and row.object_id:
                wanted.setdefault(row.object_type, set()).add(row.object_id)
            labels = self.labels(row.object_type)
            for field, values in (row.changes or {}).items():
                kind = labels.references.get(self._field_parts(field)[1])
                for value in values if isinstance(values, list) else []:
                    if kind and isinstance(value, int) and not isinstance(value, bool):
                        wanted.setdefault(kind, set()).add(value)
        selects = []
        for kind, ids in wanted.items():
            query = self.registry.log_name_query(kind)
            if query is not None:
                selects.append(query(sorted(ids)).add_columns(literal(kind).label("kind")))
        if selects:
            statement = selects[0] if len(selects) == 1 else union_all(*selects)
            for found in db.session.execute(statement):
                self._names[(found.kind, found.id)] = str(found.name)
        return self

    def name(self, kind: str, record_id: int) -> str:
        return self._names.get((kind, record_id)) or f"#{record_id}"

    def record(self, row: Any) -> str:
        """The record a row is about: its type and name (``委託先 さくら給与計算センター``), or its number."""
        if not row.object_type:
            return ""
        label = object_type_label(row.object_type)
        if row.object_id is None:
            return label
        return f"{label} {self.name(row.object_type, row.object_id)}"

    @staticmethod
    def _field_parts(field: str) -> tuple[str, str]:
        found = ITEM_FIELD.match(field)
        return (found.group(1), found.group(2)) if found else ("", field)

    def field_label(self, object_type: str | None, field: str) -> str:
        item, name = self._field_parts(field)
        label = self.labels(object_type).fields.get(name)
        text = str(label) if label is not None else name
        return f"{item} {text}" if item else text

    def value(self, object_type: str | None, field: str, value: Any) -> str:
        if value is None or value in ("", [], {}):
            return EMPTY
        if isinstance(value, list):
            return ", ".join(self.value(object_type, field, item) for item in value)
        labels = self.labels(object_type)
        name = self._field_parts(field)[1]
        mapping = labels.values.get(name)
        if mapping is not None and (label := mapping.get(value)) is not None:
            return str(label)
        if isinstance(value, bool):
            return yes_no(value)
        if (kind := labels.references.get(name)) and isinstance(value, int):
            return self.name(kind, value)
        return str(value)

    def changes(self, row: Any) -> list[ChangeLine]:
        lines = []
        for field, values in (row.changes or {}).items():
            before, after = values if isinstance(values, list) and len(values) == 2 else (None, values)
            lines.append(
                ChangeLine(
                    self.field_label(row.object_type, field),
                    self.value(row.object_type, field, before),
                    self.value(row.object_type, field, after),
                )
            )
        return lines

    def view(self, row: Any) -> RowView:
        return RowView(record=self.record(row), changes=self.changes(row))


def page_views(rows: list[Any], registry: Registry) -> dict[int, RowView]:
    """Each row's record and changes as the reader reads them, by row id."""
    reader = LogReader(registry).load(rows)
    return {row.id: reader.view(row) for row in rows}

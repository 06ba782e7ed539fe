"""The registry of feature modules: what each feature adds to the shared machinery.

``oversight/features.py`` lists every feature once, in the legal order of the duties, with the
reminder rules, digest sections, daily jobs and evidence owners it contributes; ``create_app``
installs that list on the app. The reminder sweep, the scheduler and the evidence downloads read it
here, so no module registers itself at import time and nothing walks the package tree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

from oversight.core.due import DigestKind, RuleFunction

DailyJob = Callable[..., object]  # job(today=date, now=datetime)
NameQuery = Callable[[list[int]], Any]  # ids -> a Select of (id, display name) rows
OwnerCheck = Callable[[Any, int], bool]  # can_view(user, owner_id)

EXTENSION_KEY = "oversight.registry"


@dataclass(frozen=True)
class Feature:
    """What one feature contributes; every part is optional."""

    name: str
    reminder_rules: tuple[RuleFunction, ...] = ()
    digest_kinds: tuple[DigestKind, ...] = ()
    daily_jobs: tuple[DailyJob, ...] = ()
    evidence_owners: Mapping[str, OwnerCheck] = field(default_factory=dict)
    log_labels: Mapping[str, LogLabels] = field(default_factory=dict)  # record type ("*": any) -> its labels
    log_names: Mapping[str, NameQuery] = field(default_factory=dict)  # record type -> how to name its records


@dataclass(frozen=True)
class LogLabels:
    """How the activity log shows one record type's changes in the reader's language.

    The log keeps codes (``status: requested → reviewed``, ``vendor_id: 26``); these say how to read them:
    ``fields`` the label of each field, ``values`` the label of each code a field holds, ``references``
    the record type whose id a field holds (named through ``Feature.log_names``).
    """

    fields: Mapping[str, Any] = field(default_factory=dict)
    values: Mapping[str, Mapping[Any, Any]] = field(default_factory=dict)
    references: Mapping[str, str] = field(default_factory=dict)

    def merged(self, other: LogLabels) -> LogLabels:
        """These labels, completed (not overridden) by ``other``'s."""
        return LogLabels(
            {**other.fields, **self.fields},
            {**other.values, **self.values},
            {**other.references, **self.references},
        )


class Registry:
    """The features of one app, in order."""

    def __init__(self, features: tuple[Feature, ...]) -> None:
        self.features = list(features)

    def reminder_rules(self) -> list[RuleFunction]:
        return [rule for feature in self.features for rule in feature.reminder_rules]

    def daily_jobs(self) -> list[DailyJob]:
        return [job for feature in self.features for job in feature.daily_jobs]

    def digest_kind(self, kind: str) -> DigestKind | None:
        return next((found for feature in self.features for found in feature.digest_kinds if found.kind == kind), None)

    def kind_label(self, kind: str) -> str:
        found = self.digest_kind(kind)
        return str(found.label) if found is not None else kind

    def kind_order(self, kind: str) -> int:
        found = self.digest_kind(kind)
        return found.order if found is not None else 100

    def evidence_owner(self, owner_type: str) -> OwnerCheck | None:
        for feature in self.features:
            if owner_type in feature.evidence_owners:
                return feature.evidence_owners[owner_type]
        return None

    def log_labels(self, object_type: str | None) -> LogLabels:
        """The labels of ``object_type``'s fields and values, completed by those every record shares."""
        labels = LogLabels()
        for key in (object_type or "", "*"):
            for feature in self.features:
                if key in feature.log_labels:
                    labels = labels.merged(feature.log_labels[key])
        return labels

    def log_name_query(self, object_type: str) -> NameQuery | None:
        return next((f.log_names[object_type] for f in self.features if object_type in f.log_names), None)

    @contextmanager
    def extra(self, feature: Feature) -> Iterator[Feature]:
        """Add ``feature`` for the length of the block (tests: a rule, a daily job, an owner type)."""
        self.features.append(feature)
        try:
            yield feature
        finally:
            self.features.remove(feature)


def install(app: Flask, registry: Registry) -> None:
    app.extensions[EXTENSION_KEY] = registry


def of(app: Flask) -> Registry:
    return app.extensions[EXTENSION_KEY]


def current() -> Registry:
    """The registry of the current app."""
    return of(current_app)


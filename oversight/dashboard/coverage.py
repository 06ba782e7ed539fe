"""Coverage: how much of the oversight is in place, as counts computed by SQL aggregates.

Every number here is the size of a list page with the filter named in ``links``, so a click on
a figure shows exactly the rows behind it. The counts come from one statement that counts the stored
states of every active vendor (``status.store``: each duty's one SQL rule, judged when the vendor's
records change and at the day boundary; the vendor list filters by the same stored states) and
carries the other counts as scalar subqueries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func

from oversight.audits.models import SEVERITY_LABELS, UNRESOLVED, Finding
from oversight.contracts import services as contract_services
from oversight.contracts.models import SIGNED, Contract
from oversight.core.lights import AMBER, GREEN, RED
from oversight.disposals.models import DisposalItem
from oversight.extensions import db
from oversight.status import store as status_store
from oversight.subcontracts import violations as subcontract_violations
from oversight.vendors.models import ACTIVE, Vendor

LIGHT_STATES = (GREEN, AMBER, RED)
# The vendor list's filter parameter for each duty, its light in ``status.lights``, and its label.
DUTIES = (
    ("selection", "selection", _l("Selection (選定)")),
    ("contract", "contract", _l("Contract (契約)")),
    ("grasp", "monitoring", _l("Monitoring (把握)")),
    ("subcontract", "subcontract", _l("Subcontracting (再委託)")),
    ("termination", "disposal", _l("Return/deletion (返却・廃棄)")),
)


@dataclass(frozen=True)
class Ratio:
    """``covered`` of ``total``; ``missing_url`` lists the ones not covered."""

    label: str
    covered: int
    total: int
    missing_url: str

    @property
    def percent(self) -> int | None:
        return None if not self.total else round(100 * self.covered / self.total)

    @property
    def missing(self) -> int:
        return self.total - self.covered


@dataclass(frozen=True)
class Count:
    label: str
    value: int
    url: str


@dataclass(frozen=True)
class LightRow:
    """Active vendors by light for one duty: ``counts[state]`` and ``urls[state]``."""

    key: str
    label: str
    counts: dict[str, int]
    urls: dict[str, str]


@dataclass(frozen=True)
class Coverage:
    ratios: list[Ratio]
    counts: list[Count]
    findings: list[Count]
    lights: list[LightRow] = field(default_factory=list)

    @property
    def unconsented(self) -> int:
        """Subcontractors without valid consent (the attention panel shows the same count)."""
        return self.counts[0].value


def _signed_contracts():
    """Signed contracts (the daily job closes them when they end), as the contract list's status=signed, and
    those with every required clause (``clauses`` not ``incomplete``): one row, both counted in one pass
    over the signed contracts (two scalar subqueries read them twice: on PostgreSQL, where most contracts are
    signed, two sequential scans of the table, ~12 of the coverage statement's ~20 ms at 5,000 vendors)."""
    return (
        db.select(
            func.count(Contract.id).label("contracts"),
            func.count(Contract.id).filter(contract_services.CLAUSES_COMPLETE).label("complete"),
        )
        .where(Contract.status == SIGNED)
        .subquery("signed_contracts")
    )


def _overdue_disposals(today: date):
    return (
        db.select(func.count(DisposalItem.id))
        .where(DisposalItem.confirmed_at.is_(None), DisposalItem.due_on < today)
        .scalar_subquery()
    )


def coverage(today: date) -> Coverage:
    """The coverage figures for ``today``."""
    status_store.ensure_current(today)  # the vendors' and the nodes' stored states, checked in one statement
    signed = _signed_contracts()
    columns = {
        "contracts": signed.c.contracts,
        "complete": signed.c.complete,
        "overdue_disposals": _overdue_disposals(today),
        "unconsented": subcontract_violations.count_query(today).scalar_subquery(),
    }
    for severity in SEVERITY_LABELS:
        columns[f"findings_{severity}"] = (
            db.select(func.count(Finding.id))
            .where(Finding.status.in_(UNRESOLVED), Finding.severity == severity)
            .scalar_subquery()
        )
    # Every active vendor's stored lights counted, the other counts read in the same statement.
    counts, row = status_store.colour_counts_and(Vendor.status == ACTIVE, today, columns, (signed,))
    # Every active vendor has its stored row (``ensure_current``) and one colour per light: the vendors
    # counted by colour are the active vendors (the vendor list's status=active), without a count of its own.
    row["active"] = sum(counts["selection"].values())
    for parameter, key, _label in DUTIES:
        row.update({f"{parameter}_{state}": counts[key][state] for state in LIGHT_STATES})
    # Not red = the vendor list's "status=active" minus its "<duty>=red" filter.
    row["evaluated"] = row["active"] - row["selection_red"]
    row["audited"] = row["active"] - row["grasp_red"]
    return Coverage(
        ratios=[
            Ratio(
                str(_l("Active vendors with a valid evaluation")),
                row["evaluated"],
                row["active"],
                "/vendors/?status=active&selection=red",
            ),
            Ratio(
                str(_l("Signed contracts with all required clauses")),
                row["complete"],
                row["contracts"],
                "/contracts/?status=signed&clauses=incomplete",
            ),
            Ratio(
                str(_l("Active vendors audited within their interval")),
                row["audited"],
                row["active"],
                "/vendors/?status=active&grasp=red",
            ),
        ],
        counts=[
            Count(
                str(_l("Subcontractors without valid consent")),
                row["unconsented"],
                "/subcontracts/?section=violations",
            ),
            Count(str(_l("Overdue returns/deletions")), row["overdue_disposals"], "/disposals/?state=overdue"),
        ],
        findings=[
            Count(
                str(label), int(row[f"findings_{severity}"]), f"/audits/findings?status=unresolved&severity={severity}"
            )
            for severity, label in SEVERITY_LABELS.items()
        ],
        lights=[
            LightRow(
                key,
                str(label),
                {state: row[f"{key}_{state}"] for state in LIGHT_STATES},
                {state: f"/vendors/?status=active&{key}={state}" for state in LIGHT_STATES},
            )
            for key, _light_key, label in DUTIES
        ],
    )


def snapshot_values(today: date) -> dict[str, int | None]:
    """The figures a monthly snapshot keeps."""
    figures = coverage(today)
    evaluation, contract, audit = figures.ratios
    return {
        "evaluation_pct": evaluation.percent,
        "contract_pct": contract.percent,
        "audit_pct": audit.percent,
        "unconsented_nodes": figures.counts[0].value,
        "overdue_disposals": figures.counts[1].value,
        "open_findings": sum(count.value for count in figures.findings),
    }

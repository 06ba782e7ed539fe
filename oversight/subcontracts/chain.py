"""The state of every node of a subcontract chain, and the 再委託 light built from it.

A node is consented while one of its consents is approved and not past its expiry. It is a
violation when it has no consent, when its consents were refused, revoked or have expired, or when
any node above it lacks a valid consent (a consented node below an unconsented one is still a
violation). A node whose request awaits a decision, or whose consent expires within
``WARNING_DAYS``, is amber. ``assess`` computes this in Python from rows loaded in one query
each; the vendor-level 再委託 light is ``lights`` (SQL).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from oversight.core.i18n import Translate, translator
from oversight.core.lights import AMBER, GREEN, GREY, RED, Light
from oversight.subcontracts.models import PENDING, REFUSED, REVOKED, Subcontract, SubcontractConsent

WARNING_DAYS = 30
LIGHT_KEY = "subcontract"


@dataclass
class NodeStatus:
    """One node's own consent state and its light on the chain."""

    node: Subcontract
    light: Light
    has_valid_consent: bool
    current: SubcontractConsent | None = None
    consents: list[SubcontractConsent] = field(default_factory=list)
    children: list[NodeStatus] = field(default_factory=list)

    @property
    def is_violation(self) -> bool:
        return self.light.state == RED

    @property
    def reason(self) -> str:
        return self.light.text


def _own_light(
    consents: list[SubcontractConsent], today: date, warning_days: int, _: Translate
) -> tuple[Light, bool]:
    """The node's light from its own consents only, and whether one of them is valid today."""
    label = _("Subcontracting")
    valid = [consent for consent in consents if consent.is_valid_on(today)]
    if valid:
        until = max(consent.expires_on for consent in valid)
        days_left = (until - today).days
        if days_left <= warning_days:
            text = _("Consent expires in %(days)d days", days=days_left)
            return Light(LIGHT_KEY, AMBER, label, text, until.isoformat()), True
        return Light(LIGHT_KEY, GREEN, label, _("Consented"), _("until %(date)s", date=until)), True
    if any(consent.status in PENDING for consent in consents):
        return Light(LIGHT_KEY, AMBER, label, _("Consent awaiting decision")), False
    if not consents:
        return Light(LIGHT_KEY, RED, label, _("Subcontracted without consent")), False
    latest = max(consents, key=lambda consent: consent.id)
    if latest.status == REVOKED:
        return Light(LIGHT_KEY, RED, label, _("Consent revoked"), latest.revocation_reason[:80]), False
    if latest.status == REFUSED:
        return Light(LIGHT_KEY, RED, label, _("Consent refused"), latest.refusal_reason[:80]), False
    until = latest.expires_on.isoformat() if latest.expires_on else ""
    return Light(LIGHT_KEY, RED, label, _("Consent expired"), until), False


def assess(
    nodes: Iterable[Subcontract],
    consents: Iterable[SubcontractConsent],
    today: date,
    warning_days: int = WARNING_DAYS,
    *,
    _: Translate | None = None,
) -> dict[int, NodeStatus]:
    """The status of every node, parents before children; a node below one without valid consent is red.

    ``nodes`` need ``id``, ``level``, ``parent_id`` and ``vendor.name``; ``consents`` need what
    :class:`SubcontractConsent` offers to ``_own_light`` (``queries.lights_for`` passes light rows).
    """
    _ = _ or translator()
    by_node: dict[int, list[SubcontractConsent]] = defaultdict(list)
    for consent in consents:
        by_node[consent.subcontract_id].append(consent)
    statuses: dict[int, NodeStatus] = {}
    for node in sorted(nodes, key=lambda n: (n.level, n.id)):
        own = sorted(by_node.get(node.id, []), key=lambda consent: consent.id)
        light, has_valid = _own_light(own, today, warning_days, _)
        parent = statuses.get(node.parent_id) if node.parent_id else None
        if parent is not None and light.state != RED and (not parent.has_valid_consent or parent.is_violation):
            text = _("Below a subcontractor without valid consent")
            light = Light(LIGHT_KEY, RED, _("Subcontracting"), text, parent.node.vendor.name)
        status = NodeStatus(node, light, has_valid, own[-1] if own else None, own)
        statuses[node.id] = status
        if parent is not None:
            parent.children.append(status)
    return statuses


def roots(statuses: dict[int, NodeStatus]) -> list[NodeStatus]:
    """The level-1 nodes (children attached by ``assess``), by contract and id."""
    return sorted(
        (status for status in statuses.values() if status.node.parent_id is None),
        key=lambda status: (status.node.contract_id, status.node.id),
    )


def flatten(statuses: list[NodeStatus]) -> list[NodeStatus]:
    """Depth-first order of the trees under ``statuses`` (for a table with indentation)."""
    ordered: list[NodeStatus] = []
    for status in statuses:
        ordered.append(status)
        ordered.extend(flatten(sorted(status.children, key=lambda child: child.node.id)))
    return ordered


def combined_light(statuses: Iterable[NodeStatus], *, _: Translate | None = None) -> Light:
    """The worst of the nodes' lights; grey when there are none."""
    statuses = list(statuses)
    _ = _ or translator()
    label = _("Subcontracting")
    if not statuses:
        return Light(LIGHT_KEY, GREY, label, _("No subcontractors"))
    red = [status for status in statuses if status.light.state == RED]
    if red:
        return Light(LIGHT_KEY, RED, label, _("%(count)d violations", count=len(red)), red[0].light.text)
    amber = [status for status in statuses if status.light.state == AMBER]
    if amber:
        return Light(LIGHT_KEY, AMBER, label, amber[0].light.text, amber[0].light.detail)
    return Light(LIGHT_KEY, GREEN, label, _("Every subcontractor consented"))


def involves(node: Subcontract, vendor_id: int) -> bool:
    """True when ``vendor_id`` is the node's subcontractor, its parent, or the contract's vendor."""
    return vendor_id in (node.vendor_id, node.parent_vendor_id, node.contract.vendor_id)


def horizon(today: date, warning_days: int = WARNING_DAYS) -> date:
    return today + timedelta(days=warning_days)

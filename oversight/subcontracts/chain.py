"""The nodes of a subcontract chain as its pages show them: trees, each node's light and consents.

The node rule is ``lights`` (SQL: ``node_code_of``); ``assess`` words each node's state code from its
consents and assembles the trees. ``combined_light`` is the worst node of one contract's chain.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from oversight.core.i18n import Translate, translator
from oversight.core.lights import AMBER, GREEN, GREY, RED, Light
from oversight.subcontracts import lights
from oversight.subcontracts.models import APPROVED, PENDING, REFUSED, REVOKED, Subcontract, SubcontractConsent

LIGHT_KEY = lights.KEY


@dataclass
class NodeStatus:
    """One node's own consent state and its light on the chain."""

    node: Subcontract
    light: Light
    has_valid_consent: bool
    current: SubcontractConsent | None = None
    consents: list[SubcontractConsent] = field(default_factory=list)
    children: list[NodeStatus] = field(default_factory=list)
    code: str = ""

    @property
    def is_violation(self) -> bool:
        return self.light.state == RED

    @property
    def is_ended(self) -> bool:
        """The node's contract has ended: its consents are no longer in force (``lights.NODES_ENDED``)."""
        return self.code in lights.NODES_ENDED

    def consent_label(self, consent: SubcontractConsent, *, _: Translate | None = None) -> str:
        """What ``consent``'s status reads on this node: a granted (or still pending) consent of an ended
        contract says it is no longer in force; a refusal or a revocation keeps its own words."""
        if not self.is_ended or not (consent.status == APPROVED or consent.status in PENDING):
            return consent.status_label
        _ = _ or translator()
        if self.code == lights.NODE_DATA_DISPOSED:
            return _("Ended (return/deletion done)")
        if consent.status == APPROVED:
            return _("Consented (contract ended)")
        return _("Closed (contract ended)")

    def consent_colour(self, consent: SubcontractConsent) -> str:
        """The badge colour of :meth:`consent_label`."""
        if self.is_ended and (consent.status == APPROVED or consent.status in PENDING):
            return "secondary"
        return consent.status_colour

    @property
    def current_label(self) -> str:
        """:meth:`consent_label` of the latest consent request ("" without one)."""
        return self.consent_label(self.current) if self.current else ""

    @property
    def reason(self) -> str:
        return self.light.text


@dataclass(frozen=True)
class JudgedNode:
    """A node with its state code from the node rule (``lights.node_code_of``) and its valid-until date."""

    node: Subcontract
    code: str
    valid_until: date | None


def _light(judged: JudgedNode, consents: list[SubcontractConsent], today: date, _: Translate) -> Light:
    """The node's light: the colour of its state code, worded from its consents."""
    label = _("Subcontracting")
    code, until = judged.code, judged.valid_until
    if code == lights.NODE_DATA_DISPOSED:
        return Light(LIGHT_KEY, GREY, label, _("Ended (return/deletion done)"))
    if code == lights.NODE_CONTRACT_ENDED:
        return Light(LIGHT_KEY, GREY, label, _("Contract ended: consent no longer in force"))
    if code == lights.NODE_EXPIRING:
        text = _("Consent expires in %(days)d days", days=(until - today).days)
        return Light(LIGHT_KEY, AMBER, label, text, until.isoformat())
    if code == lights.NODE_CONSENTED:
        return Light(LIGHT_KEY, GREEN, label, _("Consented"), _("until %(date)s", date=until))
    if code == lights.NODE_PENDING:
        return Light(LIGHT_KEY, AMBER, label, _("Consent awaiting decision"))
    if code == lights.NODE_ENTRUSTED_PENDING:
        return Light(LIGHT_KEY, RED, label, _("Handling the data before consent (request awaiting decision)"))
    if code == lights.NODE_BELOW_UNCONSENTED:
        text = _("Below a subcontractor without valid consent")
        return Light(LIGHT_KEY, RED, label, text, judged.node.parent_vendor.name)
    if not consents:
        return Light(LIGHT_KEY, RED, label, _("Subcontracted without consent"))
    latest = consents[-1]
    if latest.status == REVOKED:
        return Light(LIGHT_KEY, RED, label, _("Consent revoked"), latest.revocation_reason[:80])
    if latest.status == REFUSED:
        return Light(LIGHT_KEY, RED, label, _("Consent refused"), latest.refusal_reason[:80])
    expired_on = latest.expires_on.isoformat() if latest.expires_on else ""
    return Light(LIGHT_KEY, RED, label, _("Consent expired"), expired_on)


def assess(
    nodes: Iterable[JudgedNode],
    consents: Iterable[SubcontractConsent],
    today: date,
    *,
    _: Translate | None = None,
) -> dict[int, NodeStatus]:
    """The status of every node, parents before children, the children attached to their parents."""
    _ = _ or translator()
    by_node: dict[int, list[SubcontractConsent]] = defaultdict(list)
    for consent in consents:
        by_node[consent.subcontract_id].append(consent)
    statuses: dict[int, NodeStatus] = {}
    for judged in sorted(nodes, key=lambda item: (item.node.level, item.node.id)):
        node = judged.node
        own = sorted(by_node.get(node.id, []), key=lambda consent: consent.id)
        # A consent of an ended contract is no longer in force, whatever its expiry date.
        has_valid = judged.valid_until is not None and judged.code not in lights.NODES_ENDED
        light = _light(judged, own, today, _)
        status = NodeStatus(node, light, has_valid, own[-1] if own else None, own, code=judged.code)
        statuses[node.id] = status
        parent = statuses.get(node.parent_id) if node.parent_id else None
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
    """The worst of the nodes' lights; grey when there are none, or when every node has ended with its contract."""
    everyone = list(statuses)
    _ = _ or translator()
    label = _("Subcontracting")
    if not everyone:
        return Light(LIGHT_KEY, GREY, label, _("No subcontractors"))
    statuses = [status for status in everyone if not status.is_ended]
    if not statuses:
        return Light(LIGHT_KEY, GREY, label, _("Ended with the contract: no subcontract in force"))
    red = [status for status in statuses if status.light.state == RED]
    if red:
        return Light(LIGHT_KEY, RED, label, _("%(count)d violations", count=len(red)), red[0].light.text)
    amber = [status for status in statuses if status.light.state == AMBER]
    if amber:
        return Light(LIGHT_KEY, AMBER, label, amber[0].light.text, amber[0].light.detail)
    return Light(LIGHT_KEY, GREEN, label, _("Every subcontractor consented"))

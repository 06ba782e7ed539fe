"""What a vendor starts itself in the portal: a request for consent to a new subcontractor, and notice of
an incident (issue #19, item 6).

Both go through the duty features' own services, exactly as staff input would: the consent request is
``subcontracts.services.record_node`` + ``request_consent`` (legal reviews, a manager decides), the notice is
``incidents.services.create_incident`` with the vendor's notice time as the fact the clocks of
``incidents.status`` start from. The contact is the actor (no account: named in the activity log, with the
IP). The people who act are told by e-mail at once; a mail the server refuses does not undo the record
(it waits on their work list anyway) and is written to the server log for the operator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy.orm import joinedload

from oversight import email
from oversight.activity import services as activity
from oversight.activity.models import ActivityLog
from oversight.auth import services as auth_services
from oversight.auth.models import User
from oversight.auth.roles import LEGAL, MANAGER
from oversight.contracts.models import CLOSED, Contract
from oversight.core.timeutil import to_local
from oversight.evidence import services as evidence_services
from oversight.extensions import db
from oversight.incidents import services as incident_services
from oversight.incidents.models import KIND_LABELS as INCIDENT_KINDS
from oversight.incidents.models import Incident
from oversight.portal.services import PortalActor, PortalRuleError
from oversight.subcontracts import services as subcontract_services
from oversight.subcontracts.models import LOCATION_LABELS, PER_EVENT, Subcontract, SubcontractConsent
from oversight.vendors import corporate_number
from oversight.vendors import services as vendor_services
from oversight.vendors.models import Vendor

CONSENT_REQUEST = "portal.consent_request"
INCIDENT_NOTICE = "portal.incident_notice"
# How many of each a contact may send per hour, and all contacts from one IP address (the activity log counts).
PER_CONTACT_PER_HOUR = 5
PER_IP_PER_HOUR = 20
WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Placement:
    """Where a new subcontractor would sit: under the vendor as contractor of ``contract`` (``node`` None), or
    under the vendor's own node when the vendor is itself a subcontractor in that contract's chain."""

    key: str
    contract: Contract
    node: Subcontract | None

    @property
    def label(self) -> str:
        if self.node is None:
            return f"{self.contract.number} {self.contract.title}"
        return str(
            _l("%(number)s %(title)s (as subcontractor of %(parent)s)",
               number=self.contract.number, title=self.contract.title, parent=self.node.parent_vendor.name)
        )


# --- limits ----------------------------------------------------------------------------------------


def is_limited(action: str, actor: PortalActor, ip: str | None, *, now: datetime) -> bool:
    """True when this contact, or this IP address, sent ``action`` too often in the last hour."""
    since = now - WINDOW
    recent = db.select(func.count(ActivityLog.id)).where(ActivityLog.action == action, ActivityLog.occurred_at >= since)
    if (db.session.scalar(recent.where(ActivityLog.actor_label == actor.activity_label)) or 0) >= PER_CONTACT_PER_HOUR:
        return True
    return bool(ip) and (db.session.scalar(recent.where(ActivityLog.ip_address == ip)) or 0) >= PER_IP_PER_HOUR


def _ensure_not_limited(action: str, actor: PortalActor, ip: str | None, now: datetime) -> None:
    if is_limited(action, actor, ip, now=now):
        raise PortalRuleError(_l("You have sent this form several times in the last hour. Please try again later."))


# --- consent to a new subcontractor ----------------------------------------------------------------


def placements(vendor_id: int) -> list[Placement]:
    """The open contracts a subcontractor of this vendor can join: as the contractor, or below its own node."""
    contracts = db.session.scalars(
        db.select(Contract)
        .where(Contract.vendor_id == vendor_id, Contract.status.not_in(CLOSED))
        .order_by(Contract.number, Contract.id)
    )
    found = [Placement(f"c{contract.id}", contract, None) for contract in contracts]
    nodes = db.session.scalars(
        db.select(Subcontract)
        .join(Contract, Contract.id == Subcontract.contract_id)
        .options(joinedload(Subcontract.contract), joinedload(Subcontract.parent_vendor))
        .where(Subcontract.vendor_id == vendor_id, Contract.status.not_in(CLOSED))
        .order_by(Contract.number, Subcontract.id)
    )
    found += [Placement(f"n{node.id}", node.contract, node) for node in nodes]
    return found


def _placement(vendor_id: int, key: str) -> Placement:
    for placement in placements(vendor_id):
        if placement.key == key:
            return placement
    raise PortalRuleError(_l("Choose the contract the subcontractor would work under."))


def _subcontractor(values: dict[str, Any], actor: PortalActor) -> Vendor:
    """The register entry with this 法人番号, or a new candidate entry for it."""
    number = corporate_number.normalise(values.get("corporate_number"))
    if not corporate_number.is_valid(number):
        raise PortalRuleError(_l("This corporate number's check digit is wrong; check for a typing mistake."))
    vendor = vendor_services.find_by_corporate_number(number)
    if vendor is None:
        return vendor_services.create_vendor({"name": values["name"].strip(), "corporate_number": number}, actor=actor)
    if vendor.id == actor.vendor_id:
        raise PortalRuleError(_l("Your own company cannot be its own subcontractor."))
    selectable = db.select(Vendor.id).where(Vendor.id == vendor.id, vendor_services.selectable_condition())
    if not db.session.scalar(selectable):
        raise PortalRuleError(_l("This company cannot be chosen as a subcontractor. Please contact us."))
    return vendor


def request_consent(
    actor: PortalActor,
    values: dict[str, Any],
    *,
    upload: Any = None,
    ip: str | None = None,
    now: datetime,
    notify: bool = True,
) -> SubcontractConsent:
    """The vendor asks for consent to a new subcontractor: the node (planned, not entrusted) and a per-event
    consent request, through the subcontract services; legal and the managers are told by e-mail
    (``notify=False``: no e-mail, for the demo data)."""
    _ensure_not_limited(CONSENT_REQUEST, actor, ip, now)
    placement = _placement(actor.vendor_id, values.get("placement", ""))
    subcontractor = _subcontractor(values, actor)
    handling = {
        "scope_of_work": values.get("scope_of_work", ""),
        "data_scope": values.get("data_scope", ""),
        "handling_location": values.get("handling_location", ""),
        "handling_country": values.get("handling_country", ""),
    }
    try:
        node = subcontract_services.record_node(
            placement.contract, parent=placement.node, vendor=subcontractor,
            values={**handling, "is_entrusted": False}, actor=actor,
        )
        consent = subcontract_services.request_consent(
            node,
            {**handling, "consent_type": PER_EVENT, "safety_measures": values.get("safety_measures", "")},
            actor=actor,
            now=now,
        )
    except subcontract_services.SubcontractRuleError as error:
        raise PortalRuleError(error.message) from error
    if upload is not None and getattr(upload, "filename", ""):
        evidence_services.store_upload(upload, consent, actor, description=str(_l("Attached by the vendor")))
    activity.record(
        CONSENT_REQUEST,
        actor=actor,
        target=consent,
        summary=f"{actor.vendor_name} → {subcontractor.name} ({placement.contract.number})",
        changes={"subcontractor": [None, subcontractor.name], "subcontract_id": [None, node.id]},
    )
    _mail(
        _recipients(LEGAL, MANAGER) if notify else [],
        "emails/portal/consent_requested.txt",
        lambda: _l("[Oversight] %(vendor)s asks for consent to subcontract to %(subcontractor)s",
                   vendor=actor.vendor_name, subcontractor=subcontractor.name),
        actor=actor,
        node=node,
        consent=consent,
        subcontractor=subcontractor,
        location=str(LOCATION_LABELS.get(consent.handling_location, "")),
        url=f"{current_app.config['BASE_URL']}/subcontracts/{node.id}",
    )
    return consent


def consents_requested_by(actor: PortalActor) -> list[tuple[SubcontractConsent, str]]:
    """The consent requests this contact made for its vendor, newest first, each with the subcontractor's name."""
    query = (
        db.select(SubcontractConsent, Vendor.name)
        .join(Subcontract, Subcontract.id == SubcontractConsent.subcontract_id)
        .join(Vendor, Vendor.id == Subcontract.vendor_id)
        .where(
            SubcontractConsent.requested_by_contact_id == actor.contact_id,
            Subcontract.parent_vendor_id == actor.vendor_id,
        )
        .order_by(SubcontractConsent.id.desc())
    )
    return [(consent, name) for consent, name in db.session.execute(query)]


# --- notice of an incident -------------------------------------------------------------------------


def contracts_of(vendor_id: int) -> list[Contract]:
    """The vendor's contracts (the notice may name the one concerned: its notice SLA then sets the clock)."""
    query = db.select(Contract).where(Contract.vendor_id == vendor_id).order_by(Contract.number, Contract.id)
    return list(db.session.scalars(query))


def report_incident(
    actor: PortalActor,
    values: dict[str, Any],
    *,
    upload: Any = None,
    ip: str | None = None,
    now: datetime,
    notify: bool = True,
) -> Incident:
    """The vendor gives notice of an incident: it opens an incident whose vendor-notice fact is ``now`` (and
    whose knowledge fact is the moment the vendor gives); the managers are alerted by e-mail at once
    (``notify=False``: no e-mail, for the demo data)."""
    _ensure_not_limited(INCIDENT_NOTICE, actor, ip, now)
    knew_at = values.get("knew_at")
    if knew_at is None or knew_at > now:
        raise PortalRuleError(_l("When you learned of it cannot be in the future."))
    if values.get("kind") not in INCIDENT_KINDS:
        raise PortalRuleError(_l("Choose what kind of incident it is."))
    contract_id = values.get("contract_id")
    if contract_id is not None and contract_id not in {contract.id for contract in contracts_of(actor.vendor_id)}:
        raise PortalRuleError(_l("Choose one of your contracts."))
    vendor = db.session.get(Vendor, actor.vendor_id)
    incident = incident_services.create_incident(
        {
            "vendor_id": vendor.id,
            "contract_id": contract_id,
            "title": values["title"].strip(),
            "kind": values["kind"],
            "is_suspected": bool(values.get("is_suspected")),
            "description": (values.get("description") or "").strip(),
            "vendor_knew_on": to_local(knew_at).date(),
            "vendor_notified_on": to_local(now).date(),
            "people_max": values.get("people"),
            "data_items": (values.get("data_items") or "").strip(),
            "owner_id": vendor.manager_id,
        },
        actor=actor,
    )
    incident.vendor_knew_at, incident.vendor_notified_at = knew_at, now
    incident.reported_by_contact_id, incident.reported_by_label = actor.contact_id, actor.activity_label
    if upload is not None and getattr(upload, "filename", ""):
        evidence_services.store_upload(upload, incident, actor, description=str(_l("Attached by the vendor")))
    activity.record(
        INCIDENT_NOTICE,
        actor=actor,
        target=incident,
        summary=f"{vendor.name}: {incident.title}",
        changes={"vendor_knew_at": [None, knew_at.isoformat()], "vendor_notified_at": [None, now.isoformat()]},
    )
    recipients = _recipients(MANAGER)
    owner = db.session.get(User, vendor.manager_id) if vendor.manager_id else None
    if owner is not None and owner.is_enabled and owner not in recipients:
        recipients.append(owner)
    _mail(
        recipients if notify else [],
        "emails/portal/incident_notice.txt",
        lambda: _l("[Oversight] Incident notice from %(vendor)s: %(title)s", vendor=vendor.name, title=incident.title),
        actor=actor,
        incident=incident,
        knew_at=to_local(knew_at),
        notified_at=to_local(now),
        url=f"{current_app.config['BASE_URL']}/incidents/{incident.id}",
    )
    return incident


def incidents_reported_by(actor: PortalActor) -> list[Incident]:
    """The incidents this contact gave notice of for its vendor, newest first."""
    query = (
        db.select(Incident)
        .where(Incident.reported_by_contact_id == actor.contact_id, Incident.vendor_id == actor.vendor_id)
        .order_by(Incident.id.desc())
    )
    return list(db.session.scalars(query))


# --- mail ------------------------------------------------------------------------------------------


def _recipients(*roles: str) -> list[User]:
    """The enabled users holding any of ``roles``, each once, with an e-mail address."""
    users: dict[int, User] = {}
    for role in roles:
        for user in auth_services.selectable_users(role=role):
            if user.email:
                users.setdefault(user.id, user)
    return list(users.values())


def _mail(recipients: list[User], template: str, subject, **context: Any) -> int:
    """One message per recipient, in their language; returns how many the server took."""
    sent = 0
    for user in recipients:
        with force_locale(user.language or "ja"):
            text = render_template(template, user=user, **context)
            title = str(subject())
        try:
            email.send_email([(user.name, user.email)], title, text)
        except email.EmailError as error:  # the record stands and waits on the work list; the operator is told
            current_app.logger.error("portal notice to user %s not sent: %s", user.id, error)
            continue
        sent += 1
    return sent

"""Portal rules: links (issue, open, revoke, ask again), requests, drafts, submissions and their review.

Services take the actor (a staff ``User`` or a :class:`PortalActor`) and ``now``/``today``; they never
touch the request or the session and never commit.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_
from sqlalchemy.orm import selectinload

from oversight import email
from oversight.activity import services as activity
from oversight.activity.models import ActivityLog
from oversight.contracts.models import CLOSED as CONTRACT_CLOSED
from oversight.contracts.models import Contract
from oversight.events import services as events
from oversight.events import types as event_types
from oversight.evidence import services as evidence_services
from oversight.evidence.models import EvidenceFile
from oversight.extensions import db
from oversight.portal import permissions, settings
from oversight.portal.errors import PortalRuleError
from oversight.portal.kinds import KINDS, kind_of
from oversight.portal.kinds.base import EVIDENCE_OWNER, RequestKind, request_files
from oversight.portal.kinds.checklist import ANSWERS
from oversight.portal.kinds.periodic_report import AUDIT_RESULT_OF, subcontractors_in_use
from oversight.portal.models import (
    ACCEPTED,
    IN_PROGRESS,
    KIND_LABELS,
    RETURNED,
    SENT,
    SUBMITTED,
    PortalLink,
    PortalRequest,
    PortalSubmission,
    portal_request_contacts,
)
from oversight.subcontracts.models import Subcontract
from oversight.vendors.models import Vendor, VendorContact

# What each kind asks and what accepting it does is in ``oversight/portal/kinds/``; these re-exports keep
# the names the views, the demo and the tests use.
__all__ = ["ANSWERS", "AUDIT_RESULT_OF", "EVIDENCE_OWNER", "PortalRuleError", "subcontractors_in_use"]

# Why a link does not open.
UNKNOWN = "unknown"
EXPIRED = "expired"
REVOKED = "revoked"
USED = "used"


@dataclass(frozen=True)
class PortalActor:
    """A vendor contact acting in the portal: no account (``id`` None), named in the activity log."""

    contact_id: int
    vendor_id: int
    name: str
    vendor_name: str
    id: None = None
    is_authenticated: bool = False

    @property
    def activity_label(self) -> str:
        return f"{self.name}（委託先窓口：{self.vendor_name}）"


def actor_for(contact: VendorContact, vendor: Vendor) -> PortalActor:
    return PortalActor(contact.id, vendor.id, contact.name, vendor.name)


# --- links ---------------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_link(contact: VendorContact, *, actor: Any, now: datetime) -> str:
    """A new single-use link for ``contact``; returns the token (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    link = PortalLink(
        token_hash=hash_token(token),
        contact_id=contact.id,
        vendor_id=contact.vendor_id,
        created_by_id=getattr(actor, "id", None),
        created_at=now,
        expires_at=now + timedelta(days=settings.link_days()),
    )
    db.session.add(link)
    db.session.flush()
    activity.record(
        "portal.link_issue",
        actor=actor,
        target=link,
        summary=f"{contact.name} <{contact.email}>",
        changes={"expires_at": [None, link.expires_at.isoformat()]},
    )
    return token


def link_url(token: str) -> str:
    return f"{current_app.config['BASE_URL']}/portal/link/{token}"


def open_link(token: str, *, now: datetime) -> tuple[PortalLink | None, str | None]:
    """The link for ``token`` marked used, or the reason it does not open (unknown, expired, revoked, used)."""
    link = db.session.scalar(db.select(PortalLink).where(PortalLink.token_hash == hash_token(token)))
    problem = None
    if link is None:
        problem = UNKNOWN
    elif link.revoked_at is not None:
        problem = REVOKED
    elif link.used_at is not None:
        problem = USED
    elif link.expires_at <= now:
        problem = EXPIRED
    if problem is not None:
        activity.record("portal.link_refused", target=link, summary=problem)
        return None, problem
    link.used_at = now
    activity.record(
        "portal.sign_in", actor=actor_for(link.contact, link.vendor), target=link, summary=link.vendor.name
    )
    return link, None


def revoke_links(contact: VendorContact, *, actor: Any, now: datetime) -> int:
    """Revoke every unused, unexpired link of ``contact``; returns how many."""
    links = list(
        db.session.scalars(
            db.select(PortalLink).where(
                PortalLink.contact_id == contact.id,
                PortalLink.revoked_at.is_(None),
                PortalLink.used_at.is_(None),
                PortalLink.expires_at > now,
            )
        )
    )
    for link in links:
        link.revoked_at = now
    activity.record(
        "portal.link_revoke",
        actor=actor,
        target=contact,
        summary=f"{contact.name}: {len(links)}",
        changes={"revoked_links": [None, [link.id for link in links]]},
    )
    return len(links)


def normalise_email(address: str) -> str:
    return (address or "").strip().lower()


def _recent_requests(condition: Any, now: datetime) -> int:
    since = now - timedelta(minutes=settings.LINK_REQUEST_WINDOW_MINUTES)
    return db.session.scalar(
        db.select(func.count(ActivityLog.id)).where(
            ActivityLog.action == "portal.link_request", ActivityLog.occurred_at >= since, condition
        )
    ) or 0


def link_request_limited(address: str, ip: str | None, *, now: datetime) -> bool:
    """True when this address or this IP asked for links too often in the last hour.

    The count is read from the activity log, where every request is recorded (known address or not).
    """
    address = normalise_email(address)
    if _recent_requests(ActivityLog.summary == address, now) >= settings.LINK_REQUESTS_PER_ADDRESS:
        return True
    return bool(ip) and _recent_requests(ActivityLog.ip_address == ip, now) >= settings.LINK_REQUESTS_PER_IP


def contacts_to_remind(address: str) -> list[VendorContact]:
    """The contacts with this address who were sent a request that is not yet accepted, or whose vendor works
    under a contract in force, as contractor or subcontractor (it may need to ask for a consent or give notice
    of an incident: ``portal.vendor_initiated``)."""
    in_force = db.select(Contract.id).where(Contract.status.not_in(CONTRACT_CLOSED))
    query = (
        db.select(VendorContact)
        .options(selectinload(VendorContact.vendor))
        .where(
            func.lower(VendorContact.email) == normalise_email(address),
            or_(
                VendorContact.id.in_(
                    db.select(portal_request_contacts.c.contact_id)
                    .join(PortalRequest, PortalRequest.id == portal_request_contacts.c.request_id)
                    .where(PortalRequest.status != ACCEPTED)
                ),
                VendorContact.vendor_id.in_(db.select(Contract.vendor_id).where(Contract.id.in_(in_force))),
                VendorContact.vendor_id.in_(
                    db.select(Subcontract.vendor_id).where(Subcontract.contract_id.in_(in_force))
                ),
            ),
        )
        .order_by(VendorContact.id)
    )
    return list(db.session.scalars(query))


def request_new_link(address: str, *, now: datetime) -> int:
    """Send a fresh link to each contact with ``address`` that has an open request; returns how many.

    The caller answers the same whatever the count, so nobody learns which addresses are known.
    """
    address = normalise_email(address)
    activity.record("portal.link_request", summary=address)
    sent = 0
    for contact in contacts_to_remind(address):
        token = issue_link(contact, actor=actor_for(contact, contact.vendor), now=now)
        try:
            send_link_mail(contact, contact.vendor, token, request=None)
        except PortalRuleError as error:  # the visitor gets the same answer; the operator sees the log
            current_app.logger.error("portal link to contact %s not sent: %s", contact.id, error.message)
            continue
        sent += 1
    return sent


def send_link_mail(contact: VendorContact, vendor: Vendor, token: str, *, request: PortalRequest | None) -> None:
    """The e-mail with a sign-in link, in Japanese (the contacts' language by default)."""
    company = current_app.config["COMPANY_NAME"]
    with force_locale("ja"):
        if request is None:
            subject = _("[%(company)s] Your link to the vendor portal", company=company)
            intro = _("You asked for a new link to the vendor portal of %(company)s.", company=company)
        else:
            subject = _(
                "[%(company)s] Request: %(kind)s (due %(date)s)",
                company=company,
                kind=KIND_LABELS.get(request.kind, request.kind),
                date=request.due_on.isoformat(),
            )
            intro = _(
                "%(company)s asks %(vendor)s for the following: %(kind)s, due %(date)s.",
                company=company,
                vendor=vendor.name,
                kind=KIND_LABELS.get(request.kind, request.kind),
                date=request.due_on.isoformat(),
            )
        lines = [
            _("Dear %(name)s,", name=contact.name),
            "",
            intro,
        ]
        if request is not None and request.message:
            lines += ["", request.message]
        lines += [
            "",
            _(
                "Open the vendor portal with this link (it works once and for %(days)d days):",
                days=settings.link_days(),
            ),
            link_url(token),
            "",
            _("If the link no longer works, ask for a new one on the portal's sign-in page."),
        ]
        text = "\n".join(str(line) for line in lines) + "\n"
    try:
        email.send_email([(contact.name, contact.email)], str(subject), text)
    except email.EmailError as error:
        raise PortalRuleError(
            _l("The e-mail to %(address)s could not be sent: %(reason)s", address=contact.email, reason=str(error))
        ) from error


# --- requests ------------------------------------------------------------------------------------


def requests_of(vendor: Vendor) -> list[PortalRequest]:
    """A vendor's requests, newest first (contacts loaded with one more query)."""
    query = (
        db.select(PortalRequest)
        .where(PortalRequest.vendor_id == vendor.id)
        .order_by(PortalRequest.created_at.desc(), PortalRequest.id.desc())
    )
    return list(db.session.scalars(query))


def load_request(request_id: int) -> PortalRequest | None:
    return db.session.get(PortalRequest, request_id)


def contacts_with_email(vendor: Vendor) -> list[VendorContact]:
    query = (
        db.select(VendorContact)
        .where(VendorContact.vendor_id == vendor.id, VendorContact.email != "")
        .order_by(VendorContact.id)
    )
    return list(db.session.scalars(query))


def kind(request: PortalRequest) -> RequestKind:
    """The rules of the request's kind (``oversight/portal/kinds/``)."""
    found = kind_of(request.kind)
    if found is None:
        raise PortalRuleError(_l("Choose the kind of request."))
    return found


def create_request(
    vendor: Vendor,
    *,
    kind: str,
    contact_ids: list[int],
    due_on: date,
    message: str,
    actor: Any,
    now: datetime,
    subject_id: int | None = None,
    notify: bool = True,
) -> PortalRequest:
    """Send a request to some of ``vendor``'s contacts: each gets an e-mail with a fresh link
    (``notify=False``: no link and no e-mail, for the demo data). ``subject_id``: what the request is
    about, for a kind that asks (the return/deletion item of a certificate)."""
    rules = kind_of(kind)
    if rules is None:
        raise PortalRuleError(_l("Choose the kind of request."))
    contacts = [contact for contact in contacts_with_email(vendor) if contact.id in set(contact_ids)]
    if not contacts:
        raise PortalRuleError(_l("Choose at least one contact with an e-mail address."))
    if due_on < now.date():
        raise PortalRuleError(_l("The due date cannot be in the past."))
    request = PortalRequest(
        kind=kind,
        vendor=vendor,
        status=SENT,
        due_on=due_on,
        message=(message or "").strip(),
        contacts=contacts,
        created_by_id=getattr(actor, "id", None),
    )
    rules.prepare(request, subject_id=subject_id, today=now.date())
    db.session.add(request)
    db.session.flush()
    changes: dict[str, list] = {
        "kind": [None, kind],
        "due_on": [None, due_on.isoformat()],
        "contacts": [None, [contact.name for contact in contacts]],
    }
    if request.subject_id is not None:
        changes["subject_id"] = [None, request.subject_id]
    activity.record(
        "portal.request_send",
        actor=actor,
        target=request,
        summary=f"{vendor.name}: {request.kind_label}",
        changes=changes,
    )
    for contact in contacts if notify else ():
        token = issue_link(contact, actor=actor, now=now)
        send_link_mail(contact, vendor, token, request=request)
    return request


def subject_choices(vendor: Vendor) -> dict[str, list[tuple[int, str]]]:
    """For each kind that asks what a request is about, the choices for ``vendor``."""
    return {rules.name: rules.subjects(vendor) for rules in KINDS if rules.subject_label is not None}


def report_items(request: PortalRequest) -> list[Any]:
    """The items the vendor answers and the reviewer comments on (checklist items, or certificate parts)."""
    return kind(request).items(request)


def evidence_of(request: PortalRequest) -> list[EvidenceFile]:
    return request_files(request)


def latest_submission(request: PortalRequest) -> PortalSubmission | None:
    return request.submissions[-1] if request.submissions else None


def previous_comments(request: PortalRequest) -> dict[str, str]:
    """The comments per item of the version returned before the latest one (what the vendor was asked to fix)."""
    earlier = request.submissions[:-1]
    return dict(earlier[-1].review_comments or {}) if earlier else {}


def current_answers(request: PortalRequest) -> dict[str, Any]:
    """What the form starts from: the draft, else the last submitted version, else nothing."""
    if request.draft:
        return request.draft
    latest = latest_submission(request)
    return dict(latest.answers) if latest is not None else kind(request).blank()


def _ensure_answerable(request: PortalRequest) -> None:
    if not request.is_answerable:
        raise PortalRuleError(_l("This request was submitted and can no longer be changed."))


def save_draft(request: PortalRequest, values: dict[str, Any], *, actor: PortalActor, now: datetime) -> None:
    """Keep the contact's answers without submitting them (回答中)."""
    _ensure_answerable(request)
    before = request.status
    request.draft = kind(request).clean(request, values)
    request.status = IN_PROGRESS
    request.updated_at = now
    activity.record(
        "portal.save_draft",
        actor=actor,
        target=request,
        summary=f"{request.vendor.name}: {request.kind_label}",
        changes={"status": [before, IN_PROGRESS]} if before != IN_PROGRESS else None,
    )


def submit(request: PortalRequest, values: dict[str, Any], *, actor: PortalActor, now: datetime) -> PortalSubmission:
    """Submit the answers as a new, immutable version (提出済), once the kind's checks pass."""
    _ensure_answerable(request)
    rules = kind(request)
    answers = rules.complete(request, rules.clean(request, values), today=now.date())
    before = request.status
    submission = PortalSubmission(
        request=request,
        number=len(request.submissions) + 1,
        answers=answers,
        evidence_ids=[evidence.id for evidence in evidence_of(request)],
        submitted_at=now,
        submitted_by_contact_id=actor.contact_id,
        submitted_by_label=actor.activity_label,
    )
    db.session.add(submission)
    request.draft = None
    request.status = SUBMITTED
    db.session.flush()
    activity.record(
        "portal.submit",
        actor=actor,
        target=request,
        summary=f"{request.vendor.name}: {request.kind_label} #{submission.number}",
        changes={"status": [before, SUBMITTED], "submission": [None, submission.number]},
    )
    events.record(event_types.PORTAL_SUBMISSION_RECEIVED, {
        "request_id": request.id, "vendor_id": request.vendor_id, "kind": request.kind,
        "submission": submission.number, "submitted_at": now,
    }, now=now)
    return submission


def upload_evidence(
    request: PortalRequest, file_storage: Any, *, description: str, actor: PortalActor, item_code: str = ""
) -> EvidenceFile:
    """Attach a file to the request, through the same checks as every upload; ``item_code``: the checklist
    item it is evidence for (the questionnaire)."""
    _ensure_answerable(request)
    if item_code and item_code not in {item.code for item in report_items(request)}:
        raise PortalRuleError(_l("Choose an item of this request."))
    evidence = evidence_services.store_upload(
        file_storage, (EVIDENCE_OWNER, request.id), actor, description=description
    )
    if item_code:
        request.file_items = {**(request.file_items or {}), str(evidence.id): item_code}
        activity.record(
            "portal.evidence_item",
            actor=actor,
            target=request,
            summary=f"{evidence.original_filename}: {item_code}",
            changes={"file_items": [None, {str(evidence.id): item_code}]},
        )
    return evidence


def _ensure_reviewable(request: PortalRequest, actor: Any) -> PortalSubmission:
    latest = latest_submission(request)
    if request.status != SUBMITTED or latest is None:
        raise PortalRuleError(_l("Only a submitted request can be reviewed."))
    if not permissions.reviews(actor, request):
        raise PortalRuleError(_l("You do not review this kind of request."))
    return latest


def return_submission(
    request: PortalRequest, *, comments: dict[str, str], note: str, actor: Any, now: datetime
) -> None:
    """Send the latest version back to the contact with a comment per item (差戻し)."""
    latest = _ensure_reviewable(request, actor)
    comments = {code: text.strip() for code, text in comments.items() if text and text.strip()}
    if not comments and not (note or "").strip():
        raise PortalRuleError(_l("Say what the vendor should change: comment at least one item."))
    latest.review_comments = comments
    latest.review_note = (note or "").strip()
    latest.decision = RETURNED
    latest.reviewed_by_id = actor.id
    latest.reviewed_at = now
    request.status = RETURNED
    activity.record(
        "portal.return",
        actor=actor,
        target=request,
        summary=f"{request.vendor.name}: #{latest.number}",
        changes={"status": [SUBMITTED, RETURNED], "comments": [None, comments]},
    )


def accept(request: PortalRequest, *, note: str, actor: Any, today: date, now: datetime):
    """Accept the latest version (受理): the kind does what acceptance means (a periodic-report audit,
    a prefilled evaluation, a recorded certificate) and the record it made or changed is returned."""
    latest = _ensure_reviewable(request, actor)
    result = kind(request).accept(request, latest, actor=actor, today=today, now=now)
    latest.decision = ACCEPTED
    latest.review_note = (note or "").strip()
    latest.reviewed_by_id = actor.id
    latest.reviewed_at = now
    request.status = ACCEPTED
    request.accepted_by_id = actor.id
    request.accepted_at = now
    changes: dict[str, list] = {"status": [SUBMITTED, ACCEPTED]}
    for field in ("audit_id", "evaluation_id"):
        if getattr(request, field) is not None:
            changes[field] = [None, getattr(request, field)]
    activity.record(
        "portal.accept",
        actor=actor,
        target=request,
        summary=f"{request.vendor.name}: #{latest.number}",  # the record made is in the changes
        changes=changes,
    )
    return result

"""My work: what is waiting for the signed-in user, by role, oldest first.

Two sources, merged in one order (the day it has waited since, then the kind):
- the reviews and approvals the user may give now come from each duty feature's queue
  (``oversight.status.waiting``), filtered by the decision's permission predicate: the same lists the
  approval-wait reminders read, so a manager is never asked to approve what they submitted,
  reviewed or certified themselves. Those queues are short (what waits for a decision today);
- the work a role does on its own records (audits to plan, corrective plans to verify, drafts,
  certificates to record) can run to thousands of rows at a large company: each kind is one
  ``SELECT`` of the same columns, read as one ``UNION ALL`` ordered in SQL, so a page reads only
  the rows it shows and the count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Date,
    DateTime,
    Select,
    String,
    bindparam,
    case,
    cast,
    func,
    literal,
    null,
    type_coerce,
    union_all,
)

from oversight.audits import settings as audit_settings
from oversight.audits.models import PLAN_RECEIVED, Finding
from oversight.auth.roles import AUDITOR, PROCUREMENT
from oversight.contracts.models import APPROVED as CONTRACT_APPROVED
from oversight.contracts.models import DISPOSED as CONTRACT_DISPOSED
from oversight.contracts.models import DRAFT as CONTRACT_DRAFT
from oversight.contracts.models import RETURNED as CONTRACT_RETURNED
from oversight.contracts.models import Contract
from oversight.core.timeutil import app_timezone, local_date, to_local
from oversight.core.types import UTCDateTime
from oversight.dashboard.due import audit_duties
from oversight.disposals.models import DisposalItem
from oversight.evaluations.models import EDITABLE as EVALUATION_EDITABLE
from oversight.evaluations.models import RETURNED as EVALUATION_RETURNED
from oversight.evaluations.models import Evaluation
from oversight.extensions import db
from oversight.portal import permissions as portal_permissions
from oversight.portal.models import KIND_LABELS as REQUEST_KIND_LABELS
from oversight.portal.models import SUBMITTED as REQUEST_SUBMITTED
from oversight.portal.models import PortalRequest, PortalSubmission
from oversight.status import lights as status_lights
from oversight.status import store as status_store
from oversight.status.waiting import first_waiting_for
from oversight.units import services as unit_services
from oversight.vendors.models import ACTIVE as VENDOR_ACTIVE
from oversight.vendors.models import TERMINATING as VENDOR_TERMINATING
from oversight.vendors.models import Vendor

AUDIT_LOOKAHEAD_DAYS = 30

WORK_LABELS = {
    "clause_review": _l("Clause review"),
    "consent_review": _l("Consent review"),
    "evaluation_approval": _l("Evaluation approval"),
    "contract_approval": _l("Contract approval"),
    "consent_decision": _l("Consent decision"),
    "audit_signoff": _l("Audit sign-off"),
    "deletion_confirmation": _l("Return/deletion to confirm"),
    "audit_due": _l("Audit to plan"),
    "finding_verification": _l("Corrective plan to verify"),
    "evaluation_draft": _l("Evaluation draft"),
    "contract_draft": _l("Contract draft"),
    "contract_to_sign": _l("Contract to sign"),
    "vendor_to_close": _l("Vendor relationship to close"),
    "returned": _l("Returned to you"),
    "certificate_missing": _l("Certificate to record"),
    "submission_review": _l("Vendor submission to review"),
}


@dataclass(frozen=True)
class WorkItem:
    """One thing waiting for the user: what, which vendor, since when, and where to do it."""

    kind: str
    title: str
    vendor_name: str
    since: date | None
    url_path: str

    @property
    def kind_label(self) -> str:
        return str(WORK_LABELS[self.kind])

    def days_waiting(self, today: date) -> int | None:
        return None if self.since is None else max((today - self.since).days, 0)


KIND_RANK = {kind: rank for rank, kind in enumerate(sorted(WORK_LABELS))}  # the list's order within a day


def _day(moment: datetime | None) -> date | None:
    return to_local(moment).date() if moment else None


def _kind(kind: str):
    return literal(kind), literal(KIND_RANK[kind])


def _draft_kind(status_column, returned: str, draft: str):
    """``returned`` for a record sent back to its author, else ``draft``."""
    is_returned = status_column == returned
    return (
        case((is_returned, "returned"), else_=draft),
        case((is_returned, KIND_RANK["returned"]), else_=KIND_RANK[draft]),
    )


def _source(
    number: int,
    kind,
    *,
    target,
    vendor_id,
    vendor_name,
    seq_id,
    seq_on=None,
    seq_at=None,
    seq_text=None,
    title=None,
    detail=None,
    since_at=None,
    since_on=None,
) -> Select:
    """One kind of work as columns every source shares, so that they read as one ``UNION ALL``.

    ``vendor_name`` None: the name is read after the union is cut (:func:`_named`), by ``vendor_id``.

    ``since_at`` is an instant (shown as its local day), ``since_on`` a day. The source's own order
    among items of the same day and kind is ``seq_on``, ``seq_at``, ``seq_text``, ``seq_id`` (what
    it orders by; the others NULL): plain columns, where a ``row_number()`` per source sorted each
    source once more (a quarter of the statement's time at 5,000 vendors).
    """
    kind_column, kind_rank = kind
    since_day = local_date(since_at) if since_at is not None else since_on
    return db.select(
        literal(number).label("source"),
        kind_column.label("kind"),
        kind_rank.label("kind_rank"),
        target.label("target"),
        type_coerce(title if title is not None else null(), String).label("title"),
        type_coerce(detail if detail is not None else null(), String).label("detail"),
        vendor_id.label("vendor_id"),
        type_coerce(vendor_name if vendor_name is not None else null(), String).label("vendor_name"),
        type_coerce(since_at if since_at is not None else cast(null(), DateTime), UTCDateTime).label("since_at"),
        type_coerce(since_day if since_day is not None else cast(null(), Date), Date).label("since_on"),
        type_coerce(seq_on if seq_on is not None else cast(null(), Date), Date).label("seq_on"),
        type_coerce(seq_at if seq_at is not None else cast(null(), DateTime), UTCDateTime).label("seq_at"),
        type_coerce(seq_text if seq_text is not None else null(), String).label("seq_text"),
        seq_id.label("seq_id"),
    )


def _with_vendor(query: Select, vendor_id, late: bool) -> Select:
    """``query`` joined to its vendor for the name, unless the names are read ``late`` (:func:`_named`)."""
    return query if late else query.join(Vendor, Vendor.id == vendor_id)


def _disposals(number: int, kind: str, *conditions, seq_on, since_at=None, since_on=None, late=False) -> Select:
    query = (
        _source(
            number,
            _kind(kind),
            target=DisposalItem.id,
            title=Contract.number,
            vendor_id=DisposalItem.vendor_id,
            vendor_name=None if late else Vendor.name,
            since_at=since_at,
            since_on=since_on,
            seq_on=seq_on,
            seq_id=DisposalItem.id,
        )
        .select_from(DisposalItem)
        .join(Contract, Contract.id == DisposalItem.contract_id)
    )
    return _with_vendor(query, DisposalItem.vendor_id, late).where(DisposalItem.confirmed_at.is_(None), *conditions)


def _audits_due(today: date, config) -> Select:
    """Vendors whose next audit falls due within ``AUDIT_LOOKAHEAD_DAYS`` (or is late), by due date."""
    duties = audit_duties(today, config).subquery("audits_due")
    return _source(
        AUDITS_DUE,
        _kind("audit_due"),
        target=duties.c.object_id,
        vendor_id=duties.c.object_id,
        vendor_name=duties.c.vendor_name,
        since_on=duties.c.due_on,
        seq_on=duties.c.due_on,
        seq_text=duties.c.title,
        seq_id=duties.c.object_id,
    ).where(duties.c.due_on <= literal(today + timedelta(days=AUDIT_LOOKAHEAD_DAYS), Date))


def _findings_to_verify(late: bool = False) -> Select:
    query = _source(
        FINDING_VERIFICATION,
        _kind("finding_verification"),
        target=Finding.id,
        title=Finding.description,
        vendor_id=Finding.vendor_id,
        vendor_name=None if late else Vendor.name,
        since_on=Finding.plan_received_on,
        seq_on=Finding.plan_received_on,
        seq_id=Finding.id,
    ).select_from(Finding)
    return _with_vendor(query, Finding.vendor_id, late).where(Finding.status == PLAN_RECEIVED)


def _submissions_to_review(role: str, units: tuple[int, ...] | None) -> Select:
    """What vendors submitted through the portal of a kind ``role`` reviews and is not yet returned or
    accepted, since the latest submission (the review inbox): only what the reader may decide, ``units``
    being where they review with ``role`` (``portal.permissions.review_clause``, the review's predicate)."""
    submitted_at = (
        db.select(func.max(PortalSubmission.submitted_at))
        .where(PortalSubmission.request_id == PortalRequest.id)
        .scalar_subquery()
    )
    return (
        _source(
            SUBMISSION_REVIEW,
            _kind("submission_review"),
            target=PortalRequest.id,
            title=PortalRequest.kind,
            vendor_id=PortalRequest.vendor_id,
            vendor_name=Vendor.name,
            since_at=submitted_at,
            seq_at=submitted_at,
            seq_id=PortalRequest.id,
        )
        .select_from(PortalRequest)
        .join(Vendor, Vendor.id == PortalRequest.vendor_id)
        .where(PortalRequest.status == REQUEST_SUBMITTED, portal_permissions.review_clause(role, units))
    )


def _evaluation_drafts(late: bool = False) -> Select:
    query = _source(
        EVALUATION_DRAFT,
        _draft_kind(Evaluation.status, EVALUATION_RETURNED, "evaluation_draft"),
        target=Evaluation.id,
        vendor_id=Evaluation.vendor_id,
        vendor_name=None if late else Vendor.name,
        since_at=Evaluation.updated_at,
        seq_at=Evaluation.updated_at,
        seq_id=Evaluation.id,
    ).select_from(Evaluation)
    return _with_vendor(query, Evaluation.vendor_id, late).where(Evaluation.status.in_(EVALUATION_EDITABLE))


def _contracts(number: int, kind, since_at, *conditions, late: bool = False) -> Select:
    """Contracts meeting ``conditions`` as one kind of work, titled by number and title, since ``since_at``."""
    query = _source(
        number,
        kind,
        target=Contract.id,
        title=Contract.number,
        detail=Contract.title,
        vendor_id=Contract.vendor_id,
        vendor_name=None if late else Vendor.name,
        since_at=since_at,
        seq_at=since_at,
        seq_id=Contract.id,
    ).select_from(Contract)
    return _with_vendor(query, Contract.vendor_id, late).where(*conditions)


def _contract_drafts(late: bool = False) -> Select:
    return _contracts(
        CONTRACT_DRAFT_SOURCE,
        _draft_kind(Contract.status, CONTRACT_RETURNED, "contract_draft"),
        Contract.updated_at,
        Contract.status.in_((CONTRACT_DRAFT, CONTRACT_RETURNED)),
        late=late,
    )


def _contracts_to_sign(late: bool = False) -> Select:
    """Contracts a manager approved: procurement records the signature (締結) and attaches the document."""
    return _contracts(
        CONTRACT_TO_SIGN,
        _kind("contract_to_sign"),
        Contract.approved_at,
        Contract.status == CONTRACT_APPROVED,
        late=late,
    )


def _vendors_to_close() -> Select:
    """Vendors still 取引中 (or 終了手続中) whose every contract's data was returned or deleted, the manager
    having confirmed it: procurement records the end of the relationship, since the last confirmation."""
    last_confirmed = (
        db.select(func.max(DisposalItem.confirmed_at)).where(DisposalItem.vendor_id == Vendor.id).scalar_subquery()
    )
    # "Has a contract and none that is not disposed" as "has a disposed contract and none that is not": the
    # same vendors, and PostgreSQL starts from the disposed contracts (an index) instead of hashing every
    # other contract (~17,000 at 5,000 vendors) for an anti-join; ``OFFSET 0`` keeps the second test a
    # per-vendor probe of the (vendor_id, status) index on the few vendors left (~10 → ~4 ms there).
    has_contract = (
        db.select(Contract.id).where(Contract.vendor_id == Vendor.id, Contract.status == CONTRACT_DISPOSED).exists()
    )
    open_contract = (
        db.select(Contract.id)
        .where(Contract.vendor_id == Vendor.id, Contract.status != CONTRACT_DISPOSED)
        .offset(0)
        .exists()
    )
    return (
        _source(
            VENDOR_TO_CLOSE,
            _kind("vendor_to_close"),
            target=Vendor.id,
            vendor_id=Vendor.id,
            vendor_name=Vendor.name,
            since_at=last_confirmed,
            seq_at=last_confirmed,
            seq_id=Vendor.id,
        )
        .select_from(Vendor)
        .where(Vendor.status.in_((VENDOR_ACTIVE, VENDOR_TERMINATING)), has_contract, ~open_contract)
    )


def _certificates_missing(late: bool = False) -> Select:
    return _disposals(
        CERTIFICATE_MISSING,
        "certificate_missing",
        DisposalItem.recorded_at.is_(None),
        since_on=DisposalItem.opened_on,
        seq_on=DisposalItem.due_on,
        late=late,
    )


# Each source's number (the order of the roles' lists, kept among items of the same day and kind),
# its title and its address.
(
    AUDITS_DUE,
    FINDING_VERIFICATION,
    EVALUATION_DRAFT,
    CONTRACT_DRAFT_SOURCE,
    CERTIFICATE_MISSING,
    CONTRACT_TO_SIGN,
    VENDOR_TO_CLOSE,
    SUBMISSION_REVIEW,
) = range(8)


def _numbered(row) -> str:
    return f"{row.title} {row.detail}"


def _disposal_title(row) -> str:
    return f"{row.title} — {row.vendor_name}"


def _finding_title(row) -> str:
    return row.title if len(row.title) <= 60 else row.title[:59] + "…"


SOURCES: dict[int, tuple[Callable[[Any], str], str]] = {
    AUDITS_DUE: (lambda row: row.vendor_name, "/audits/new?vendor_id={}"),
    FINDING_VERIFICATION: (_finding_title, "/audits/findings/{}"),
    EVALUATION_DRAFT: (lambda row: str(_l("Selection evaluation")), "/evaluations/{}"),
    CONTRACT_DRAFT_SOURCE: (_numbered, "/contracts/{}"),
    CERTIFICATE_MISSING: (_disposal_title, "/disposals/{}"),
    CONTRACT_TO_SIGN: (_numbered, "/contracts/{}"),
    VENDOR_TO_CLOSE: (lambda row: row.vendor_name, "/vendors/{}"),
    SUBMISSION_REVIEW: (lambda row: str(REQUEST_KIND_LABELS.get(row.title, row.title)), "/requests/{}"),
}


def _work_union(auditor: bool, procurement: bool, today: date, review_units: tuple, late: bool = False):
    """The work of an auditor and (or) procurement, as one ``UNION ALL`` subquery (None: none).
    ``review_units``: (role, units) pairs, ``_review_units``; ``late``: the sources that join their vendor only
    for its name leave it out (:func:`_named` reads the names of the rows kept)."""
    units = dict(review_units)
    selects: list[Select] = []
    if auditor:
        selects += [
            _audits_due(today, audit_settings.current()),
            _findings_to_verify(late),
            _submissions_to_review(AUDITOR, units.get(AUDITOR, ())),
        ]
    if procurement:
        selects += [
            _evaluation_drafts(late),
            _contract_drafts(late),
            _contracts_to_sign(late),
            _certificates_missing(late),
            _vendors_to_close(),
            _submissions_to_review(PROCUREMENT, units.get(PROCUREMENT, ())),
        ]
    if not selects:
        return None
    return union_all(*selects).subquery("work")


def _order(work) -> list:
    # Oldest first (undated last), then by kind; the sources' own order among equals.
    return [
        work.c.since_on.is_(None),
        work.c.since_on,
        work.c.kind_rank,
        work.c.source,
        work.c.seq_on,
        work.c.seq_at,
        work.c.seq_text,
        work.c.seq_id,
    ]


def _ordered(work) -> Select:
    return db.select(work).order_by(*_order(work))


def _named(page) -> Select:
    """The rows of ``page`` (the ordered union, cut) with their vendor's name, in the same order: the name is
    read for the rows kept, where each source joined every one of its rows to ``vendors`` (on PostgreSQL a hash
    join over every vendor per source)."""
    columns = [column if column.key != "vendor_name" else Vendor.name.label("vendor_name") for column in page.c]
    return (
        db.select(*columns)
        .select_from(page)
        .join(Vendor, Vendor.id == page.c.vendor_id)
        .order_by(*_order(page))
    )


@lru_cache(maxsize=32)
def _own_statement(
    auditor: bool,
    procurement: bool,
    today: date,
    _settings: str,
    limited: bool,
    _offset,
    review_units: tuple,
    whole_group: bool = False,
) -> Select | None:
    """The ordered union of the work of an auditor and (or) procurement with its count, a page's rows
    bound as ``limit`` (``limited``). It depends on nothing but its arguments (``_settings``: the rules'
    settings, ``_offset``: the local day's UTC offset, ``review_units``: where the reader reviews portal
    submissions), so it is built once a day per pair of roles (and set of units): building and hashing this
    tree of subqueries cost more than running it.

    ``whole_group``: the reader reads the whole group, and the sources that join their vendor only for its
    name leave the join out (it follows a non-null foreign key, so it keeps every row); the names of the rows
    kept are read after the cut (:func:`_named`). A unit-bound reader keeps the joins: the joined vendor
    carries the unit scope's criteria."""
    work = _work_union(auditor, procurement, today, review_units, late=whole_group)
    if work is None:
        return None
    query = _ordered(work).add_columns(func.count().over().label("total"))
    if limited:
        query = query.limit(bindparam("limit"))
    return _named(query.subquery("page")) if whole_group else query


def _review_units(user: Any, auditor: bool, procurement: bool) -> tuple:
    """The units where ``user`` reviews portal submissions with each of their roles that has an inbox."""
    roles = (AUDITOR,) * auditor + (PROCUREMENT,) * procurement
    return tuple((role, portal_permissions.review_units(user, role)) for role in roles)


def _item(row) -> WorkItem:
    title, url = SOURCES[row.source]
    since = _day(row.since_at) if row.since_at is not None else row.since_on
    return WorkItem(row.kind, title(row), row.vendor_name, since, url.format(row.target))


def _decisions(user: Any, limit: int | None) -> tuple[list[WorkItem], int]:
    """The first ``limit`` reviews and approvals ``user`` may give now (all when None), in the list's
    order, and how many there are (``oversight.status.waiting``: every queue in one statement, the
    decisions' permission predicates applied in SQL)."""
    zone = app_timezone()
    waiting, total = first_waiting_for(user, db.session, limit, KIND_RANK)
    items = [
        WorkItem(
            item.kind,
            item.title,
            item.vendor_name,
            item.since.astimezone(zone).date() if item.since else None,
            item.url_path,
        )
        for item in waiting
    ]
    return items, total


def _sort_key(item: WorkItem) -> tuple:
    return (item.since is None, item.since or date.max, KIND_RANK[item.kind])


def my_work(user: Any, today: date) -> list[WorkItem]:
    """Everything waiting for ``user`` in any of their roles, oldest first."""
    items, _total = first_work(user, today, limit=None)
    return items


def first_work(user: Any, today: date, limit: int | None, config=None, offset: int = 0) -> tuple[list[WorkItem], int]:
    """``limit`` items of ``my_work`` from ``offset`` (all when None) and how many there are in all.

    The first ``offset + limit`` decisions (one query for rows and count) are merged with the first
    ``offset + limit`` rows of the ordered union (one query for both rows and count; a second one
    counts when the page lies past the union's end).
    ``config``: the audit settings (the stored due dates follow the current ones).
    """
    decisions, decisions_total = _decisions(user, None if limit is None else offset + limit)
    own: list[WorkItem] = []
    own_total = 0
    auditor, procurement = user.has_role(AUDITOR), user.has_role(PROCUREMENT)
    query = None
    if auditor or procurement:
        settings = ""
        if auditor:
            status_store.ensure_current(today)  # the stored audit due dates
            settings = status_lights.settings_key()
        offset_now = datetime.now(app_timezone()).utcoffset()  # the local day's offset is in the statement
        review_units = _review_units(user, auditor, procurement)
        whole_group = unit_services.reader_roots() is None  # no unit scope's criteria on the joined vendors
        query = _own_statement(
            auditor, procurement, today, settings, limit is not None, offset_now, review_units, whole_group
        )
    if query is not None:
        rows = db.session.execute(query, {} if limit is None else {"limit": offset + limit}).all()
        own = [_item(row) for row in rows]
        own_total = rows[0].total if rows else 0
        if not rows and offset:
            work = _work_union(auditor, procurement, today, review_units, late=whole_group)
            own_total = db.session.scalar(db.select(func.count()).select_from(work)) or 0
    merged = sorted([*decisions, *own], key=_sort_key)  # stable: the union's own order among equals
    end = None if limit is None else offset + limit
    return merged[offset:end], decisions_total + own_total

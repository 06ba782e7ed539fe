"""Vendor register rules: creating and editing entries, status moves, contacts and certifications."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, or_
from sqlalchemy.orm import joinedload

from oversight.activity import services as activity
from oversight.auth.models import User
from oversight.core.editing import apply_changes, snapshot
from oversight.core.errors import RuleError
from oversight.core.sorting import Sort, Sorting, listed_order, order_by
from oversight.core.timeutil import utcnow
from oversight.extensions import db
from oversight.units import scope as unit_scope
from oversight.units import services as unit_services
from oversight.vendors import corporate_number
from oversight.vendors.models import (
    ACTIVE,
    ARCHIVED,
    CANDIDATE,
    ENDED,
    EVALUATING,
    REJECTED,
    SELECTED,
    STATUS_LABELS,
    TERMINATING,
    Vendor,
    VendorCertification,
    VendorContact,
)

VENDOR_FIELDS = [
    "name",
    "name_kana",
    "corporate_number",
    "address",
    "representative",
    "entrusted_work",
    "data_scope",
    "data_subject_count",
    "handling_location",
    "handling_country",
    "handling_site",
    "risk_tier",
    "is_entrustment",
    "entrustment_reason",
    "owner_id",
    "manager_id",
]
CONTACT_FIELDS = ["name", "department", "email", "phone", "role"]
CERTIFICATION_FIELDS = ["kind", "name", "number", "issuer", "expires_on"]

# Which status a vendor may move to from each status (DESIGN.md §2).
TRANSITIONS: dict[str, frozenset[str]] = {
    CANDIDATE: frozenset({EVALUATING, REJECTED}),
    EVALUATING: frozenset({SELECTED, REJECTED, CANDIDATE}),
    SELECTED: frozenset({ACTIVE, EVALUATING, REJECTED}),
    ACTIVE: frozenset({TERMINATING, EVALUATING}),
    TERMINATING: frozenset({ENDED, ACTIVE}),
    ENDED: frozenset({CANDIDATE, ARCHIVED}),
    REJECTED: frozenset({CANDIDATE, ARCHIVED}),
    # An archived vendor is read-only, for good: its records are kept, never deleted (README, retention).
}

# 選定済 is reached only by approving a selection evaluation (``evaluations.services.approve``).
EVALUATION_ONLY = frozenset({SELECTED})
ARCHIVED_MESSAGE = _l("This vendor is archived: its register entry and records are kept read-only.")

# 50音 order: by the kana reading, by the legal name when no reading was entered.
KANA_ORDER = db.func.coalesce(db.func.nullif(Vendor.name_kana, ""), Vendor.name)
STATUS_ORDER = listed_order(Vendor.status, STATUS_LABELS)
RISK_ORDER = db.case({"high": 0, "medium": 1, "low": 2}, value=Vendor.risk_tier, else_=1)
# Vendors no form offers for a new record (a record that already names one keeps it).
UNSELECTABLE = (ENDED, REJECTED, ARCHIVED)
SORTS = {
    "kana": (KANA_ORDER,),
    "name": (Vendor.name,),
    "corporate_number": (Vendor.corporate_number,),
    "status": (STATUS_ORDER, KANA_ORDER),
    "risk": (RISK_ORDER, KANA_ORDER),
    "updated": (Vendor.updated_at,),
}
SORTING = Sorting(SORTS, default="kana", descending_first=("updated",))


class VendorRuleError(RuleError):
    """A change the register's rules refuse; ``message`` is shown to the user."""


class DuplicateCorporateNumberError(VendorRuleError):
    """Another vendor already has this 法人番号."""

    def __init__(self, existing: Vendor) -> None:
        super().__init__(_l("Another vendor already has this corporate number: %(name)s.", name=existing.name))
        self.existing = existing


def ensure_not_archived(vendor: Vendor) -> None:
    """Refuse any change to an archived vendor's entry, contacts or certifications."""
    if vendor.status == ARCHIVED:
        raise VendorRuleError(ARCHIVED_MESSAGE)


def allowed_moves(status: str) -> list[str]:
    """The statuses a user may move a vendor in ``status`` to, in lifecycle order."""
    targets = TRANSITIONS.get(status, frozenset()) - EVALUATION_ONLY
    return [code for code in STATUS_LABELS if code in targets]


def find_by_corporate_number(number: str) -> Vendor | None:
    """The vendor holding ``number`` (any notation), if any."""
    normalised = corporate_number.normalise(number)
    if not (normalised.isascii() and normalised.isdigit()):
        return None  # no stored number looks like this (and a NUL would be refused by PostgreSQL)
    return db.session.scalar(db.select(Vendor).where(Vendor.corporate_number == normalised))


def clean_values(values: dict[str, Any]) -> dict[str, Any]:
    """The register values as they are stored (法人番号 normalised, text trimmed, no country in Japan);
    the bulk import compares a row with the register through the same function."""
    cleaned = dict(values)
    cleaned["corporate_number"] = corporate_number.normalise(values.get("corporate_number")) or None
    if cleaned.get("handling_location") != "abroad":
        cleaned["handling_country"] = ""
    for key in ("name", "name_kana", "address", "representative", "handling_country"):
        if isinstance(cleaned.get(key), str):
            cleaned[key] = cleaned[key].strip()
    return cleaned


@unit_scope.reads_whole_group  # a 法人番号 is unique in the whole group
def _ensure_unique(number: str | None, vendor: Vendor | None = None) -> None:
    if not number:
        return
    existing = find_by_corporate_number(number)
    if existing is not None and existing is not vendor:
        raise DuplicateCorporateNumberError(existing)


def create_vendor(values: dict[str, Any], *, actor: User | None) -> Vendor:
    """Register a vendor as a candidate; refuses a 法人番号 another vendor already has."""
    cleaned = clean_values(values)
    _ensure_unique(cleaned["corporate_number"])
    vendor = Vendor(status=CANDIDATE, **{field: cleaned.get(field) for field in VENDOR_FIELDS if field in cleaned})
    db.session.add(vendor)
    db.session.flush()
    units = unit_services.set_vendor_units(
        vendor, values.get("unit_ids") or unit_services.home_unit_ids(actor), actor=actor
    )
    activity.record(
        "vendor.create",
        actor=actor,
        target=vendor,
        summary=vendor.name,
        changes={**snapshot(vendor, [*VENDOR_FIELDS, "status"]), "unit_ids": units},
    )
    return vendor


def create_vendors(rows: list[dict[str, Any]], *, actor: User | None) -> list[Vendor]:
    """Register many vendors as candidates at once (the bulk import): one batched INSERT, one log entry each.

    The caller has made sure no two rows and no registered vendor share a 法人番号 (the import plans
    every row against the register loaded once); the unique index still refuses one on flush.
    """
    if not rows:
        return []
    vendors = []
    for values in rows:
        cleaned = clean_values(values)
        vendors.append(
            Vendor(status=CANDIDATE, **{field: cleaned.get(field) for field in VENDOR_FIELDS if field in cleaned})
        )
    db.session.add_all(vendors)
    db.session.flush()
    home = unit_services.home_unit_ids(actor)
    unit_services.add_vendors_to_units(
        [(vendor.id, unit_id) for vendor, values in zip(vendors, rows, strict=True)
         for unit_id in (values.get("unit_ids") or home)]
    )
    fields = [*VENDOR_FIELDS, "status"]
    activity.record_many(
        [("vendor.create", vendor, vendor.name, snapshot(vendor, fields)) for vendor in vendors], actor=actor
    )
    return vendors


def update_vendor(
    vendor: Vendor, values: dict[str, Any], *, actor: User, uniqueness_checked: bool = False
) -> dict[str, list]:
    """Change a vendor's register data; returns the changes logged.

    ``uniqueness_checked``: the caller (the bulk import, which matched the row with the register by this
    very 法人番号) knows no other vendor holds it, so the per-row query is left out.
    """
    ensure_not_archived(vendor)
    cleaned = clean_values(values)
    if not uniqueness_checked:
        _ensure_unique(cleaned["corporate_number"], vendor)
    changes = apply_changes(vendor, {field: cleaned[field] for field in VENDOR_FIELDS if field in cleaned})
    if "unit_ids" in values:
        units = unit_services.set_vendor_units(vendor, values["unit_ids"], actor=actor)
        if units is not None:
            changes["unit_ids"] = units
            vendor.updated_at = utcnow()  # the units live in their own table: a form opened before is stale
    if changes:
        activity.record("vendor.update", actor=actor, target=vendor, summary=vendor.name, changes=changes)
    return changes


def change_status(
    vendor: Vendor,
    new_status: str,
    *,
    reason: str,
    actor: User | None,
    by_evaluation: bool = False,
    by_archive: bool = False,
) -> None:
    """Move a vendor along its lifecycle; a move not in :data:`TRANSITIONS` is refused.

    Only an approved selection evaluation (``by_evaluation=True``) makes a vendor 選定済, and only
    ``status.archive.move_vendor`` (``by_archive=True``, after checking nothing is outstanding) archives it.
    """
    if new_status in EVALUATION_ONLY and not by_evaluation:
        raise VendorRuleError(_l("A vendor becomes selected only when a selection evaluation is approved."))
    if new_status == ARCHIVED and not by_archive:
        raise VendorRuleError(_l("Archive a vendor through the archive check (nothing may be outstanding)."))
    if new_status not in TRANSITIONS.get(vendor.status, frozenset()):
        raise VendorRuleError(
            _l(
                "A vendor cannot move from %(old)s to %(new)s.",
                old=STATUS_LABELS.get(vendor.status, vendor.status),
                new=STATUS_LABELS.get(new_status, new_status),
            )
        )
    if not reason or not reason.strip():
        raise VendorRuleError(_l("Give a reason for the status change."))
    old_status = vendor.status
    vendor.status = new_status
    activity.record(
        "vendor.status",
        actor=actor,
        target=vendor,
        summary=f"{vendor.name}: {reason.strip()}"[:2000],
        changes={"status": [old_status, new_status]},
    )


# ぁ-ゖ → ァ-ヶ: a kana reading typed in hiragana finds the katakana one the register holds.
HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(ord("ぁ"), ord("ゖ") + 1)}


def search_texts(text: str | None) -> tuple[str, ...]:
    """The forms of ``text`` (trimmed, lower case) the register's search looks for: as typed, with half-width
    katakana and full-width letters and digits made ordinary (NFKC), and with hiragana as katakana."""
    typed = (text or "").strip().lower()
    if not typed:
        return ()
    plain = unicodedata.normalize("NFKC", typed).lower()
    return tuple(dict.fromkeys((typed, plain, plain.translate(HIRAGANA_TO_KATAKANA))))


def search_condition(text: str | None) -> ColumnElement[bool] | None:
    """The register's search: ``text`` in the vendor's name or kana reading, case-insensitively and in any
    of the forms :func:`search_texts` gives, or its digits in the 法人番号 (full-width digits and hyphens as
    an IME types them are read as digits); None for a blank text. The vendor list's search and every list's
    vendor filter (contracts, return/deletion, incidents) use this one condition, so a vendor is found the
    same way everywhere."""
    texts = search_texts(text)
    if not texts:
        return None
    conditions = []
    for form in texts:
        pattern = f"%{form}%"
        conditions += [db.func.lower(Vendor.name).like(pattern), db.func.lower(Vendor.name_kana).like(pattern)]
    digits = corporate_number.normalise(text)
    if digits.isdigit():
        conditions.append(Vendor.corporate_number.like(f"%{digits}%"))
    return or_(*conditions)


def ids_matching(text: str | None) -> Select:
    """The ids of the vendors :func:`search_condition` finds, as an ``IN`` subquery on a list's vendor key
    (never correlated with the outer statement's vendors): the register is searched once and the list's
    rows tested by key, rather than the text on the joined vendor of every row in the sort's order (3x the
    whole page's SQL at 5,000 vendors). The reader's scope applies to it as to any read. ``text`` must not
    be blank."""
    condition = search_condition(text)
    if condition is None:
        raise ValueError("a blank text matches every vendor: leave the filter out instead")
    return db.select(Vendor.id).where(condition).correlate(None)


SUGGESTION_LIMIT = 10


def suggestions(text: str | None, *, limit: int = SUGGESTION_LIMIT) -> tuple[list, bool]:
    """The first ``limit`` vendors the reader sees that :func:`search_condition` finds, and whether there
    are more: ``(id, name, name_kana, corporate_number)`` rows, those whose name or reading starts with the
    text first, then in 50音 order (a list filter's suggestions while typing; every status, as the lists
    show records of ended and archived vendors too)."""
    condition = search_condition(text)
    if condition is None:
        return [], False
    starts = or_(
        *(
            column.like(f"{form}%")
            for form in search_texts(text)
            for column in (db.func.lower(Vendor.name), db.func.lower(Vendor.name_kana))
        )
    )
    rows = db.session.execute(
        db.select(Vendor.id, Vendor.name, Vendor.name_kana, Vendor.corporate_number)
        .where(condition)
        .order_by(db.case((starts, 0), else_=1), KANA_ORDER, Vendor.id)
        .limit(limit + 1)
    ).all()
    return rows[:limit], len(rows) > limit


def filter_vendor(vendor_id: int):
    """``(id, name)`` of the vendor a list is filtered by, if the reader sees it; None otherwise (another
    unit's vendor is as unknown as a deleted one)."""
    return db.session.execute(db.select(Vendor.id, Vendor.name).where(Vendor.id == vendor_id)).first()


def vendor_query(
    *,
    q: str = "",
    status: str = "",
    risk_tier: str = "",
    owner_id: int | None = None,
    sort: Sort | str | None = None,
    extra_conditions: tuple = (),
    loading: tuple | None = None,
) -> Select:
    """Vendors matching the list page's search and filters, owner and manager loaded (or as ``loading``,
    loader options, says)."""
    query = db.select(Vendor).options(
        *(loading if loading is not None else (joinedload(Vendor.owner), joinedload(Vendor.manager)))
    )
    searched = search_condition(q)
    if searched is not None:
        query = query.where(searched)
    # Archived vendors are shown only when the filter asks for them.
    query = query.where(Vendor.status == status) if status else query.where(Vendor.status != ARCHIVED)
    if risk_tier:
        query = query.where(Vendor.risk_tier == risk_tier)
    if owner_id:
        query = query.where(Vendor.owner_id == owner_id)
    for condition in extra_conditions:
        query = query.where(condition)
    return query.order_by(*order_by(SORTING.coerce(sort), SORTS, Vendor.id))


def vendor_detail_query(vendor_id: int):
    """The query of a vendor with owner, manager and contacts (joined) and certifications (a second query)."""
    return (
        db.select(Vendor)
        .where(Vendor.id == vendor_id)
        .options(
            joinedload(Vendor.owner),
            joinedload(Vendor.manager),
            joinedload(Vendor.contacts),
            db.selectinload(Vendor.certifications),
        )
    )


def load_vendor_detail(vendor_id: int) -> Vendor | None:
    """A vendor with owner, manager and contacts (joined) and certifications (a second query)."""
    return db.session.execute(vendor_detail_query(vendor_id)).unique().scalar_one_or_none()


def add_contact(vendor: Vendor, values: dict[str, Any], *, actor: User) -> VendorContact:
    """Add a contact person to a vendor."""
    ensure_not_archived(vendor)
    contact = VendorContact(
        vendor_id=vendor.id, **{field: (values.get(field) or "").strip() for field in CONTACT_FIELDS}
    )
    db.session.add(contact)
    db.session.flush()
    activity.record(
        "vendor.contact_add",
        actor=actor,
        target=vendor,
        summary=f"{vendor.name}: {contact.name}",
        changes=snapshot(contact, CONTACT_FIELDS),
    )
    return contact


def add_contacts(rows: list[tuple[Vendor, dict[str, Any]]], *, actor: User) -> list[VendorContact]:
    """Add many contact persons at once (the bulk import): one batched INSERT, one log entry each."""
    contacts = []
    for vendor, values in rows:
        ensure_not_archived(vendor)
        contacts.append(
            VendorContact(vendor_id=vendor.id, **{field: (values.get(field) or "").strip() for field in CONTACT_FIELDS})
        )
    db.session.add_all(contacts)
    db.session.flush()
    activity.record_many(
        [
            ("vendor.contact_add", vendor, f"{vendor.name}: {contact.name}", snapshot(contact, CONTACT_FIELDS))
            for (vendor, _values), contact in zip(rows, contacts, strict=True)
        ],
        actor=actor,
    )
    return contacts


def update_contact(contact: VendorContact, values: dict[str, Any], *, actor: User) -> dict[str, list]:
    """Change a contact's details."""
    ensure_not_archived(contact.vendor)
    changes = apply_changes(contact, {field: (values.get(field) or "").strip() for field in CONTACT_FIELDS})
    if changes:
        activity.record(
            "vendor.contact_update",
            actor=actor,
            target=contact.vendor,
            summary=f"{contact.vendor.name}: {contact.name}",
            changes=changes,
        )
    return changes


def remove_contact(contact: VendorContact, *, actor: User) -> None:
    """Delete a contact."""
    ensure_not_archived(contact.vendor)
    activity.record(
        "vendor.contact_remove",
        actor=actor,
        target=contact.vendor,
        summary=f"{contact.vendor.name}: {contact.name}",
        changes={field: [value, None] for field, (_, value) in snapshot(contact, CONTACT_FIELDS).items()},
    )
    db.session.delete(contact)


def _certification_values(values: dict[str, Any]) -> dict[str, Any]:
    return {
        field: (values.get(field) or "").strip() if field != "expires_on" else values.get(field)
        for field in CERTIFICATION_FIELDS
    }


def add_certification(vendor: Vendor, values: dict[str, Any], *, actor: User) -> VendorCertification:
    """Record a certification the vendor holds."""
    ensure_not_archived(vendor)
    certification = VendorCertification(vendor_id=vendor.id, **_certification_values(values))
    db.session.add(certification)
    db.session.flush()
    activity.record(
        "vendor.certification_add",
        actor=actor,
        target=vendor,
        summary=f"{vendor.name}: {certification.kind_label} {certification.number}",
        changes=snapshot(certification, CERTIFICATION_FIELDS),
    )
    return certification


def add_certifications(
    rows: list[tuple[Vendor, dict[str, Any]]], *, actor: User
) -> list[VendorCertification]:
    """Record many certifications at once (the bulk import): one batched INSERT, one log entry each."""
    certifications = []
    for vendor, values in rows:
        ensure_not_archived(vendor)
        certifications.append(VendorCertification(vendor_id=vendor.id, **_certification_values(values)))
    db.session.add_all(certifications)
    db.session.flush()
    activity.record_many(
        [
            (
                "vendor.certification_add",
                vendor,
                f"{vendor.name}: {certification.kind_label} {certification.number}",
                snapshot(certification, CERTIFICATION_FIELDS),
            )
            for (vendor, _values), certification in zip(rows, certifications, strict=True)
        ],
        actor=actor,
    )
    return certifications


def update_certification(certification: VendorCertification, values: dict[str, Any], *, actor: User) -> dict:
    """Change a certification's details."""
    ensure_not_archived(certification.vendor)
    changes = apply_changes(certification, _certification_values(values))
    if changes:
        activity.record(
            "vendor.certification_update",
            actor=actor,
            target=certification.vendor,
            summary=f"{certification.vendor.name}: {certification.kind_label} {certification.number}",
            changes=changes,
        )
    return changes


def remove_certification(certification: VendorCertification, *, actor: User) -> None:
    """Delete a certification record."""
    ensure_not_archived(certification.vendor)
    activity.record(
        "vendor.certification_remove",
        actor=actor,
        target=certification.vendor,
        summary=f"{certification.vendor.name}: {certification.kind_label} {certification.number}",
        changes={field: [value, None] for field, (_, value) in snapshot(certification, CERTIFICATION_FIELDS).items()},
    )
    db.session.delete(certification)


def selectable_condition(keep: Iterable[int | None] = ()) -> ColumnElement[bool]:
    """Vendors a form may offer: not ended, not adopted or archived, or one of ``keep`` (the vendor a
    record being edited already names)."""
    offered = Vendor.status.not_in(UNSELECTABLE)
    kept = {vendor_id for vendor_id in keep if vendor_id}
    return or_(offered, Vendor.id.in_(kept)) if kept else offered


def selectable_vendors(*, keep: Iterable[int | None] = ()) -> list[Vendor]:
    """The vendors a form's choices offer, in 50音 order (see :func:`selectable_condition`): the one
    query behind every vendor dropdown of a record's form (a list's vendor filter is a search field instead,
    ``forms.VendorFilterMixin``, that finds a vendor of any status)."""
    query = db.select(Vendor).where(selectable_condition(keep)).order_by(KANA_ORDER, Vendor.id)
    return list(db.session.scalars(query))

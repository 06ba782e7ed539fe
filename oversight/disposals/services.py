"""Ending contracts, and opening, certifying and confirming their data return/deletion items.

An item opens for the contractor when its contract ends (at its end date or by early
termination), and one more for each consented subcontractor in its chain
(``oversight.subcontracts.disposal.parties``). Opening is idempotent: one item per (contract, vendor).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, or_
from sqlalchemy.orm import contains_eager, joinedload, load_only, raiseload
from werkzeug.datastructures import FileStorage

from oversight.activity import services as activity
from oversight.auth.models import User
from oversight.contracts import services as contract_services
from oversight.contracts.models import DISPOSED, ENDED, Contract
from oversight.core.editing import apply_changes, plain, snapshot
from oversight.core.errors import RuleError
from oversight.core.sorting import Sort, Sorting, order_by
from oversight.disposals import permissions
from oversight.disposals.models import CERTIFICATE_FIELDS, CONTRACT_END, TERMINATION, DisposalItem
from oversight.events import services as events
from oversight.events import types as event_types
from oversight.evidence import services as evidence_services
from oversight.extensions import db
from oversight.subcontracts import disposal as subcontract_disposal
from oversight.vendors import services as vendor_services
from oversight.vendors.models import Vendor


class DisposalRuleError(RuleError):
    """A step the return/deletion rules refuse; ``message`` is shown to the user."""

def due_date(contract: Contract, ended_on: date) -> date:
    """The day the data must be returned or deleted by: the end plus the contract's days."""
    return ended_on + timedelta(days=contract.disposal_days)


def find_item(contract: Contract, vendor_id: int) -> DisposalItem | None:
    return db.session.scalar(
        db.select(DisposalItem).where(DisposalItem.contract_id == contract.id, DisposalItem.vendor_id == vendor_id)
    )


def open_item(
    contract: Contract,
    *,
    vendor_id: int,
    ended_on: date,
    reason: str = CONTRACT_END,
    subcontract_id: int | None = None,
    level: int = 0,
    actor: User | None = None,
) -> DisposalItem:
    """The item for ``vendor_id`` on ``contract``, opened now unless it exists (idempotent)."""
    existing = find_item(contract, vendor_id)
    if existing is not None:
        return existing
    item = DisposalItem(
        contract_id=contract.id,
        vendor_id=vendor_id,
        subcontract_id=subcontract_id,
        level=level,
        reason=reason,
        opened_on=ended_on,
        due_on=due_date(contract, ended_on),
    )
    db.session.add(item)
    db.session.flush()
    activity.record(
        "disposal.open",
        actor=actor,
        target=item,
        summary=contract.number,  # the vendor is named from vendor_id when the log is read
        changes=snapshot(item, ["contract_id", "vendor_id", "subcontract_id", "level", "due_on"]),
    )
    return item


def open_items_for(contract: Contract, *, ended_on: date, reason: str, actor: User | None) -> list[DisposalItem]:
    """Open the contractor's item and one per consented subcontractor of the chain."""
    items = [open_item(contract, vendor_id=contract.vendor_id, ended_on=ended_on, reason=reason, actor=actor)]
    for party in subcontract_disposal.parties(contract):
        items.append(
            open_item(
                contract,
                vendor_id=party.vendor_id,
                ended_on=ended_on,
                reason=reason,
                subcontract_id=party.subcontract_id,
                level=party.level,
                actor=actor,
            )
        )
    return items


def terminate_contract(contract: Contract, *, ended_on: date, reason: str, actor: User, today: date) -> None:
    """End a signed contract early with a reason; its return/deletion items open."""
    contract_services.check_termination(contract, ended_on=ended_on, reason=reason, today=today)
    contract_services.end(contract, ended_on=ended_on, early=True, note=reason.strip(), actor=actor)
    open_items_for(contract, ended_on=ended_on, reason=TERMINATION, actor=actor)


def close_ended_contracts(today: date, actor: User | None = None) -> list[Contract]:
    """End every signed contract whose end date has passed and open its items; idempotent."""
    closed = contract_services.past_their_end(today)
    for contract in closed:
        contract_services.end(contract, ended_on=contract.end_on, early=False, note="", actor=actor)
        open_items_for(contract, ended_on=contract.end_on, reason=CONTRACT_END, actor=actor)
    return closed


def daily_close(today: date, now: datetime) -> list[Contract]:
    """The scheduler's daily job (listed in ``oversight/features.py``)."""
    return close_ended_contracts(today)


def items_of_contract(contract: Contract) -> list[DisposalItem]:
    query = db.select(DisposalItem).where(DisposalItem.contract_id == contract.id)
    return list(db.session.scalars(query.order_by(DisposalItem.level, DisposalItem.id)))


def load_item(item_id: int) -> DisposalItem | None:
    return db.session.scalar(
        db.select(DisposalItem)
        .where(DisposalItem.id == item_id)
        .options(
            joinedload(DisposalItem.recorded_by),
            joinedload(DisposalItem.confirmed_by),
            joinedload(DisposalItem.returned_by),
        )
    )


def record_certificate(
    item: DisposalItem,
    values: dict[str, Any],
    *,
    file_storage: FileStorage | None,
    actor: User,
    now: datetime,
    today: date,
) -> dict:
    """Store the certificate's fields (§6.3) and its file; refused once confirmed.

    :raises UploadRejected: the certificate file is not acceptable.
    """
    if item.is_confirmed:
        raise DisposalRuleError(_l("This return/deletion is confirmed; the certificate can no longer change."))
    completed_on = values.get("completed_on")
    if completed_on is not None and completed_on > today:
        raise DisposalRuleError(_l("The date of return/deletion cannot be in the future."))
    has_file = bool(file_storage is not None and file_storage.filename)
    if not has_file and item.is_returned:
        raise DisposalRuleError(_l("The certificate was returned; attach the corrected certificate file."))
    if not has_file and not evidence_services.files_for("disposal", item.id):
        raise DisposalRuleError(_l("Attach the certificate file."))
    changes = apply_changes(item, {field: values.get(field) for field in CERTIFICATE_FIELDS if field in values})
    for field in (
        "method_detail",
        "certificate_number",
        "data_items",
        "media",
        "responsible_person",
        "operator",
        "witness",
        "location",
        "backup_note",
        "irrecoverable_statement",
    ):
        setattr(item, field, (getattr(item, field) or "").strip())
    if has_file:
        evidence = evidence_services.store_upload(
            file_storage,
            ("disposal", item.id),
            actor,
            document_date=completed_on,
            description="",  # the disposal page shows it as the certificate, in the reader's language
        )
        changes["certificate_file"] = [None, evidence.original_filename]
    item.recorded_by_id = actor.id
    item.recorded_at = now
    activity.record(
        "disposal.certificate",
        actor=actor,
        target=item,
        summary=f"{item.contract.number}: {item.vendor.name}",
        changes=changes,
    )
    return changes


def confirm(item: DisposalItem, *, actor: User, note: str, now: datetime) -> None:
    """A manager, not the person who recorded the certificate, confirms the return or deletion.

    When every item of the contract is confirmed, the contract becomes データ返却・廃棄完了.
    """
    refusal = permissions.confirm_refusal(actor, item)
    if refusal is not None:
        raise DisposalRuleError(refusal)
    item.confirmed_by_id = actor.id
    item.confirmed_at = now
    item.confirmation_note = (note or "").strip()
    activity.record(
        "disposal.confirm",
        actor=actor,
        target=item,
        summary=f"{item.contract.number}: {item.vendor.name}",
        changes={"confirmed_at": [None, plain(now)]},
    )
    events.record(event_types.DISPOSAL_CONFIRMED, {
        "disposal_id": item.id, "contract_id": item.contract_id, "vendor_id": item.vendor_id, "confirmed_at": now,
    }, now=now)
    contract = item.contract
    if contract.status == ENDED and all(other.is_confirmed for other in items_of_contract(contract)):
        contract.status = DISPOSED
        activity.record(
            "contract.disposed",
            actor=actor,
            target=contract,
            summary=contract.number,
            changes={"status": [ENDED, DISPOSED]},
        )


def return_certificate(item: DisposalItem, *, actor: User, note: str, now: datetime) -> None:
    """A manager sends the recorded certificate back (差戻し) with the reason: procurement records it
    again with a corrected file, and the item waits for a certificate again."""
    refusal = permissions.return_refusal(actor, item)
    if refusal is not None:
        raise DisposalRuleError(refusal)
    reason = (note or "").strip()
    if not reason:
        raise DisposalRuleError(_l("Say why the certificate is returned."))
    before = {"recorded_at": plain(item.recorded_at), "return_note": item.return_note}
    item.recorded_at = None
    item.recorded_by_id = None
    item.returned_at = now
    item.returned_by_id = actor.id
    item.return_note = reason
    activity.record(
        "disposal.return",
        actor=actor,
        target=item,
        summary=f"{item.contract.number}: {item.vendor.name}: {reason}"[:2000],
        changes={
            "recorded_at": [before["recorded_at"], None],
            "returned_at": [None, plain(now)],
            "return_note": [before["return_note"], reason],
        },
    )


# --- the list page --------------------------------------------------------------------------

STATES = ("overdue", "open", "certified", "confirmed")


LIST_SORTING = Sorting(
    ("contract", "holder", "reason", "due", "state", "method", "completed"),
    default="due",
    descending_first=("completed",),
)


def list_query(
    *,
    state: str = "",
    vendor_id: int | None = None,
    vendor_text: str = "",
    q: str = "",
    today: date,
    sort: Sort | None = None,
) -> Select:
    """Items matching the filters, overdue first (oldest due date first), then by due date, unless sorted
    otherwise. The vendor filters (``vendor_id``, or ``vendor_text`` found as the register's search finds a
    vendor) take the items the vendor holds and those of its contracts (its subcontractors')."""
    query = (
        db.select(DisposalItem)
        .join(Contract, DisposalItem.contract_id == Contract.id)
        .join(Vendor, DisposalItem.vendor_id == Vendor.id)
    )  # the contract and the holder load with each item (the relationships' joined loading)
    unconfirmed = DisposalItem.confirmed_at.is_(None)
    if state == "overdue":
        query = query.where(unconfirmed, DisposalItem.due_on < today)
    elif state == "open":
        query = query.where(unconfirmed, DisposalItem.recorded_at.is_(None))
    elif state == "certified":
        query = query.where(unconfirmed, DisposalItem.recorded_at.is_not(None))
    elif state == "confirmed":
        query = query.where(DisposalItem.confirmed_at.is_not(None))
    if vendor_id:
        query = query.where(or_(DisposalItem.vendor_id == vendor_id, Contract.vendor_id == vendor_id))
    if (vendor_text or "").strip():
        found = vendor_services.ids_matching(vendor_text)
        query = query.where(or_(DisposalItem.vendor_id.in_(found), Contract.vendor_id.in_(found)))
    text = (q or "").strip().lower()
    if text:
        pattern = f"%{text}%"
        query = query.where(
            or_(db.func.lower(Contract.number).like(pattern), db.func.lower(Contract.title).like(pattern))
        )
    rank = case((unconfirmed & (DisposalItem.due_on < today), 0), (unconfirmed, 1), else_=2)
    # Open, certified, confirmed (the order of the work).
    progress = case((DisposalItem.confirmed_at.is_not(None), 2), (DisposalItem.recorded_at.is_not(None), 1), else_=0)
    columns = {
        "contract": (Contract.number,),
        "holder": (vendor_services.KANA_ORDER,),
        "reason": (DisposalItem.reason,),
        "due": (rank, DisposalItem.due_on),
        "state": (progress, DisposalItem.due_on),
        "method": (DisposalItem.method,),
        "completed": (DisposalItem.completed_on,),
    }
    return query.order_by(*order_by(LIST_SORTING.coerce(sort), columns, DisposalItem.id))


def list_rows(query: Select) -> Select:
    """``list_query`` as the list page reads it: only the columns its table shows, the contract's number and
    title and the holder's name from the joins the filters already make (not two more joins loading every
    column of the contract, its vendor and the holder); an attribute the page does not read raises."""
    return query.options(
        load_only(
            DisposalItem.contract_id, DisposalItem.vendor_id, DisposalItem.level, DisposalItem.reason,
            DisposalItem.due_on, DisposalItem.method, DisposalItem.completed_on, DisposalItem.recorded_at,
            DisposalItem.confirmed_at, DisposalItem.returned_at, DisposalItem.version,
            raiseload=True,
        ),
        contains_eager(DisposalItem.contract).load_only(Contract.number, Contract.title, raiseload=True)
        .raiseload("*"),
        contains_eager(DisposalItem.vendor).load_only(Vendor.name, raiseload=True).raiseload("*"),
        raiseload("*"),
    )


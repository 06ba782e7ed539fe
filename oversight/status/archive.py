"""Archiving a vendor instead of deleting it: records of supervision outlive the relationship.

A vendor that ended (終了) or was not adopted (不採用) may be archived once nothing about it is still
outstanding: no contract in force, no subcontract chain of an open contract it takes part in, no open
audit, unresolved finding or open incident, no return/deletion waiting for confirmation. So no reminder
can concern it any more, and every page keeps showing its records, read-only. The database refuses to
delete a vendor or contract row that records still refer to (foreign keys ``RESTRICT``); see README,
"Retention of oversight records".
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, or_

from oversight.audits.models import OPEN_STATUSES, UNRESOLVED, Audit, Finding
from oversight.contracts.models import CLOSED, Contract
from oversight.disposals.models import DisposalItem
from oversight.extensions import db
from oversight.incidents.models import OPEN as INCIDENT_OPEN
from oversight.incidents.models import Incident
from oversight.subcontracts.models import Subcontract
from oversight.vendors import services as vendor_services
from oversight.vendors.models import ARCHIVED, Vendor

OUTSTANDING_LABELS = {
    "contracts": _l("a contract that has not ended"),
    "chains": _l("a subcontract chain of a contract that has not ended"),
    "audits": _l("an audit not yet completed"),
    "findings": _l("an unresolved finding"),
    "incidents": _l("an open incident"),
    "disposals": _l("a return/deletion not yet confirmed"),
}


def _outstanding_conditions(vendor_id: int) -> dict[str, Any]:
    node_contract = db.aliased(Contract)
    return {
        "contracts": exists().where(Contract.vendor_id == vendor_id, Contract.status.not_in(CLOSED)),
        "chains": exists()
        .where(or_(Subcontract.vendor_id == vendor_id, Subcontract.parent_vendor_id == vendor_id))
        .where(node_contract.id == Subcontract.contract_id, node_contract.status.not_in(CLOSED)),
        "audits": exists().where(Audit.vendor_id == vendor_id, Audit.status.in_(OPEN_STATUSES)),
        "findings": exists().where(Finding.vendor_id == vendor_id, Finding.status.in_(UNRESOLVED)),
        "incidents": exists().where(
            or_(Incident.vendor_id == vendor_id, Incident.where_vendor_id == vendor_id),
            Incident.status == INCIDENT_OPEN,
        ),
        "disposals": exists().where(DisposalItem.vendor_id == vendor_id, DisposalItem.confirmed_at.is_(None)),
    }


def outstanding(vendor: Vendor) -> list[str]:
    """What still keeps ``vendor`` from the archive (translated phrases), in one statement."""
    conditions = _outstanding_conditions(vendor.id)
    row = db.session.execute(db.select(*(condition.label(key) for key, condition in conditions.items()))).one()
    return [str(OUTSTANDING_LABELS[key]) for key in conditions if getattr(row, key)]


def archive_refusal(vendor: Vendor) -> Any:
    """Why ``vendor`` may not be archived now (a message), or None."""
    if ARCHIVED not in vendor_services.TRANSITIONS.get(vendor.status, frozenset()):
        return _l("Only a vendor that ended or was not adopted can be archived.")
    pending = outstanding(vendor)
    if pending:
        return _l("This vendor still has %(items)s: settle them before archiving.", items="、".join(pending))
    return None


def move_vendor(vendor: Vendor, new_status: str, *, reason: str, actor: Any) -> None:
    """The status page's move: archiving after :func:`archive_refusal`, any other move as
    ``vendors.services.change_status`` rules it. Logged in the activity log (``vendor.status``)."""
    if new_status == ARCHIVED:
        refusal = archive_refusal(vendor)
        if refusal is not None:
            raise vendor_services.VendorRuleError(refusal)
    vendor_services.change_status(vendor, new_status, reason=reason, actor=actor, by_archive=new_status == ARCHIVED)

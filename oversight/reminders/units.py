"""Who of a reminder's recipients may see its record: a member of another business unit gets nothing.

The rules name their recipients by role (every manager, the vendor's owner…); this keeps, per item, the
recipients whose read scope (``oversight.units.scope``, docs/units.md) shows the item's record, so that
reminders and digests go to the managers of the record's unit and to the group-wide ones, and a digest
holds only records its reader may open. A constant number of statements: the recipients' roles, the unit
tree, then one per kind of record, which asks each distinct unit scope's condition as a column (each scope's
rule, ``units.scope.criteria_for``, the condition its readers' pages apply).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from sqlalchemy import case

from oversight.audits.models import Audit, Finding
from oversight.contracts.models import Contract, ContractReview
from oversight.core.due import DueItem
from oversight.disposals.models import DisposalItem
from oversight.evaluations.models import Evaluation
from oversight.extensions import db
from oversight.incidents.models import Incident
from oversight.portal.models import PortalRequest
from oversight.subcontracts.models import SubcontractConsent
from oversight.units import scope as unit_scope
from oversight.units import services as unit_services
from oversight.vendors.models import Vendor, VendorCertification

# The records the reminder rules name (``DueItem.object_type``), by model.
RECORDS = {
    "audit": Audit,
    "contract": Contract,
    "contract_review": ContractReview,
    "disposal": DisposalItem,
    "evaluation": Evaluation,
    "finding": Finding,
    "incident": Incident,
    "portal_request": PortalRequest,
    "subcontract_consent": SubcontractConsent,
    "vendor": Vendor,
    "vendor_certification": VendorCertification,
}


def seeing_recipients(items: Iterable[DueItem], user_ids: set[int]) -> Callable[[DueItem], frozenset[int]]:
    """``who(item)``: the item's recipients among ``user_ids`` whose scope shows the item's record (a record
    of a kind not listed in :data:`RECORDS` goes to group-wide recipients only)."""
    items = list(items)
    scopes = unit_services.scopes_of_users(user_ids)
    group = frozenset(user_id for user_id, scope in scopes.items() if scope.is_group_wide)
    by_scope: dict[frozenset[int], set[int]] = defaultdict(set)
    for user_id, scope in scopes.items():
        if not scope.is_group_wide:
            by_scope[scope.unit_ids].add(user_id)
    wanted: dict[str, set[int]] = defaultdict(set)
    for item in items:
        wanted[item.object_type].add(item.object_id)
    seen: dict[tuple[str, int], set[int]] = defaultdict(set)
    scoped = list(by_scope.items())
    if scoped:
        # One statement per kind of record (not one per scope and kind): each scope's condition is a column, and
        # the group's read adds none of its own.
        with unit_scope.whole_group():
            for object_type, ids in wanted.items():
                model = RECORDS.get(object_type)
                if model is None:
                    continue
                sees = [unit_scope.criteria_for(model, unit_ids) for unit_ids, _ in scoped]
                query = db.select(model.id, *(case((condition, 1), else_=0) for condition in sees))
                for object_id, *flags in db.session.execute(query.where(model.id.in_(sorted(ids)))):
                    for flag, (_, users) in zip(flags, scoped, strict=True):
                        if flag:
                            seen[(object_type, object_id)] |= users

    def who(item: DueItem) -> frozenset[int]:
        return item.recipients & (group | seen.get((item.object_type, item.object_id), frozenset()))

    return who

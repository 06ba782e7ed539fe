"""What binds each unit-bound model to a business unit: the one list the read scope applies
(``oversight.units.scope``; docs/units.md says why each model is bound the way it is).

- A vendor's register entry is shown to every unit it belongs to (``vendor_units``), and to the units
  whose contracts name it as a subcontractor. Its contacts, certifications, selection evaluations,
  portal requests about the vendor itself and stored states follow the vendor; its per-unit stored lights
  (``vendor_unit_states``) are their unit's.
- A portal request about a unit's record (a return/deletion certificate, a corrective plan for a finding)
  carries that record's unit (``portal_requests.unit_id``, set when it is made); its submissions follow it.
- A contract belongs to one unit; its review rounds, documents, subcontract nodes (and their consents and
  states) and return/deletion items follow the contract.
- Audits and incidents carry their own unit (an audit is per vendor; an incident may name no contract);
  findings and incident steps follow them.

The conditions read aliases of the tables (not the mapped classes), so that they add no criteria of their own.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import ColumnElement, and_, event, or_, select

from oversight.audits.models import Audit, AuditResult, AuditTrigger, Finding
from oversight.contracts.models import ClauseResult, Contract, ContractDocument, ContractReview
from oversight.core.sqlhints import unindexed
from oversight.disposals.models import DisposalItem
from oversight.evaluations.models import Evaluation, EvaluationAnswer
from oversight.incidents.models import Incident, IncidentStep
from oversight.portal.models import CORRECTIVE_PLAN, DELETION_CERTIFICATE, PortalLink, PortalRequest, PortalSubmission
from oversight.status.models import VendorState, VendorUnitState
from oversight.subcontracts.models import Subcontract, SubcontractConsent, SubcontractState
from oversight.units import services as unit_services
from oversight.units.models import vendor_units
from oversight.units.scope import ScopeRule
from oversight.vendors.models import Vendor, VendorCertification, VendorContact

# Named aliases, not the mapped tables: when a statement reads an aliased entity, the ORM adapts the
# criteria to the alias, and would adapt a bare table inside these subqueries too.
contracts = Contract.__table__.alias("scope_contracts")
subcontracts = Subcontract.__table__.alias("scope_subcontracts")
audits = Audit.__table__.alias("scope_audits")
incidents = Incident.__table__.alias("scope_incidents")
portal_requests = PortalRequest.__table__.alias("scope_portal_requests")
reviews = ContractReview.__table__.alias("scope_contract_reviews")
evaluations = Evaluation.__table__.alias("scope_evaluations")
findings = Finding.__table__.alias("scope_findings")
disposal_items = DisposalItem.__table__.alias("scope_disposal_items")


def visible_vendor_ids(ids: tuple[int, ...]):
    """The vendors of the units ``ids``: members, and subcontractors of the units' contracts."""
    return (
        select(vendor_units.c.vendor_id)
        .where(vendor_units.c.unit_id.in_(ids))
        .correlate(None)
        .union(
            select(subcontracts.c.vendor_id)
            .select_from(subcontracts.join(contracts, contracts.c.id == subcontracts.c.contract_id))
            .where(contracts.c.unit_id.in_(ids))
            .correlate(None)
        )
    )


def visible_contract_ids(ids: tuple[int, ...]):
    return select(contracts.c.id).where(contracts.c.unit_id.in_(ids)).correlate(None)


def visible_subcontract_ids(ids: tuple[int, ...]):
    return (
        select(subcontracts.c.id)
        .select_from(subcontracts.join(contracts, contracts.c.id == subcontracts.c.contract_id))
        .where(contracts.c.unit_id.in_(ids))
        .correlate(None)
    )


def _by_vendor(attribute: str) -> Callable:
    return lambda cls, ids: unindexed(getattr(cls, attribute)).in_(visible_vendor_ids(ids))


def _by_contract(attribute: str) -> Callable:
    return lambda cls, ids: unindexed(getattr(cls, attribute)).in_(visible_contract_ids(ids))


def _by_unit(cls, ids: tuple[int, ...]) -> ColumnElement[bool]:
    return cls.unit_id.in_(ids)


def _portal_request(table, ids: tuple[int, ...]) -> ColumnElement[bool]:
    """A request about a unit's record is its unit's; one about the vendor itself follows the vendor."""
    return or_(table.unit_id.in_(ids), and_(table.unit_id.is_(None), table.vendor_id.in_(visible_vendor_ids(ids))))


SCOPE_RULES: tuple[ScopeRule, ...] = (
    ScopeRule(Vendor, lambda cls, ids: unindexed(cls.id).in_(visible_vendor_ids(ids))),
    ScopeRule(VendorContact, _by_vendor("vendor_id")),
    ScopeRule(VendorCertification, _by_vendor("vendor_id")),
    ScopeRule(VendorState, _by_vendor("vendor_id")),
    ScopeRule(VendorUnitState, _by_unit),
    ScopeRule(Evaluation, _by_vendor("vendor_id")),
    ScopeRule(
        EvaluationAnswer,
        lambda cls, ids: cls.evaluation_id.in_(
            select(evaluations.c.id).where(evaluations.c.vendor_id.in_(visible_vendor_ids(ids))).correlate(None)
        ),
    ),
    ScopeRule(PortalLink, _by_vendor("vendor_id")),
    ScopeRule(PortalRequest, _portal_request),
    ScopeRule(
        PortalSubmission,
        lambda cls, ids: cls.request_id.in_(
            select(portal_requests.c.id).where(_portal_request(portal_requests.c, ids)).correlate(None)
        ),
    ),
    ScopeRule(Contract, _by_unit),
    ScopeRule(ContractReview, _by_contract("contract_id")),
    ScopeRule(ContractDocument, _by_contract("contract_id")),
    ScopeRule(
        ClauseResult,
        lambda cls, ids: cls.review_id.in_(
            select(reviews.c.id).where(reviews.c.contract_id.in_(visible_contract_ids(ids))).correlate(None)
        ),
    ),
    ScopeRule(DisposalItem, _by_contract("contract_id")),
    ScopeRule(Subcontract, _by_contract("contract_id")),
    ScopeRule(SubcontractConsent, lambda cls, ids: unindexed(cls.subcontract_id).in_(visible_subcontract_ids(ids))),
    ScopeRule(SubcontractState, lambda cls, ids: unindexed(cls.subcontract_id).in_(visible_subcontract_ids(ids))),
    ScopeRule(Audit, _by_unit),
    ScopeRule(
        Finding,
        lambda cls, ids: cls.audit_id.in_(select(audits.c.id).where(audits.c.unit_id.in_(ids)).correlate(None)),
    ),
    ScopeRule(
        AuditResult,
        lambda cls, ids: cls.audit_id.in_(select(audits.c.id).where(audits.c.unit_id.in_(ids)).correlate(None)),
    ),
    ScopeRule(AuditTrigger, _by_vendor("vendor_id")),
    ScopeRule(Incident, _by_unit),
    ScopeRule(
        IncidentStep,
        lambda cls, ids: cls.incident_id.in_(
            select(incidents.c.id).where(incidents.c.unit_id.in_(ids)).correlate(None)
        ),
    ),
)


# --- a record made without a unit ----------------------------------------------------------------------


def _contract_unit(_mapper, connection, contract: Contract) -> None:
    if contract.unit_id is None:
        contract.unit_id = unit_services.vendor_unit_on(connection, contract.vendor_id)


def _audit_unit(_mapper, connection, audit: Audit) -> None:
    if audit.unit_id is None:
        audit.unit_id = unit_services.vendor_unit_on(connection, audit.vendor_id)


def _incident_unit(_mapper, connection, incident: Incident) -> None:
    if incident.contract_id is not None:  # an incident under a contract is the contract's unit's
        unit_id = connection.execute(select(contracts.c.unit_id).where(contracts.c.id == incident.contract_id))
        incident.unit_id = unit_id.scalar() or incident.unit_id
    if incident.unit_id is None:
        incident.unit_id = unit_services.vendor_unit_on(connection, incident.vendor_id)


# The unit of the record a portal request of each unit-bound kind is about (its ``subject_id``).
_SUBJECT_UNITS = {
    DELETION_CERTIFICATE: lambda subject_id: select(contracts.c.unit_id)
    .select_from(disposal_items.join(contracts, contracts.c.id == disposal_items.c.contract_id))
    .where(disposal_items.c.id == subject_id),
    CORRECTIVE_PLAN: lambda subject_id: select(audits.c.unit_id)
    .select_from(findings.join(audits, audits.c.id == findings.c.audit_id))
    .where(findings.c.id == subject_id),
}


def _portal_request_unit(_mapper, connection, request: PortalRequest) -> None:
    unit_of = _SUBJECT_UNITS.get(request.kind)
    if request.unit_id is None and unit_of is not None and request.subject_id is not None:
        request.unit_id = connection.execute(unit_of(request.subject_id)).scalar()


def install_unit_defaults() -> None:
    """A contract or audit made without a unit gets its vendor's first unit, an incident its contract's unit
    (else its vendor's), a portal request about a unit's record that record's unit (once per process). A
    vendor's units are set by the vendor services."""
    for model, hook, when in (
        (Contract, _contract_unit, "before_insert"),
        (Audit, _audit_unit, "before_insert"),
        (Incident, _incident_unit, "before_insert"),
        (Incident, _incident_unit, "before_update"),
        (PortalRequest, _portal_request_unit, "before_insert"),
    ):
        if not event.contains(model, when, hook):
            event.listen(model, when, hook)

"""Records as API documents: the register's and the contracts' rows, with what the pages show beside them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from flask_babel import get_locale

from oversight.api import schemas
from oversight.contracts.models import Contract, ContractReview
from oversight.incidents import status as incident_status
from oversight.incidents.models import Incident
from oversight.status import lights as status_lights
from oversight.status import store
from oversight.vendors.models import Vendor


def stored_lights(vendor_ids: Sequence[int], today: date) -> dict[int, schemas.Lights]:
    """The five lights of each vendor from the stored status (re-judged first where not current), as the
    reader's pages show them (``status.store.reader_codes``)."""
    if not vendor_ids:
        return {}
    found = {}
    for vendor_id, codes in store.reader_codes(vendor_ids, today).items():
        found[vendor_id] = schemas.Lights(**{
            key: schemas.Light(state=codes[key], colour=rule.COLOURS[codes[key]])
            for key, rule in status_lights.RULES.items()
        })
    return found


def vendor(record: Vendor, lights: schemas.Lights) -> schemas.Vendor:
    return schemas.Vendor(
        **{name: getattr(record, name) for name in schemas.Vendor.model_fields if name not in (
            "lights", "contacts", "certifications")},
        lights=lights,
        contacts=[schemas.Contact.model_validate(contact, from_attributes=True) for contact in record.contacts],
        certifications=[
            schemas.Certification.model_validate(item, from_attributes=True) for item in record.certifications
        ],
    )


def vendors(records: Sequence[Vendor], today: date) -> list[schemas.Vendor]:
    lights = stored_lights([record.id for record in records], today)
    return [vendor(record, lights[record.id]) for record in records]


def _review(review: ContractReview, english: bool) -> schemas.Review:
    return schemas.Review(
        id=review.id, round_number=review.round_number, kind=review.kind, submitted_at=review.submitted_at,
        decided_at=review.decided_at, outcome=review.outcome, comment=review.comment,
        results=[
            schemas.ClauseResult(
                code=result.item.code,
                text=(result.item.text_en or result.item.text_ja) if english else result.item.text_ja,
                required=result.item.is_required, result=result.result, clause_number=result.clause_number,
                note=result.note, waiver_reason=result.waiver_reason, waiver_approved_at=result.waiver_approved_at,
            )
            for result in review.results
        ],
    )


def contract(record: Contract) -> schemas.Contract:
    english = str(get_locale()) == "en"
    return schemas.Contract(
        **{name: getattr(record, name) for name in schemas.Contract.model_fields if name not in (
            "vendor_name", "reviews")},
        vendor_name=record.vendor.name,
        reviews=[_review(review, english) for review in record.reviews],
    )


def incident(record: Incident, today: date) -> schemas.Incident:
    """An incident with its clocks (vendor's notice, 速報, 確報, notice, publication) as its page shows them."""
    return schemas.Incident(
        **{name: getattr(record, name) for name in schemas.Incident.model_fields if name not in (
            "is_reportable", "clocks", "categories", "is_improper_purpose")},
        categories=list(record.categories or ()),
        is_improper_purpose=incident_status.is_improper_purpose(record),
        is_reportable=incident_status.reportability(record).is_reportable,
        clocks=[
            schemas.Clock(
                key=clock.key, label=clock.label, due_on=clock.due_on, done_on=clock.done_on, state=clock.state,
                days_left=clock.days_left, basis=clock.basis,
            )
            for clock in incident_status.incident_clocks(record, today)
        ],
    )

"""Contracts waiting for legal's clause review or a manager's approval (see ``oversight.core.waiting``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial
from typing import Any

from sqlalchemy import Select, case, or_, select
from sqlalchemy.orm import Session

from oversight.auth.roles import LEGAL, MANAGER
from oversight.contracts import permissions
from oversight.contracts.models import IN_REVIEW, OUTCOME_APPROVED, Contract, ContractReview, is_latest_round
from oversight.core.waiting import Waiting, ordered
from oversight.vendors.models import Vendor

ROLES = frozenset({LEGAL, MANAGER})


REVIEW_KIND, APPROVAL_KIND = "clause_review", "contract_approval"


def query(user: Any = None) -> Select:
    """The open and the cleared review rounds of contracts in review (those ``user`` may review or
    approve, when given), in the order of the rounds, each with its ``kind`` and the moment it has
    waited ``since`` (an open round since its submission, a cleared one since legal cleared it)."""
    is_open = ContractReview.outcome.is_(None)
    since = case((is_open, ContractReview.submitted_at), else_=ContractReview.decided_at)
    found = (
        select(
            Contract.id,
            Contract.number,
            Contract.title,
            Contract.status,
            Contract.created_by_id,
            Contract.unit_id,  # whose managers and legal decide (the predicates' unit step)
            Vendor.name,
            ContractReview.id.label("review_id"),
            ContractReview.outcome,
            ContractReview.submitted_by_id,
            ContractReview.submitted_at,
            ContractReview.reviewer_id,
            ContractReview.decided_at,
            case((is_open, REVIEW_KIND), else_=APPROVAL_KIND).label("kind"),
            since.label("since"),
        )
        .join(ContractReview, ContractReview.contract_id == Contract.id)
        .join(Vendor, Vendor.id == Contract.vendor_id)
        .where(
            Contract.status == IN_REVIEW,
            is_latest_round(),
            or_(is_open, ContractReview.outcome == OUTCOME_APPROVED),
            since.is_not(None),
        )
    )
    if user is not None:
        found = found.where(
            or_(
                permissions.REVIEW.clause(user, Contract, ContractReview),
                permissions.APPROVE.clause(user, Contract, ContractReview),
            )
        )
    return ordered(found, ContractReview.id)


def waiting(session: Session) -> Iterator[Waiting]:
    """Each open round since its submission (for legal) and each cleared round since legal cleared it
    (for a manager who took no part in the contract), in one query."""
    return items(session.execute(query()))


def items(rows: Iterable) -> Iterator[Waiting]:
    """The waiting items of ``rows`` of :func:`query`."""
    for row in rows:
        common = {"title": f"{row.number} {row.title}", "vendor_name": row.name, "url_path": f"/contracts/{row.id}"}
        if row.kind == REVIEW_KIND:
            yield Waiting(
                kind=row.kind,
                object_type="contract_review",
                object_id=row.review_id,
                since=row.since,
                role=LEGAL,
                may_act=partial(_may_review, row),
                **common,
            )
        else:
            yield Waiting(
                kind=row.kind,
                object_type="contract",
                object_id=row.id,
                since=row.since,
                role=MANAGER,
                may_act=partial(_may_approve, row),
                **common,
            )


def _may_review(row, user) -> bool:
    return permissions.can_review(user, row, row)


def _may_approve(row, user) -> bool:
    return permissions.can_approve(user, row, row)

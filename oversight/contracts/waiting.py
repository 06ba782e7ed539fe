"""Contracts waiting for legal's clause review or a manager's approval (see ``oversight.core.waiting``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from oversight.auth.roles import LEGAL, MANAGER
from oversight.contracts import permissions
from oversight.contracts.models import IN_REVIEW, OUTCOME_APPROVED, Contract, ContractReview, is_latest_round
from oversight.core.waiting import Waiting, ordered
from oversight.vendors.models import Vendor

ROLES = frozenset({LEGAL, MANAGER})


def query() -> Select:
    """The open and the cleared review rounds of contracts in review, in the order of the rounds."""
    return ordered(
        select(
            Contract.id,
            Contract.number,
            Contract.title,
            Contract.status,
            Contract.created_by_id,
            Vendor.name,
            ContractReview.id.label("review_id"),
            ContractReview.outcome,
            ContractReview.submitted_by_id,
            ContractReview.submitted_at,
            ContractReview.reviewer_id,
            ContractReview.decided_at,
        )
        .join(ContractReview, ContractReview.contract_id == Contract.id)
        .join(Vendor, Vendor.id == Contract.vendor_id)
        .where(
            Contract.status == IN_REVIEW,
            is_latest_round(),
            or_(ContractReview.outcome.is_(None), ContractReview.outcome == OUTCOME_APPROVED),
        ),
        ContractReview.id,
    )


def waiting(session: Session) -> Iterator[Waiting]:
    """Each open round since its submission (for legal) and each cleared round since legal cleared it
    (for a manager who took no part in the contract), in one query."""
    return items(session.execute(query()))


def items(rows: Iterable) -> Iterator[Waiting]:
    """The waiting items of ``rows`` of :func:`query`."""
    for row in rows:
        common = {"title": f"{row.number} {row.title}", "vendor_name": row.name, "url_path": f"/contracts/{row.id}"}
        if row.outcome is None and row.submitted_at is not None:
            yield Waiting(
                kind="clause_review",
                object_type="contract_review",
                object_id=row.review_id,
                since=row.submitted_at,
                role=LEGAL,
                may_act=partial(_may_review, row),
                **common,
            )
        elif row.outcome == OUTCOME_APPROVED and row.decided_at is not None:
            yield Waiting(
                kind="contract_approval",
                object_type="contract",
                object_id=row.id,
                since=row.decided_at,
                role=MANAGER,
                may_act=partial(_may_approve, row),
                **common,
            )


def _may_review(row, user) -> bool:
    return permissions.can_review(user, row, row)


def _may_approve(row, user) -> bool:
    return permissions.can_approve(user, row, row)

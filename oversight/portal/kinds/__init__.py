"""Request kinds: one module per kind, and ``KINDS``, the one list of them (nothing registers itself).

Each kind says which items the vendor answers, how the answers are cleaned and checked before they are
submitted, who reviews them and what accepting them does (``base.RequestKind``).
"""

from __future__ import annotations

from oversight.portal.kinds import (
    certification_renewal,
    corrective_plan,
    deletion_certificate,
    periodic_report,
    questionnaire,
)
from oversight.portal.kinds.base import RequestKind

KINDS: tuple[RequestKind, ...] = (
    periodic_report.KIND,
    questionnaire.KIND,
    deletion_certificate.KIND,
    certification_renewal.KIND,
    corrective_plan.KIND,
)
BY_NAME: dict[str, RequestKind] = {kind.name: kind for kind in KINDS}


def kind_of(name: str) -> RequestKind | None:
    return BY_NAME.get(name)


def reviewed_by(role: str) -> tuple[str, ...]:
    """The names of the kinds whose submissions ``role`` reviews (the work list's inbox)."""
    return tuple(kind.name for kind in KINDS if role in kind.reviewers)


def reviewer_roles() -> tuple[str, ...]:
    """Every role that reviews some kind (the review view's access)."""
    return tuple(dict.fromkeys(role for kind in KINDS for role in kind.reviewers))

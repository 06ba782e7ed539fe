"""Helpers for contract and disposal tests: vendors with a selection, contracts in a given state."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from itertools import count

from werkzeug.datastructures import FileStorage

from oversight.auth import services as auth_services
from oversight.checklists import services as checklist_services
from oversight.checklists.models import SELECTION
from oversight.contracts import review as review_rules
from oversight.contracts import services as contract_services
from oversight.contracts.models import PRESENT
from oversight.evaluations.models import APPROVED, Evaluation
from oversight.extensions import db
from tests.uploads import pdf_bytes
from tests.vendors.factories import create_vendor

NOW = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
TODAY = date(2026, 11, 26)
PDF_BYTES = pdf_bytes("Signed contract")
_numbers = count(1)


def user(*roles: str, email: str):
    return auth_services.create_user(
        email=email, name=email.split("@")[0], password="x" * 16, roles=list(roles), language="ja", actor=None
    )


def approve_selection(vendor, *, valid_until: date = TODAY + timedelta(days=300), status: str = APPROVED):
    """A decided selection evaluation for ``vendor`` (the contract approval precondition)."""
    evaluation = Evaluation(
        vendor_id=vendor.id,
        template_id=checklist_services.current_template(SELECTION).id,
        status=status,
        decided_at=NOW,
        valid_until=valid_until,
    )
    db.session.add(evaluation)
    db.session.flush()
    return evaluation


def contract_values(**overrides) -> dict:
    values = {
        "number": f"CT-2026-{next(_numbers):04d}",
        "title": "給与計算業務委託契約",
        "contract_type": "basic",
        "scope": "給与計算、年末調整",
        "data_scope": "従業員の氏名、住所、個人番号",
        "start_on": date(2026, 4, 1),
        "end_on": date(2027, 3, 31),
        "auto_renewal": False,
        "notice_days": None,
        "incident_notice_hours": 24,
        "end_handling": "delete",
        "disposal_days": 30,
    }
    values.update(overrides)
    return values


def drafted(vendor=None, actor=None, **overrides):
    if vendor is None:
        vendor = create_vendor()
        db.session.flush()
    return contract_services.create_contract(vendor, contract_values(**overrides), actor=actor)


def pdf(name: str = "contract.pdf") -> FileStorage:
    return FileStorage(stream=io.BytesIO(PDF_BYTES), filename=name, content_type="application/pdf")


def judge_all(contract, legal, result: str = PRESENT, **overrides: str):
    """Legal sets every clause of the open round to ``result``; ``overrides`` maps codes to other results."""
    review = review_rules.latest_round(contract)
    values = {
        clause.item_id: {
            "result": overrides.get(clause.item.code, result),
            "clause_number": f"第{clause.item.position}条",
            "quote": f"{clause.item.code} の条文",
        }
        for clause in review.results
    }
    review_rules.save_results(contract, review, values, actor=legal, now=NOW)
    return review


def submitted(procurement, vendor=None, **overrides):
    contract = drafted(vendor=vendor, actor=procurement, **overrides)
    contract_services.submit_for_review(contract, note="", actor=procurement, now=NOW)
    return contract


def cleared(procurement, legal, vendor=None, **overrides):
    contract = submitted(procurement, vendor=vendor, **overrides)
    review = judge_all(contract, legal)
    review_rules.clear_round(contract, review, comment="", actor=legal, now=NOW)
    return contract


def signed(procurement, legal, manager, vendor=None, signed_on: date = date(2026, 3, 20), **overrides):
    contract = cleared(procurement, legal, vendor=vendor, **overrides)
    approve_selection(contract.vendor)
    contract_services.approve_contract(contract, actor=manager, note="", today=TODAY, now=NOW)
    contract_services.mark_signed(contract, pdf(), signed_on=signed_on, kind="signed", actor=procurement)
    return contract


def people():
    return (
        user("procurement", email="procurement@example.com"),
        user("legal", email="legal@example.com"),
        user("manager", email="manager@example.com"),
    )

"""The 契約 light: the Python rule for a page of vendors and its SQL filter agree in every case."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from oversight.contracts import review as review_rules
from oversight.contracts import services as contract_services
from oversight.contracts.models import MISSING
from oversight.core.lights import AMBER, GREEN, RED
from oversight.disposals import services as disposal_services
from oversight.extensions import db
from oversight.status import lights as status_lights
from oversight.status import store as status_store
from oversight.vendors.models import Vendor
from tests.contracts.helpers import TODAY, drafted, judge_all, people, signed, submitted
from tests.status.filters import condition as light_filter
from tests.vendors.factories import create_vendor


def _vendor():
    vendor = create_vendor()
    db.session.flush()
    return vendor


def _scenarios(procurement, legal, manager) -> dict[str, tuple[int, str]]:
    """vendor id and the expected state for each situation."""
    cases = {}

    vendor = _vendor()
    cases["nothing"] = (vendor.id, RED)

    vendor = _vendor()
    signed(procurement, legal, manager, vendor=vendor, end_on=TODAY + timedelta(days=400))
    cases["signed, far end"] = (vendor.id, GREEN)

    vendor = _vendor()
    signed(procurement, legal, manager, vendor=vendor, end_on=TODAY + timedelta(days=60))
    cases["signed, ending within 90 days"] = (vendor.id, AMBER)

    vendor = _vendor()
    submitted(procurement, vendor=vendor)
    cases["under review"] = (vendor.id, AMBER)

    vendor = _vendor()
    contract = submitted(procurement, vendor=vendor)
    judge_all(contract, legal, C05=MISSING)
    cases["required clause missing"] = (vendor.id, RED)

    vendor = _vendor()
    drafted(vendor=vendor)
    cases["draft only"] = (vendor.id, RED)

    vendor = _vendor()
    contract = signed(procurement, legal, manager, vendor=vendor, end_on=TODAY + timedelta(days=400))
    contract_services.start_change(contract, kind="amendment", note="x", actor=procurement)
    cases["signed, amendment in draft"] = (vendor.id, AMBER)

    vendor = _vendor()
    contract = signed(procurement, legal, manager, vendor=vendor, end_on=TODAY + timedelta(days=400))
    disposal_services.terminate_contract(contract, ended_on=TODAY, reason="x", actor=manager, today=TODAY)
    cases["terminated"] = (vendor.id, RED)

    vendor = _vendor()
    signed(procurement, legal, manager, vendor=vendor, start_on=date(2025, 1, 1), end_on=TODAY - timedelta(days=1))
    cases["end passed, not yet closed"] = (vendor.id, RED)

    vendor = _vendor()
    signed(
        procurement,
        legal,
        manager,
        vendor=vendor,
        signed_on=TODAY - timedelta(days=2),
        start_on=TODAY + timedelta(days=14),
        end_on=TODAY + timedelta(days=400),
    )
    cases["signed, term not begun"] = (vendor.id, AMBER)  # issue #18, item 6: was red 'no contract in force'

    vendor = _vendor()
    cases["signed, never reviewed"] = (_never_reviewed(procurement, legal, manager, vendor).vendor_id, AMBER)
    return cases


def _never_reviewed(procurement, legal, manager, vendor, **values):
    """A contract signed outside Oversight's clause review (loaded by hand): no round ever judged its clauses."""
    contract = signed(procurement, legal, manager, vendor=vendor, end_on=TODAY + timedelta(days=400), **values)
    contract.clause_gaps = None
    db.session.flush()
    return contract


def test_lights_and_filter_agree(app_ctx):
    procurement, legal, manager = people()
    cases = _scenarios(procurement, legal, manager)
    ids = [vendor_id for vendor_id, _state in cases.values()]
    computed = status_lights.duty_lights("contract", ids, TODAY)
    for name, (vendor_id, expected) in cases.items():
        assert computed[vendor_id].state == expected, name
    for state in (GREEN, AMBER, RED):
        condition = light_filter("contract", state, TODAY)
        selected = set(db.session.scalars(db.select(Vendor.id).where(condition)))
        assert selected == {vendor_id for vendor_id, expected in cases.values() if expected == state}, state


def test_lights_take_one_statement_for_a_page(app_ctx, count_queries):
    procurement, legal, manager = people()
    ids = []
    for _ in range(3):
        vendor = _vendor()
        signed(procurement, legal, manager, vendor=vendor)
        ids.append(vendor.id)
    db.session.commit()
    with count_queries() as one:
        status_lights.duty_lights("contract", ids[:1], TODAY)
    with count_queries() as three:
        status_lights.duty_lights("contract", ids, TODAY)
    assert one.count == three.count <= 2  # the audit settings the statement is keyed on, and the lights


@pytest.mark.parametrize(
    ("end_in_days", "state"),
    [(91, GREEN), (90, AMBER), (0, AMBER)],
)
def test_the_warning_horizon_is_ninety_days(app_ctx, end_in_days, state):
    procurement, legal, manager = people()
    vendor = _vendor()
    signed(procurement, legal, manager, vendor=vendor, end_on=TODAY + timedelta(days=end_in_days))
    assert status_lights.duty_lights("contract", [vendor.id], TODAY)[vendor.id].state == state


def test_a_waived_clause_counts_as_resolved(app_ctx):
    procurement, legal, manager = people()
    vendor = _vendor()
    contract = submitted(procurement, vendor=vendor)
    review = judge_all(contract, legal, C07=MISSING)
    assert status_lights.duty_lights("contract", [vendor.id], TODAY)[vendor.id].state == RED
    clause = next(r for r in review.results if r.item.code == "C07")
    review_rules.save_results(
        contract,
        review,
        {clause.item_id: {"result": MISSING, "waiver_reason": "別途誓約書で担保"}},
        actor=legal,
        now=review.submitted_at,
    )
    review_rules.approve_waiver(contract, clause, actor=manager, now=review.submitted_at)
    assert status_lights.duty_lights("contract", [vendor.id], TODAY)[vendor.id].state == AMBER


def test_a_contract_signed_without_a_clause_review_needs_attention(app_ctx):
    procurement, legal, manager = people()
    vendor = _vendor()
    _never_reviewed(procurement, legal, manager, vendor)
    db.session.commit()
    light = status_lights.duty_lights("contract", [vendor.id], TODAY)[vendor.id]
    assert (light.state, light.text) == (AMBER, "条項確認なしで締結")
    assert status_store.mismatches() == []

    # Another contract that is reviewed and in force keeps the vendor green, as it does over a clause gap.
    signed(procurement, legal, manager, vendor=vendor, end_on=TODAY + timedelta(days=400))
    db.session.commit()
    assert status_lights.duty_lights("contract", [vendor.id], TODAY)[vendor.id].state == GREEN

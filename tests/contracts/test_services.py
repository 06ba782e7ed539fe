"""Contract rules: drafting, review rounds, waivers, separation of duties, approval precondition, the end."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from oversight.activity.models import ActivityLog
from oversight.contracts import review as review_rules
from oversight.contracts import services as contract_services
from oversight.contracts.errors import ContractRuleError
from oversight.contracts.models import (
    AMENDMENT,
    APPROVED,
    DRAFT,
    ENDED,
    IN_REVIEW,
    INSUFFICIENT,
    MISSING,
    NOT_APPLICABLE,
    PRESENT,
    RETURNED,
    SIGNED,
)
from oversight.disposals import services as disposal_services
from oversight.disposals.models import CONTRACT_END, TERMINATION, DisposalItem
from oversight.evaluations.models import CONDITIONAL, REJECTED
from oversight.extensions import db
from oversight.vendors.models import ACTIVE
from tests.contracts.helpers import (
    NOW,
    TODAY,
    approve_selection,
    cleared,
    drafted,
    judge_all,
    people,
    signed,
    submitted,
    user,
)
from tests.vendors.factories import create_vendor

REQUIRED_CODES = [f"C0{n}" for n in range(1, 9)]


def msgid(error) -> str:
    """The English message of a refused step, whatever language the catalog renders."""
    message = error.value.message
    return str(getattr(message, "_args", (message,))[0])


@pytest.fixture
def staff(app_ctx):
    return people()


def test_end_date_before_start_is_refused(staff):
    with pytest.raises(ContractRuleError):
        drafted(start_on=date(2026, 4, 1), end_on=date(2026, 3, 31))


def test_contract_numbers_are_unique(staff):
    drafted(number="CT-1")
    with pytest.raises(contract_services.DuplicateNumberError):
        drafted(number="CT-1")


def test_submission_opens_a_round_against_the_current_checklist(staff):
    procurement, _legal, _manager = staff
    contract = submitted(procurement)
    review = review_rules.latest_round(contract)
    assert contract.status == IN_REVIEW
    assert review.round_number == 1 and review.submitted_by_id == procurement.id
    assert [r.item.code for r in review_rules.sorted_results(review)][:3] == ["C01", "C02", "C03"]
    assert len(review.results) == 19
    assert review.template.kind == "contract"


@pytest.mark.parametrize("code", REQUIRED_CODES)
def test_a_missing_required_clause_blocks_approval(staff, code):
    procurement, legal, _manager = staff
    contract = submitted(procurement)
    review = judge_all(contract, legal, **{code: MISSING})
    assert contract.clause_gaps == 1
    with pytest.raises(ContractRuleError) as error:
        review_rules.clear_round(contract, review, comment="", actor=legal, now=NOW)
    assert code in str(error.value)
    assert review.outcome is None and contract.status == IN_REVIEW


@pytest.mark.parametrize("result", [INSUFFICIENT, NOT_APPLICABLE])
def test_a_required_clause_that_is_insufficient_or_not_applicable_blocks_too(staff, result):
    procurement, legal, _manager = staff
    contract = submitted(procurement)
    review = judge_all(contract, legal, C03=result)
    with pytest.raises(ContractRuleError):
        review_rules.clear_round(contract, review, comment="", actor=legal, now=NOW)


def test_recommended_clauses_do_not_block(staff):
    procurement, legal, _manager = staff
    contract = submitted(procurement)
    review = judge_all(contract, legal, C09=MISSING, C10=INSUFFICIENT, C18=NOT_APPLICABLE)
    review_rules.clear_round(contract, review, comment="OK", actor=legal, now=NOW)
    assert review.outcome == "approved" and contract.clause_gaps == 0


def test_every_clause_must_be_judged_before_clearing(staff):
    procurement, legal, _manager = staff
    contract = submitted(procurement)
    review = review_rules.latest_round(contract)
    with pytest.raises(ContractRuleError):
        review_rules.clear_round(contract, review, comment="", actor=legal, now=NOW)


def test_only_legal_reviews_clauses(staff):
    procurement, _legal, manager = staff
    contract = submitted(procurement)
    with pytest.raises(ContractRuleError):
        judge_all(contract, manager)


def test_a_waiver_needs_a_different_managers_approval(staff):
    procurement, legal, manager = staff
    legal_manager = user("legal", "manager", email="legal-manager@example.com")
    contract = submitted(procurement)
    review = judge_all(contract, legal_manager, C05=MISSING)
    clause = next(r for r in review.results if r.item.code == "C05")
    review_rules.save_results(
        contract,
        review,
        {clause.item_id: {**_values(clause), "waiver_reason": "親会社保証で担保"}},
        actor=legal_manager,
        now=NOW,
    )
    assert clause.waiver_by_id == legal_manager.id and not clause.is_waived
    with pytest.raises(ContractRuleError):
        review_rules.clear_round(contract, review, comment="", actor=legal_manager, now=NOW)
    with pytest.raises(ContractRuleError):
        review_rules.approve_waiver(contract, clause, actor=legal_manager, now=NOW)
    with pytest.raises(ContractRuleError):
        review_rules.approve_waiver(contract, clause, actor=legal, now=NOW)
    review_rules.approve_waiver(contract, clause, actor=manager, now=NOW)
    assert clause.is_waived and contract.clause_gaps == 0
    review_rules.clear_round(contract, review, comment="", actor=legal_manager, now=NOW)
    assert review.outcome == "approved"


def test_changing_a_waiver_reason_drops_its_approval(staff):
    procurement, legal, manager = staff
    contract = submitted(procurement)
    review = judge_all(contract, legal, C02=INSUFFICIENT)
    clause = next(r for r in review.results if r.item.code == "C02")
    review_rules.save_results(
        contract, review, {clause.item_id: {**_values(clause), "waiver_reason": "A"}}, actor=legal, now=NOW
    )
    review_rules.approve_waiver(contract, clause, actor=manager, now=NOW)
    review_rules.save_results(
        contract, review, {clause.item_id: {**_values(clause), "waiver_reason": "B"}}, actor=legal, now=NOW
    )
    assert not clause.is_waived and contract.clause_gaps == 1


def _values(clause) -> dict:
    return {
        "result": clause.result,
        "clause_number": clause.clause_number,
        "quote": clause.quote,
        "note": clause.note,
        "waiver_reason": clause.waiver_reason,
    }


def test_the_legal_reviewer_may_not_approve_the_contract(staff):
    procurement, _legal, manager = staff
    legal_manager = user("legal", "manager", email="legal-manager@example.com")
    contract = cleared(procurement, legal_manager)
    approve_selection(contract.vendor)
    with pytest.raises(ContractRuleError) as error:
        contract_services.approve_contract(contract, actor=legal_manager, note="", today=TODAY, now=NOW)
    assert "another manager" in msgid(error)
    contract_services.approve_contract(contract, actor=manager, note="", today=TODAY, now=NOW)
    assert contract.status == APPROVED and contract.approved_by_id == manager.id


def test_the_drafter_and_submitter_may_not_approve_or_return_the_contract(staff):
    """Issue #17 item 5: procurement + manager in one person cannot push their own contract through."""
    _procurement, legal, manager = staff
    drafter = user("procurement", "manager", email="drafter-manager@example.com")
    contract = cleared(drafter, legal)
    approve_selection(contract.vendor)
    with pytest.raises(ContractRuleError) as error:
        contract_services.approve_contract(contract, actor=drafter, note="", today=TODAY, now=NOW)
    assert msgid(error) == "You drafted or submitted this contract; another manager must approve it."
    with pytest.raises(ContractRuleError):
        contract_services.return_by_manager(contract, actor=drafter, note="no")
    contract_services.approve_contract(contract, actor=manager, note="", today=TODAY, now=NOW)
    assert contract.status == APPROVED and contract.approved_by_id == manager.id


def test_whoever_submitted_a_round_drafted_by_another_may_not_approve_it(staff):
    procurement, legal, manager = staff
    submitter = user("procurement", "manager", email="submitter-manager@example.com")
    contract = drafted(actor=procurement)
    contract_services.submit_for_review(contract, note="", actor=submitter, now=NOW)
    review = judge_all(contract, legal)
    review_rules.clear_round(contract, review, comment="", actor=legal, now=NOW)
    approve_selection(contract.vendor)
    with pytest.raises(ContractRuleError):
        contract_services.approve_contract(contract, actor=submitter, note="", today=TODAY, now=NOW)
    contract_services.approve_contract(contract, actor=manager, note="", today=TODAY, now=NOW)


def test_only_a_manager_approves(staff):
    procurement, legal, _manager = staff
    contract = cleared(procurement, legal)
    approve_selection(contract.vendor)
    with pytest.raises(ContractRuleError):
        contract_services.approve_contract(contract, actor=procurement, note="", today=TODAY, now=NOW)


def test_a_contract_not_cleared_by_legal_cannot_be_approved(staff):
    procurement, _legal, manager = staff
    contract = submitted(procurement)
    approve_selection(contract.vendor)
    with pytest.raises(ContractRuleError):
        contract_services.approve_contract(contract, actor=manager, note="", today=TODAY, now=NOW)


@pytest.mark.parametrize(
    "selection",
    [None, "expired", "rejected"],
    ids=["no evaluation", "expired evaluation", "rejected evaluation"],
)
def test_approval_needs_a_valid_approved_selection(staff, selection):
    procurement, legal, manager = staff
    contract = cleared(procurement, legal)
    if selection == "expired":
        approve_selection(contract.vendor, valid_until=TODAY - timedelta(days=1))
    elif selection == "rejected":
        approve_selection(contract.vendor, status=REJECTED)
    with pytest.raises(ContractRuleError) as error:
        contract_services.approve_contract(contract, actor=manager, note="", today=TODAY, now=NOW)
    assert "selection" in msgid(error)
    assert contract.status == IN_REVIEW


def test_a_conditional_selection_is_enough(staff):
    procurement, legal, manager = staff
    contract = cleared(procurement, legal)
    approve_selection(contract.vendor, status=CONDITIONAL)
    contract_services.approve_contract(contract, actor=manager, note="", today=TODAY, now=NOW)
    assert contract.status == APPROVED


def test_signing_needs_approval_and_makes_the_vendor_active(staff):
    procurement, legal, manager = staff
    vendor = create_vendor()
    vendor.status = "selected"
    db.session.flush()
    contract = signed(procurement, legal, manager, vendor=vendor)
    assert contract.status == SIGNED and contract.signed_on == date(2026, 3, 20)
    assert vendor.status == ACTIVE
    documents = contract_services.documents_of(contract)
    assert [d.kind for d in documents] == ["signed"] and documents[0].round_number == 1
    other = drafted()
    with pytest.raises(ContractRuleError):
        contract_services.mark_signed(other, None, signed_on=TODAY, kind="signed", actor=procurement)


def test_returned_round_is_kept_and_the_next_round_shows_what_changed(staff):
    procurement, legal, _manager = staff
    contract = submitted(procurement)
    first = judge_all(contract, legal, C05=MISSING)
    review_rules.return_round(contract, first, comment="C05 を追加してください", actor=legal, now=NOW)
    assert contract.status == RETURNED and first.outcome == "returned"
    with pytest.raises(ContractRuleError):
        review_rules.return_round(contract, first, comment="again", actor=legal, now=NOW)

    contract_services.submit_for_review(contract, note="C05 を追加", actor=procurement, now=NOW)
    second = review_rules.latest_round(contract)
    assert second.round_number == 2
    c05 = next(r for r in second.results if r.item.code == "C05")
    assert c05.result == MISSING  # carried over for legal to re-check
    review_rules.save_results(
        contract,
        second,
        {c05.item_id: {"result": PRESENT, "clause_number": "第12条", "quote": "乙は漏えい等について責任を負う"}},
        actor=legal,
        now=NOW,
    )
    changes = review_rules.diff_rounds(first, second)
    assert [change.code for change in changes] == ["C05"]
    labels = {field.label for field in changes[0].changes}
    assert len(labels) == 3
    review_rules.clear_round(contract, second, comment="", actor=legal, now=NOW)
    rounds = review_rules.rounds_of(contract)
    assert [(r.round_number, r.outcome) for r in rounds] == [(1, "returned"), (2, "approved")]


def test_a_document_attached_to_a_draft_belongs_to_the_round_it_will_be_submitted_in(staff):
    """Issue #18, item 3: the amendment's draft document was shown as round 1 in round 2."""
    from tests.contracts.helpers import pdf

    procurement, legal, manager = staff
    contract = signed(procurement, legal, manager)
    contract_services.start_change(contract, kind=AMENDMENT, note="覚書", actor=procurement)
    draft_document = contract_services.attach_document(contract, pdf("memo-draft.pdf"), kind="draft", actor=procurement)
    assert draft_document.round_number == 2
    contract_services.submit_for_review(contract, note="", actor=procurement, now=NOW)
    reviewed = contract_services.attach_document(contract, pdf("memo-v2.pdf"), kind="draft", actor=procurement)
    assert reviewed.round_number == 2
    new = drafted(actor=procurement)
    assert contract_services.attach_document(new, pdf("first.pdf"), kind="draft", actor=procurement).round_number == 1


def test_an_amendment_starts_a_new_round_while_the_contract_stays_in_force(staff):
    procurement, legal, manager = staff
    contract = signed(procurement, legal, manager)
    with pytest.raises(ContractRuleError):
        contract_services.start_change(contract, kind=AMENDMENT, note="", actor=procurement)
    contract_services.start_change(contract, kind=AMENDMENT, note="再委託先の追加", actor=procurement)
    assert contract.status == DRAFT and contract.is_in_force_on(TODAY)
    review = contract_services.submit_for_review(contract, note="", actor=procurement, now=NOW)
    assert review.round_number == 2 and review.kind == AMENDMENT
    judge_all(contract, legal)
    review_rules.clear_round(contract, review, comment="", actor=legal, now=NOW)
    contract_services.approve_contract(contract, actor=manager, note="", today=TODAY, now=NOW)
    from tests.contracts.helpers import pdf

    contract_services.mark_signed(contract, pdf("amendment.pdf"), signed_on=TODAY, kind="amendment", actor=procurement)
    assert contract.status == SIGNED and contract.next_round_kind == "initial"
    assert [d.kind for d in contract_services.documents_of(contract)] == ["signed", "amendment"]


def test_close_ended_contracts_opens_one_item_with_the_due_date_and_is_idempotent(staff):
    procurement, legal, manager = staff
    contract = signed(procurement, legal, manager, end_on=date(2027, 3, 31), disposal_days=30)
    unsigned = drafted(end_on=date(2027, 1, 31))
    assert disposal_services.close_ended_contracts(date(2027, 3, 31)) == []
    assert disposal_services.close_ended_contracts(date(2027, 4, 1)) == [contract]
    assert contract.status == ENDED and contract.ended_on == date(2027, 3, 31)
    assert unsigned.status == DRAFT
    items = disposal_services.items_of_contract(contract)
    assert len(items) == 1
    assert items[0].due_on == date(2027, 4, 30) and items[0].vendor_id == contract.vendor_id
    assert items[0].reason == CONTRACT_END and items[0].level == 0
    assert disposal_services.close_ended_contracts(date(2027, 4, 2)) == []
    disposal_services.open_items_for(contract, ended_on=contract.ended_on, reason=CONTRACT_END, actor=None)
    assert db.session.scalar(db.select(db.func.count(DisposalItem.id))) == 1


def test_the_due_date_uses_the_contracts_own_days(staff):
    procurement, legal, manager = staff
    contract = signed(procurement, legal, manager, end_on=date(2027, 1, 31), disposal_days=60)
    disposal_services.close_ended_contracts(date(2027, 2, 15))
    assert disposal_services.items_of_contract(contract)[0].due_on == date(2027, 4, 1)


def test_early_termination_needs_a_reason_and_a_date_not_in_the_future(staff):
    procurement, legal, manager = staff
    contract = signed(procurement, legal, manager)
    with pytest.raises(ContractRuleError):
        disposal_services.terminate_contract(contract, ended_on=TODAY, reason=" ", actor=manager, today=TODAY)
    with pytest.raises(ContractRuleError):
        disposal_services.terminate_contract(
            contract, ended_on=TODAY + timedelta(days=1), reason="x", actor=manager, today=TODAY
        )
    disposal_services.terminate_contract(
        contract, ended_on=TODAY, reason="委託先の事業撤退", actor=manager, today=TODAY
    )
    assert contract.status == ENDED and contract.ended_on == TODAY
    assert contract.termination_reason == "委託先の事業撤退"
    item = disposal_services.items_of_contract(contract)[0]
    assert item.reason == TERMINATION and item.due_on == TODAY + timedelta(days=30)
    with pytest.raises(ContractRuleError):
        disposal_services.terminate_contract(contract, ended_on=TODAY, reason="again", actor=manager, today=TODAY)
    assert disposal_services.close_ended_contracts(date(2028, 1, 1)) == []


def test_a_signed_contract_can_be_cancelled_before_its_start(staff):
    procurement, legal, manager = staff
    contract = signed(
        procurement, legal, manager, signed_on=TODAY - timedelta(days=5), start_on=TODAY + timedelta(days=10)
    )
    with pytest.raises(ContractRuleError):  # not before the signature
        disposal_services.terminate_contract(
            contract, ended_on=TODAY - timedelta(days=6), reason="x", actor=manager, today=TODAY
        )
    with pytest.raises(ContractRuleError):  # nor in the future
        disposal_services.terminate_contract(
            contract, ended_on=TODAY + timedelta(days=1), reason="x", actor=manager, today=TODAY
        )
    disposal_services.terminate_contract(contract, ended_on=TODAY, reason="委託中止", actor=manager, today=TODAY)
    assert contract.status == ENDED and contract.ended_on == TODAY and contract.cancelled_before_start
    contract_entries = db.select(ActivityLog).where(ActivityLog.action.like("contract.%")).order_by(ActivityLog.id)
    entry = db.session.scalars(contract_entries).all()[-1]  # the newest (PostgreSQL returns rows in no set order)
    assert entry.action == "contract.cancel" and entry.actor_id == manager.id
    assert disposal_services.items_of_contract(contract)[0].reason == TERMINATION


def test_an_unsigned_contract_cannot_be_terminated(staff):
    _procurement, _legal, manager = staff
    contract = drafted()
    with pytest.raises(ContractRuleError):
        disposal_services.terminate_contract(contract, ended_on=TODAY, reason="x", actor=manager, today=TODAY)


def test_contracts_expiring_within(staff):
    procurement, legal, manager = staff
    soon = signed(procurement, legal, manager, end_on=TODAY + timedelta(days=20))
    signed(procurement, legal, manager, end_on=TODAY + timedelta(days=200))
    found = db.session.scalars(
        db.select(soon.__class__).where(contract_services.contracts_expiring_within(30, TODAY))
    ).all()
    assert found == [soon]


def test_legal_worklist_is_oldest_first(staff):
    procurement, _legal, _manager = staff
    later = drafted()
    earlier = drafted()
    contract_services.submit_for_review(earlier, note="", actor=procurement, now=NOW)
    contract_services.submit_for_review(later, note="", actor=procurement, now=NOW + timedelta(hours=1))
    assert [contract for contract, _review in contract_services.awaiting_legal()] == [earlier, later]
    assert contract_services.awaiting_manager() == []

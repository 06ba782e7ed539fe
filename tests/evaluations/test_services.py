from datetime import date, timedelta

import pytest

from oversight.activity.models import ActivityLog
from oversight.admin.settings import edit_state, save_settings, stored_settings
from oversight.checklists import services as checklist_services
from oversight.core.lights import AMBER, GREEN, RED
from oversight.evaluations import services as evaluation_services
from oversight.evaluations.lights import Decision
from oversight.evaluations.models import (
    APPROVED,
    CONDITIONAL,
    DRAFT,
    NONCONFORMING,
    NOT_APPLICABLE,
    PARTIAL,
    REJECTED,
    RETURNED,
    SUBMITTED,
)
from oversight.extensions import db
from oversight.status.lights import duty_lights
from oversight.vendors.models import ACTIVE, CANDIDATE, ENDED, EVALUATING, SELECTED, Vendor
from tests.evaluations.helpers import NOW, TODAY, answer_all, started, submitted, user
from tests.status.filters import condition
from tests.vendors.factories import create_vendor


@pytest.fixture
def people(app_ctx):
    return {
        "procurement": user("procurement", email="buyer@example.com"),
        "manager": user("manager", email="boss@example.com"),
        "manager_buyer": user("manager", "procurement", email="both@example.com"),
    }


def test_start_uses_current_template_and_moves_candidate_to_evaluating(people):
    vendor = create_vendor()
    evaluation = started(vendor=vendor, actor=people["procurement"])
    assert evaluation.status == DRAFT
    assert len(evaluation.answers) == 30
    assert evaluation.template_id == checklist_services.current_template("selection").id
    assert vendor.status == EVALUATING
    assert db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "vendor.status")).changes == {
        "status": [CANDIDATE, EVALUATING]
    }


def test_start_leaves_an_active_vendor_active_and_refuses_a_second_open_evaluation(people):
    vendor = create_vendor()
    vendor.status = ACTIVE
    started(vendor=vendor, actor=people["procurement"])
    assert vendor.status == ACTIVE
    with pytest.raises(evaluation_services.EvaluationRuleError):
        evaluation_services.start_evaluation(vendor, actor=people["procurement"], now=NOW)


def test_ended_vendor_cannot_be_evaluated(people):
    vendor = create_vendor()
    vendor.status = ENDED
    with pytest.raises(evaluation_services.EvaluationRuleError):
        started(vendor=vendor)


def test_submit_needs_every_item_answered(people):
    evaluation = started(actor=people["procurement"])
    answer_all(evaluation)
    evaluation.answers[0].answer = None
    with pytest.raises(evaluation_services.EvaluationRuleError):
        evaluation_services.submit(
            evaluation, decision="approve", conditions="", note="", actor=people["procurement"], now=NOW
        )
    assert evaluation.status == DRAFT


def test_conditional_approval_needs_conditions(people):
    evaluation = started(actor=people["procurement"])
    answer_all(evaluation)
    with pytest.raises(evaluation_services.EvaluationRuleError):
        evaluation_services.submit(
            evaluation, decision="conditional", conditions=" ", note="", actor=people["procurement"], now=NOW
        )


@pytest.mark.parametrize("failing", [NONCONFORMING, PARTIAL])
def test_failing_required_item_blocks_approval(people, failing):
    evaluation = started(actor=people["procurement"])
    answer_all(evaluation, S02=failing)
    assessment = evaluation_services.assess(evaluation)
    assert assessment.result == "blocked"
    assert [answer.item.code for answer in assessment.blocking] == ["S02"]
    with pytest.raises(evaluation_services.EvaluationRuleError, match="S02"):
        evaluation_services.submit(
            evaluation, decision="approve", conditions="", note="", actor=people["procurement"], now=NOW
        )


def test_failing_required_item_may_still_be_rejected(people):
    evaluation = submitted(people["procurement"], decision="reject", S02=NONCONFORMING)
    evaluation_services.approve(evaluation, actor=people["manager"], note="", today=TODAY, now=NOW)
    assert evaluation.status == REJECTED
    assert evaluation.valid_until is None


def test_exception_with_reason_unblocks_approval(people):
    evaluation = started(actor=people["procurement"])
    answer_all(evaluation, S02=PARTIAL, S01=NONCONFORMING)
    s02 = next(answer for answer in evaluation.answers if answer.item.code == "S02")
    evaluation_services.save_answers(
        evaluation,
        {
            s02.item_id: {
                "answer": PARTIAL,
                "comment": "削除段階が未整備",
                "exception_reason": "3か月以内に整備する誓約書を受領",
            }
        },
        actor=None,
        now=NOW,
    )
    assessment = evaluation_services.assess(evaluation)
    assert assessment.result == "with_findings"  # S01 is recommended only: a finding, not a block
    assert [answer.item.code for answer in assessment.excepted] == ["S01", "S02"][1:]
    evaluation_services.submit(
        evaluation, decision="conditional", conditions="規程整備", note="", actor=people["procurement"], now=NOW
    )
    evaluation_services.approve(evaluation, actor=people["manager"], note="", today=TODAY, now=NOW)
    assert evaluation.status == CONDITIONAL


def test_submitter_cannot_approve_even_as_manager(people):
    evaluation = submitted(people["manager_buyer"])
    with pytest.raises(evaluation_services.EvaluationRuleError):
        evaluation_services.approve(evaluation, actor=people["manager_buyer"], note="", today=TODAY, now=NOW)
    assert evaluation.status == SUBMITTED


def test_non_manager_cannot_approve(people):
    evaluation = submitted(people["manager_buyer"])
    with pytest.raises(evaluation_services.EvaluationRuleError):
        evaluation_services.approve(evaluation, actor=people["procurement"], note="", today=TODAY, now=NOW)


def test_approval_sets_validity_and_selects_vendor(people):
    evaluation = submitted(people["procurement"])
    evaluation_services.approve(evaluation, actor=people["manager"], note="OK", today=date(2026, 2, 28), now=NOW)
    assert evaluation.status == APPROVED
    assert evaluation.valid_until == date(2027, 2, 28)
    assert evaluation.vendor.status == SELECTED
    moves = db.session.scalars(db.select(ActivityLog).where(ActivityLog.action == "vendor.status")).all()
    assert [log.changes["status"] for log in moves] == [[CANDIDATE, EVALUATING], [EVALUATING, SELECTED]]


def test_return_needs_a_reason_and_reopens_editing(people):
    evaluation = submitted(people["procurement"])
    with pytest.raises(evaluation_services.EvaluationRuleError):
        evaluation_services.return_evaluation(evaluation, actor=people["manager"], note="")
    evaluation_services.return_evaluation(evaluation, actor=people["manager"], note="S14の証跡が不足")
    assert evaluation.status == RETURNED
    answer_all(evaluation, S14=NOT_APPLICABLE)


def test_submitted_evaluation_cannot_be_edited(people):
    evaluation = submitted(people["procurement"])
    with pytest.raises(evaluation_services.EvaluationRuleError):
        answer_all(evaluation, S03=PARTIAL)


def test_reevaluation_is_prefilled_from_the_previous_one(people):
    first = submitted(people["procurement"], S26=NOT_APPLICABLE)
    evaluation_services.approve(first, actor=people["manager"], note="", today=TODAY, now=NOW)
    s26 = next(answer for answer in first.answers if answer.item.code == "S26")
    s26.comment = "認証なし"
    second = evaluation_services.start_evaluation(first.vendor, actor=people["procurement"], now=NOW)
    carried = {answer.item.code: (answer.answer, answer.comment) for answer in second.answers}
    assert carried["S26"] == (NOT_APPLICABLE, "認証なし")
    assert carried["S01"][0] == "conforming"
    assert second.previous_id == first.id


def test_evaluation_keeps_its_template_version_after_a_new_one_is_published(people):
    evaluation = started(actor=people["procurement"])
    old_template_id = evaluation.template_id
    draft = checklist_services.copy_template(checklist_services.current_template("selection"), actor=None)
    checklist_services.publish(draft, actor=None, now=NOW)
    db.session.commit()
    db.session.expire_all()
    reloaded = evaluation_services.load_evaluation(evaluation.id)
    assert reloaded.template_id == old_template_id
    assert {answer.item.template_id for answer in reloaded.answers} == {old_template_id}
    newer = evaluation_services.start_evaluation(create_vendor(), actor=people["procurement"], now=NOW)
    assert newer.template_id == draft.id != old_template_id


def test_add_months_clamps_to_month_end():
    assert evaluation_services.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert evaluation_services.add_months(date(2026, 11, 26), 12) == date(2027, 11, 26)


@pytest.mark.parametrize(
    ("decision", "expected"),
    [
        (None, RED),
        (Decision(REJECTED, None), RED),
        (Decision(APPROVED, TODAY - timedelta(days=1)), RED),
        (Decision(APPROVED, TODAY), AMBER),
        (Decision(CONDITIONAL, TODAY + timedelta(days=30)), AMBER),
        (Decision(APPROVED, TODAY + timedelta(days=31)), GREEN),
        (Decision(CONDITIONAL, TODAY + timedelta(days=365)), GREEN),
    ],
)
def test_selection_light_with_fixed_today(people, decision, expected):
    vendor = create_vendor()
    db.session.flush()
    if decision is not None:
        evaluation = evaluation_services.start_evaluation(vendor, actor=people["procurement"], now=NOW)
        evaluation.status, evaluation.valid_until, evaluation.decided_at = decision.status, decision.valid_until, NOW
        db.session.flush()
    light = duty_lights("selection", [vendor.id], TODAY)[vendor.id]
    assert light.state == expected
    assert set(db.session.scalars(db.select(Vendor.id).where(condition("selection", expected, TODAY)))) >= {vendor.id}


def test_validity_follows_the_admin_setting(people):
    save_settings({"evaluation.validity_months": 6}, actor=None, state=edit_state(stored_settings()))
    evaluation = submitted(people["procurement"])
    evaluation_services.approve(evaluation, actor=people["manager"], note="", today=date(2026, 11, 26), now=NOW)
    assert evaluation.valid_until == date(2027, 5, 26)

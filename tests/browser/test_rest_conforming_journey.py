"""'The rest conforming' on the selection evaluation: answers stay visible and changeable (#18 item 8)."""

import re

import pytest
from playwright.sync_api import expect

from oversight.activity.models import ActivityLog
from oversight.evaluations import services as evaluation_services
from oversight.extensions import db
from tests.evaluations.helpers import started

pytestmark = pytest.mark.browser


@pytest.fixture
def evaluation_id(app, make_user):
    buyer = make_user("procurement", name="調達 三郎")
    with app.app_context():
        from oversight.auth.models import User

        evaluation = started(actor=db.session.get(User, buyer.id))
        db.session.commit()
        return buyer, evaluation.id


def _item_select(page, code):
    return page.get_by_test_id(f"item-{code}").locator("select[name^=answer_]")


def test_rest_conforming_fills_the_rest_which_stay_changeable(page, sign_in, app, evaluation_id):
    buyer, evaluation = evaluation_id
    sign_in(buyer)
    page.goto(f"/evaluations/{evaluation}/edit")
    expect(page.get_by_test_id("fill-conforming")).to_have_text("未回答をすべて適合にする")
    _item_select(page, "S01").select_option("nonconforming")
    _item_select(page, "S02").select_option("na")
    page.get_by_test_id("item-S02").locator("textarea[name^=comment_]").fill("該当業務なし")

    dialogs = []

    def stay(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.get_by_test_id("fill-conforming").click()  # saves the typed answers, then fills the rest
    page.wait_for_url(re.compile(rf".*/evaluations/{evaluation}/edit$"))
    expect(page.locator(".alert-success")).to_contain_text("未回答の28項目を「適合」にして保存しました")
    assert dialogs == [], "the bulk button is a form submission, not leaving with unsaved changes"

    selects = page.locator("#answers-form select[name^=answer_]")
    expect(selects).to_have_count(30)
    for index in range(30):
        expect(selects.nth(index)).not_to_have_value("")
    expect(_item_select(page, "S01")).to_have_value("nonconforming")
    expect(_item_select(page, "S02")).to_have_value("na")
    expect(_item_select(page, "S03")).to_have_value("conforming")
    expect(page.get_by_test_id("fill-conforming")).to_have_count(0)  # nothing left unanswered
    expect(page.get_by_test_id("completeness")).to_have_text("30/30")

    _item_select(page, "S03").select_option("partial")  # a filled answer is an ordinary answer
    page.get_by_test_id("save-answers").click()
    expect(page.locator(".alert-success")).to_contain_text("保存しました")
    expect(_item_select(page, "S03")).to_have_value("partial")
    assert dialogs == []

    with app.app_context():
        stored = evaluation_services.load_evaluation(evaluation)
        answers = {answer.item.code: answer for answer in stored.answers}
        assert answers["S01"].answer == "nonconforming"
        assert answers["S02"].answer == "na" and answers["S02"].comment == "該当業務なし"
        assert answers["S03"].answer == "partial"
        assert sum(1 for answer in answers.values() if answer.answer == "conforming") == 27
        assert stored.status == "draft"  # nothing was submitted for approval
        entries = db.session.scalars(
            db.select(ActivityLog).where(ActivityLog.action == "evaluation.answers_fill")
        ).all()
        assert len(entries) == 1 and "28" in entries[0].summary and entries[0].actor_id == buyer.id

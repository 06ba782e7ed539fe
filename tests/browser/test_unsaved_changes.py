"""Leaving a form with unsaved changes asks first; "save and submit" loses no answer (issue #18, item 4)."""

import re

import pytest
from playwright.sync_api import expect

from oversight.extensions import db
from tests.evaluations.helpers import started

pytestmark = pytest.mark.browser


@pytest.fixture
def evaluation_id(app, make_user):
    buyer = make_user("procurement", name="調達 次郎")
    with app.app_context():
        from oversight.auth.models import User

        evaluation = started(actor=db.session.get(User, buyer.id))
        db.session.commit()
        return buyer, evaluation.id


def test_leaving_changed_answers_asks_and_save_and_submit_keeps_them(page, sign_in, evaluation_id):
    buyer, evaluation = evaluation_id
    sign_in(buyer)
    page.goto(f"/evaluations/{evaluation}/edit")
    first = page.locator("#answers-form select[name^=answer_]").first
    name = first.get_attribute("name")

    dialogs = []

    def stay(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.goto(f"/evaluations/{evaluation}/edit")  # unchanged: leaves without a question
    assert dialogs == []

    page.locator(f"select[name='{name}']").select_option("conforming")
    page.locator("nav a[href='/vendors/']").first.click()  # changed: the browser asks, the user stays
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    expect(page).to_have_url(re.compile(rf".*/evaluations/{evaluation}/edit$"))
    page.remove_listener("dialog", stay)

    page.get_by_test_id("save-and-submit").click()  # sending the form is not "leaving"
    page.wait_for_url(re.compile(rf".*/evaluations/{evaluation}/submit$"))
    page.goto(f"/evaluations/{evaluation}/edit")
    expect(page.locator(f"select[name='{name}']")).to_have_value("conforming")

"""The main pages' HTML holds together for assistive technology (issue #18, item 13).

Every page of the main navigation (``bench.run.main_pages``) and the main form pages, on the demo data,
for several roles, passes the structural checks of ``tests/htmlcheck.py``: unique ids (several forms on a
page used to share ``csrf_token``, ``version``, ``note`` and ``comment``), labels and ARIA references
that point at the right element, ``legend`` first in its ``fieldset``, no empty table header, a required
select that starts empty, one ``h1`` (error pages too). The browser tests run axe-core on the same pages.
"""

from __future__ import annotations

import pytest

from oversight.demo.users import DEMO_PASSWORD
from oversight.evaluations.models import Evaluation
from oversight.extensions import db
from tests.evaluations.helpers import submitted, user
from tests.htmlcheck import checked_pages, parse, problems


@pytest.fixture
def demo(app):
    """The demo data set (``flask demo seed``): every page has records to show."""
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output


def test_main_pages_have_unique_ids_named_fields_and_valid_nesting(app, client, demo):
    found = {}
    pages = checked_pages(app)
    for email in ("admin@example.com", "procurement@example.com", "manager2@example.com"):
        response = client.post("/auth/login", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302
        for name, url in pages.items():
            response = client.get(url)
            assert response.status_code in (200, 403, 404), (email, name, url, response.status_code)
            if broken := problems(response.get_data(as_text=True)):
                found[f"{email}: {name} ({url}, {response.status_code})"] = broken
        client.post("/auth/logout")
    assert found == {}


def _evaluation_awaiting_a_manager(app) -> int:
    with app.app_context():
        evaluation = submitted(user("procurement", email="submitter@example.com"))
        db.session.commit()
        return evaluation.id


def test_each_label_of_the_evaluation_decision_names_its_own_field(app, client, login_as):
    evaluation_id = _evaluation_awaiting_a_manager(app)
    login_as("manager")
    html = client.get(f"/evaluations/{evaluation_id}").get_data(as_text=True)
    assert problems(html) == []
    root = parse(html)
    forms = {node.attrs["action"].rsplit("/", 1)[1]: node for node in root.walk() if node.tag == "form"}
    for action in ("approve", "return"):
        label = next(node for node in forms[action].walk() if node.tag == "label")
        field = next(node for node in forms[action].walk() if node.tag == "textarea")
        assert label.attrs["for"] == field.attrs["id"]
    return_label = next(node for node in forms["return"].walk() if node.tag == "label")
    assert return_label.text() == "差戻しの理由"


def test_an_invalid_field_is_marked_and_described_by_its_error(app, client, login_as):
    evaluation_id = _evaluation_awaiting_a_manager(app)
    login_as("manager")
    with app.app_context():
        version = db.session.get(Evaluation, evaluation_id).version
    response = client.post(f"/evaluations/{evaluation_id}/return", data={"note": "", "version": version})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert problems(html) == []
    nodes = list(parse(html).walk())
    field = next(node for node in nodes if node.tag == "textarea" and node.attrs.get("aria-invalid") == "true")
    error = next(node for node in nodes if node.attrs.get("id") == field.attrs["aria-describedby"])
    assert field.attrs["name"] == "note" and "必須" in error.text()
    untouched = [node for node in nodes if node.tag == "textarea" and node is not field]
    assert untouched and all("aria-invalid" not in node.attrs for node in untouched)

"""Buttons that destroy or replace data ask first (``data-confirm``, static/js/app.js), naming what they act on;
the buttons that only send or switch something do not ask. A checkbox group shows its help text."""

from __future__ import annotations

from html.parser import HTMLParser

from oversight.extensions import db
from oversight.units.models import BusinessUnit
from oversight.webhooks.models import WebhookDelivery
from tests.api.conftest import make_token  # noqa: F401 - the API tests' token fixture
from tests.webhooks.helpers import endpoint, event


class PostForms(HTMLParser):
    """Each POST form's action and its data-confirm question (None when it does not ask)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.confirm: dict[str, str | None] = {}

    def handle_starttag(self, tag, attrs) -> None:
        values = dict(attrs)
        if tag == "form" and (values.get("method") or "").lower() == "post":
            self.confirm[values.get("action") or ""] = values.get("data-confirm")


def post_forms(client, url: str) -> dict[str, str | None]:
    response = client.get(url)
    assert response.status_code == 200
    parser = PostForms()
    parser.feed(response.get_data(as_text=True))
    return parser.confirm


def test_the_endpoint_page_asks_before_deleting_or_replacing_the_secret(app, client, login_as):
    login_as("admin")
    with app.app_context():
        found = endpoint("https://erp.example.com/hooks", name="購買システム")
        db.session.add(WebhookDelivery(endpoint=found, event=event(), status="failed", attempts=8))
        db.session.commit()
        endpoint_id, delivery_id = found.id, db.session.scalar(db.select(WebhookDelivery.id))
    forms = post_forms(client, f"/admin/webhooks/{endpoint_id}")
    assert "購買システム" in forms[f"/admin/webhooks/{endpoint_id}/delete"]
    assert "元に戻せません" in forms[f"/admin/webhooks/{endpoint_id}/delete"]
    assert "シークレット" in forms[f"/admin/webhooks/{endpoint_id}/secret"]
    assert forms[f"/admin/webhooks/{endpoint_id}/test"] is None
    assert forms[f"/admin/webhooks/{endpoint_id}/disable"] is None
    assert forms[f"/admin/webhooks/deliveries/{delivery_id}/retry"] is None
    assert post_forms(client, "/admin/webhooks")[f"/admin/webhooks/{endpoint_id}/disable"] is None


def test_revoking_a_token_asks_on_the_own_and_the_admin_page(client, login_as, make_user, make_token):  # noqa: F811
    admin = login_as("admin")
    own = make_token(user=admin)
    other = make_token(user=make_user("viewer", name="閲覧 花子"))
    mine = post_forms(client, "/auth/tokens")
    assert "「test」" in mine[f"/auth/tokens/{own.token_id}/revoke"]
    every = post_forms(client, "/admin/tokens")
    assert "閲覧 花子" in every[f"/admin/tokens/{other.token_id}/revoke"]


def test_taking_a_unit_role_away_asks_naming_the_person(app, client, login_as, make_user):
    login_as("admin")
    member = make_user("viewer", name="部員")
    client.post("/admin/units", data={"code": "hr", "name": "人事部", "kind": "company", "parent_id": ""})
    with app.app_context():
        unit_id = db.session.scalar(db.select(BusinessUnit.id).where(BusinessUnit.code == "hr"))
    client.post(f"/admin/units/{unit_id}/members", data={"user_id": str(member.id), "role": "manager"})
    questions = [question for action, question in post_forms(client, f"/admin/units/{unit_id}").items()
                 if action.endswith("/remove")]
    assert len(questions) == 1 and "部員" in questions[0] and "人事部" in questions[0]


def test_the_vendor_forms_units_field_shows_its_help(app, client, login_as):
    login_as("admin")
    client.post("/admin/units", data={"code": "hr", "name": "人事部", "kind": "company", "parent_id": ""})
    page = client.get("/vendors/new").get_data(as_text=True)
    fieldset = page[page.index('<fieldset class="mb-3" aria-describedby="vendor-unit_ids-help">'):]
    fieldset = fieldset[:fieldset.index("</fieldset>")]
    assert 'id="vendor-unit_ids-help"' in fieldset and "人事部" in fieldset
    assert "form-check-inline" not in fieldset  # one unit a line: the tree's indentation reads

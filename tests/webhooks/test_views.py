"""The webhooks admin pages: register (secret shown once), validation next to the fields, edit, enable and
disable, new secret, test event through a real receiver, the delivery log, delete; all in the activity log."""

from __future__ import annotations

import re

import pytest

from oversight.activity.models import ActivityLog
from oversight.core.timeutil import utcnow
from oversight.events import types as event_types
from oversight.extensions import db
from oversight.webhooks import delivery, errors, services
from oversight.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.webhooks.helpers import endpoint, event
from tests.webhooks.receiver import receiver, verify

SECRET = re.compile(r'value="(whsec_[A-Za-z0-9+/=]+)"')


def _form(url: str = "https://erp.example.com/hooks/oversight", **overrides) -> dict:
    data = {"name": "購買システム", "url": url, "is_enabled": "y",
            "event_types": [event_types.CONTRACT_SIGNED, event_types.INCIDENT_OPENED]}
    data.update(overrides)
    return data


def _actions(app) -> list[str]:
    with app.app_context():
        return [row.action for row in db.session.scalars(
            db.select(ActivityLog).where(ActivityLog.action.like("webhook.%")).order_by(ActivityLog.id))]


def test_an_admin_registers_an_endpoint_and_sees_the_secret_once(client, app, login_as):
    login_as("admin")
    assert client.get("/admin/webhooks").status_code == 200
    page = client.get("/admin/webhooks/new")
    assert page.status_code == 200 and "イベントの種類" in page.get_data(as_text=True)
    response = client.post("/admin/webhooks/new", data=_form())
    assert response.status_code == 200
    secret = SECRET.search(response.get_data(as_text=True)).group(1)
    with app.app_context():
        [stored] = db.session.scalars(db.select(WebhookEndpoint)).all()
        assert stored.secret == secret and stored.event_types == [event_types.CONTRACT_SIGNED,
                                                                  event_types.INCIDENT_OPENED]
        log = db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "webhook.create"))
        assert log.object_type == "webhook_endpoint" and secret not in str(log.changes) + log.summary
        endpoint_id = stored.id
    listing = client.get("/admin/webhooks").get_data(as_text=True)
    assert "購買システム" in listing and secret not in listing
    assert secret not in client.get(f"/admin/webhooks/{endpoint_id}").get_data(as_text=True)


@pytest.mark.parametrize(("field", "data", "message"), [
    ("url", _form(url="ftp://erp.example.com/hook"), "https://"),
    ("url", _form(url="http://erp.example.com/hook"), "http://"),
    ("url", _form(url="https://user:pass@erp.example.com/hook"), "パスワード"),
    ("url", _form(url="not a url"), ""),
    ("url", _form(url=""), ""),
    ("url", _form(url="https://erp.example.com/" + "x" * 500), "500"),
    ("name", _form(name="  "), ""),
    ("event_types", _form(event_types=[]), ""),
    ("event_types", _form(event_types=["no.such_type"]), ""),
])
def test_the_form_shows_each_error_next_to_its_field(client, app, login_as, field, data, message):
    login_as("admin")
    response = client.post("/admin/webhooks/new", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    error = re.search(rf'id="endpoint-{field}-error">(.*?)</div></div>', html, re.S)
    assert error is not None, html[:2000]
    assert message in error.group(1)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(WebhookEndpoint)) == 0


def test_two_endpoints_cannot_share_a_name(client, app, login_as):
    """A duplicate name is refused next to the name field (register and edit), by the service too; an endpoint
    keeps its own name when edited."""
    login_as("admin")
    with app.app_context():
        first = endpoint("https://erp.example.com/hook", name="購買システム")
        second = endpoint("https://hr.example.com/hook", name="人事システム")
        second_id, second_version, first_id, first_version = second.id, second.version, first.id, first.version
    message = "この名前は別の送信先で使われています。"
    for response in (
        client.post("/admin/webhooks/new", data=_form(name=" 購買システム ")),
        client.post(f"/admin/webhooks/{second_id}/edit", data=_form(name="購買システム", version=str(second_version))),
    ):
        assert response.status_code == 400
        error = re.search(r'id="endpoint(?:-edit)?-name-error">(.*?)</div></div>', response.get_data(as_text=True),
                          re.S)
        assert error is not None and message in error.group(1)
    kept = client.post(f"/admin/webhooks/{first_id}/edit", data=_form(name="購買システム", version=str(first_version)))
    assert kept.status_code == 302
    with app.app_context():
        assert sorted(db.session.scalars(db.select(WebhookEndpoint.name))) == ["人事システム", "購買システム"]
        with pytest.raises(services.DuplicateNameError):
            services.create_endpoint({"name": "人事システム", "url": "https://x.example.com/hook",
                                      "event_types": [event_types.CONTRACT_SIGNED]}, actor=None, now=utcnow())
        db.session.rollback()


def test_a_name_taken_between_the_check_and_the_write_is_the_same_refusal(app, monkeypatch):
    """Another admin saves the same name after :func:`services.name_taken` looked: the names' unique constraint
    refuses the write, answered as the duplicate-name refusal (register and rename), not a 500."""
    with app.app_context():
        endpoint("https://erp.example.com/hook", name="購買システム")
        renamed = endpoint("https://hr.example.com/hook", name="人事システム")
        monkeypatch.setattr(services, "name_taken", lambda name, endpoint=None: False)
        with pytest.raises(services.DuplicateNameError):
            services.create_endpoint({"name": "購買システム", "url": "https://x.example.com/hook",
                                      "event_types": [event_types.CONTRACT_SIGNED]}, actor=None, now=utcnow())
        db.session.rollback()
        with pytest.raises(services.DuplicateNameError):
            services.update_endpoint(renamed, {"name": "購買システム", "url": renamed.url,
                                               "event_types": renamed.event_types}, actor=None)
        db.session.rollback()
        assert sorted(db.session.scalars(db.select(WebhookEndpoint.name))) == ["人事システム", "購買システム"]


def test_plain_http_to_this_machine_or_when_the_setting_allows(client, app, login_as, monkeypatch):
    login_as("admin")
    assert client.post("/admin/webhooks/new", data=_form(url="http://127.0.0.1:8080/hook", name="1")).status_code == 200
    assert client.post("/admin/webhooks/new", data=_form(url="http://localhost/hook", name="2")).status_code == 200
    assert client.post("/admin/webhooks/new", data=_form(url="http://[::1]/hook", name="3")).status_code == 200
    assert client.post("/admin/webhooks/new", data=_form(url="http://erp.internal/hook", name="4")).status_code == 400
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_HTTP", True)
    assert client.post("/admin/webhooks/new", data=_form(url="http://erp.internal/hook", name="4")).status_code == 200


def test_edit_disable_enable_new_secret_delete_are_logged(client, app, login_as):
    login_as("admin")
    with app.app_context():
        found = endpoint("https://erp.example.com/hook")
        endpoint_id, version, old_secret = found.id, found.version, found.secret
    edit = client.post(f"/admin/webhooks/{endpoint_id}/edit", data=_form(
        name="購買", event_types=[event_types.FINDING_OVERDUE], version=str(version)))
    assert edit.status_code == 302
    stale = client.post(f"/admin/webhooks/{endpoint_id}/edit", data=_form(name="古い", version=str(version)))
    assert stale.status_code == 409
    assert client.post(f"/admin/webhooks/{endpoint_id}/disable").status_code == 302
    with app.app_context():
        assert not db.session.get(WebhookEndpoint, endpoint_id).is_enabled
    assert client.post(f"/admin/webhooks/{endpoint_id}/enable").status_code == 302
    renewed = client.post(f"/admin/webhooks/{endpoint_id}/secret")
    new_secret = SECRET.search(renewed.get_data(as_text=True)).group(1)
    with app.app_context():
        stored = db.session.get(WebhookEndpoint, endpoint_id)
        assert stored.secret == new_secret != old_secret
        assert (stored.name, stored.event_types, stored.is_enabled) == ("購買", [event_types.FINDING_OVERDUE], True)
        change = db.session.scalar(db.select(ActivityLog).where(ActivityLog.action == "webhook.update"))
        assert change.changes["event_types"] == [[event_types.CONTRACT_SIGNED], [event_types.FINDING_OVERDUE]]
    assert client.post(f"/admin/webhooks/{endpoint_id}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(WebhookEndpoint, endpoint_id) is None
    assert _actions(app) == ["webhook.create", "webhook.update", "webhook.disable", "webhook.enable",
                             "webhook.rotate_secret", "webhook.delete"]


def test_the_test_button_sends_a_signed_test_event_to_a_real_receiver(client, app, login_as):
    login_as("admin")
    with receiver() as hook:
        response = client.post("/admin/webhooks/new", data=_form(url=hook.url))
        secret = SECRET.search(response.get_data(as_text=True)).group(1)
        with app.app_context():
            endpoint_id = db.session.scalar(db.select(WebhookEndpoint.id))
        assert client.post(f"/admin/webhooks/{endpoint_id}/test").status_code == 302
        with app.app_context():
            assert delivery.run().delivered == 1
        [request] = hook.received
    assert verify(secret, request.headers, request.body)
    assert request.document["type"] == event_types.TEST
    log = client.get(f"/admin/webhooks/{endpoint_id}").get_data(as_text=True)
    assert "テストイベント" in log and request.headers["webhook-id"] in log and "200" in log
    assert "webhook.test" in _actions(app)


def test_a_disabled_endpoint_cannot_be_sent_a_test(client, app, login_as):
    login_as("admin")
    with app.app_context():
        endpoint_id = endpoint("https://erp.example.com/hook", enabled=False).id
    client.post(f"/admin/webhooks/{endpoint_id}/test")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(WebhookDelivery)) == 0


def test_the_delivery_log_is_paginated_and_filtered(client, app, login_as, monkeypatch):
    login_as("admin")
    monkeypatch.setitem(app.config, "PAGE_SIZE", 3)
    with receiver(statuses=[500]) as hook, app.app_context():
        endpoint_id = endpoint(hook.url).id
        for _ in range(7):
            event()
        delivery.run()
    first = client.get(f"/admin/webhooks/{endpoint_id}").get_data(as_text=True)
    assert first.count("HTTP 500") == 3
    assert client.get(f"/admin/webhooks/{endpoint_id}?page=2").get_data(as_text=True).count("HTTP 500") == 3
    last = client.get(f"/admin/webhooks/{endpoint_id}?page=3").get_data(as_text=True)
    assert last.count("HTTP 500") == 1
    assert "HTTP 500" not in client.get(f"/admin/webhooks/{endpoint_id}?status=delivered").get_data(as_text=True)
    assert client.get(f"/admin/webhooks/{endpoint_id}?status=pending").get_data(as_text=True).count("HTTP 500") == 3


@pytest.mark.parametrize(("language", "words"), [
    ("ja", ("受信側が HTTP 503 を返しました。", "10 秒以内に応答がありませんでした。",
            "受信側が HTTP 307（リダイレクト）を返しました", "要求を送れませんでした: ConnectionError: refused")),
    ("en", ("The receiver answered HTTP 503.", "No answer within 10 s.",
            "The receiver answered HTTP 307, a redirect", "The request could not be sent: ConnectionError: refused")),
])
def test_the_delivery_log_puts_each_error_into_the_readers_language(client, app, login_as, language, words):
    """Errors are stored as a code and its parameters and shown in the reader's language; a row stored before
    the codes keeps its text."""
    login_as("admin", language=language)
    with app.app_context():
        target = endpoint("https://erp.example.com/hook")
        stored = [(errors.HTTP_STATUS, {"status": 503}), (errors.TIMEOUT, {"seconds": 10}),
                  (errors.REDIRECT, {"status": 307}), (errors.REQUEST_FAILED, {"detail": "ConnectionError: refused"}),
                  ("", None)]
        for number, (code, params) in enumerate(stored):
            recorded = event(contract_id=number + 1)
            db.session.add(WebhookDelivery(
                endpoint_id=target.id, event_id=recorded.id, status="pending", attempts=1, error_code=code,
                error_params=params, last_error="" if code else "Legacy text kept as it was",
                created_at=utcnow(), last_attempt_at=utcnow(), next_attempt_at=utcnow()))
        db.session.commit()
        endpoint_id = target.id
    page = client.get(f"/admin/webhooks/{endpoint_id}").get_data(as_text=True)
    for word in words:
        assert word in page
    assert "Legacy text kept as it was" in page


@pytest.mark.parametrize("role", ["procurement", "legal", "auditor", "manager", "viewer"])
def test_only_admins_reach_the_pages(client, app, login_as, role):
    login_as(role)
    with app.app_context():
        endpoint_id = endpoint("https://erp.example.com/hook").id
    assert client.get("/admin/webhooks").status_code == 403
    assert client.post("/admin/webhooks/new", data=_form()).status_code == 403
    assert client.post(f"/admin/webhooks/{endpoint_id}/test").status_code == 403
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(WebhookDelivery)) == 0


def test_a_name_taken_by_another_admin_at_the_same_moment_is_refused_next_to_the_field(
    client, app, login_as, monkeypatch
):
    """The form's and the service's checks both passed before the other admin's endpoint was written: the
    database's unique constraint answers, and the admin sees the same field message (400), not a 500."""
    login_as("admin")
    with app.app_context():
        first = endpoint("https://erp.example.com/hook", name="購買システム")
        other = endpoint("https://hr.example.com/hook", name="人事システム")
        other_id, other_version = other.id, other.version
        assert first.id
    monkeypatch.setattr(services, "name_taken", lambda *_args, **_kwargs: False)  # the race: both checks missed it
    from oversight.webhooks import forms

    monkeypatch.setattr(forms, "name_taken", lambda *_args, **_kwargs: False)
    message = "この名前は別の送信先で使われています。"
    for response in (
        client.post("/admin/webhooks/new", data=_form(name="購買システム")),
        client.post(f"/admin/webhooks/{other_id}/edit", data=_form(name="購買システム", version=str(other_version))),
    ):
        assert response.status_code == 400
        error = re.search(
            r'id="endpoint(?:-edit)?-name-error">(.*?)</div></div>', response.get_data(as_text=True), re.S
        )
        assert error is not None and message in error.group(1)
    with app.app_context():
        assert sorted(db.session.scalars(db.select(WebhookEndpoint.name))) == ["人事システム", "購買システム"]
    assert _actions(app) == ["webhook.create", "webhook.create"]  # the two made above, nothing more

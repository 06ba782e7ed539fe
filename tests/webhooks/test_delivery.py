"""Deliveries to a real HTTP receiver on loopback: signed, retried with backoff, at least once, only to
the registered URL, with a timeout; disabled endpoints get nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from oversight import scheduler
from oversight.core.timeutil import utcnow
from oversight.events import types as event_types
from oversight.events.models import Event
from oversight.extensions import db
from oversight.webhooks import delivery, errors
from oversight.webhooks.models import DELIVERED, FAILED, PENDING, WebhookDelivery
from tests.webhooks.helpers import endpoint, event
from tests.webhooks.receiver import receiver, verify


def _deliveries():
    db.session.expire_all()
    return list(db.session.scalars(db.select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_a_delivery_is_signed_and_the_receiver_verifies_it(app_ctx):
    with receiver() as hook:
        target = endpoint(hook.url)
        recorded = event(number="CT-1")
        result = delivery.run()
        assert (result.dispatched, result.created, result.delivered) == (1, 1, 1)
        [request] = hook.received
    assert request.path == "/hook"
    assert verify(target.secret, request.headers, request.body)
    assert not verify(target.secret, request.headers, request.body.replace(b"CT-1", b"CT-2"))
    assert not verify("whsec_" + "A" * 44, request.headers, request.body)
    assert request.headers["webhook-id"] == recorded.event_id
    assert request.headers["content-type"] == "application/json"
    document = request.document
    assert document["id"] == recorded.event_id and document["type"] == event_types.CONTRACT_SIGNED
    assert document["data"] == {"contract_id": 1, "vendor_id": 1, "number": "CT-1", "signed_on": "2026-03-20",
                                "end_on": "2027-03-31"}
    [sent] = _deliveries()
    assert (sent.status, sent.response_code, sent.attempts, sent.error_code, sent.error_params) == (
        DELIVERED, 200, 1, "", None)


def test_a_500_is_retried_after_a_growing_wait_with_the_same_event_id(app_ctx):
    with receiver(statuses=[500, 500, 204]) as hook:
        target = endpoint(hook.url)
        recorded = event()
        start = utcnow()
        delivery.run(start)
        [first] = _deliveries()
        assert (first.status, first.response_code, first.attempts) == (PENDING, 500, 1)
        assert (first.error_code, first.error_params, first.last_error) == (errors.HTTP_STATUS, {"status": 500}, "")
        assert first.next_attempt_at == start + timedelta(seconds=60)
        assert delivery.run(start + timedelta(seconds=30)).delivered == 0  # not yet due
        delivery.run(start + timedelta(seconds=61))
        [second] = _deliveries()
        assert second.attempts == 2 and second.next_attempt_at == start + timedelta(seconds=61 + 120)  # doubled
        delivery.run(start + timedelta(seconds=200))
        [third] = _deliveries()
        assert (third.status, third.response_code, third.attempts) == (DELIVERED, 204, 3)
        assert third.next_attempt_at is None
        ids = [request.headers["webhook-id"] for request in hook.received]
        bodies = {request.body for request in hook.received}
    assert ids == [recorded.event_id] * 3
    assert len(bodies) == 1  # the same body on every attempt
    assert all(verify(target.secret, request.headers, request.body) for request in hook.received)


def test_after_the_last_attempt_the_delivery_is_failed_and_can_be_sent_again(app, app_ctx, monkeypatch):
    from oversight.webhooks import services

    monkeypatch.setitem(app.config, "WEBHOOK_MAX_ATTEMPTS", 2)
    with receiver(statuses=[503, 503, 200]) as hook:
        endpoint(hook.url)
        event()
        start = utcnow()
        delivery.run(start)
        result = delivery.run(start + timedelta(hours=1))
        assert result.failed == 1
        [failed] = _deliveries()
        assert (failed.status, failed.attempts, failed.next_attempt_at) == (FAILED, 2, None)
        assert delivery.run(start + timedelta(days=1)).delivered == 0  # given up
        services.retry_delivery(failed, actor=None, now=start + timedelta(days=1))
        db.session.commit()
        assert delivery.run(start + timedelta(days=1)).delivered == 1
        assert len(hook.received) == 3


def test_the_wait_is_capped(app, app_ctx):
    assert delivery.retry_delay(1) == timedelta(seconds=60)
    assert delivery.retry_delay(3) == timedelta(seconds=240)
    assert delivery.retry_delay(30) == timedelta(seconds=app.config["WEBHOOK_RETRY_CAP_SECONDS"])


def test_no_event_id_is_delivered_twice_to_an_endpoint(app_ctx):
    with receiver() as first, receiver() as second:
        endpoint(first.url, (event_types.CONTRACT_SIGNED, event_types.INCIDENT_OPENED), name="A")
        endpoint(second.url, (event_types.INCIDENT_OPENED,), name="B")
        recorded = [event(), event(event_types.INCIDENT_OPENED), event(), event(event_types.DISPOSAL_CONFIRMED)]
        delivery.run()
        delivery.run()
        assert delivery.run(utcnow() + timedelta(days=1)).created == 0
        first_ids = [request.headers["webhook-id"] for request in first.received]
        second_ids = [request.headers["webhook-id"] for request in second.received]
    assert sorted(first_ids) == sorted(item.event_id for item in recorded[:3])
    assert second_ids == [recorded[1].event_id]
    assert len({item.event_id for item in recorded}) == 4
    assert db.session.scalar(db.select(db.func.count()).select_from(Event).where(Event.dispatched_at.is_(None))) == 0


def test_a_delivery_taken_by_a_run_that_died_is_sent_after_the_lease(app_ctx):
    with receiver() as hook:
        endpoint(hook.url)
        recorded = event()
        start = utcnow()
        delivery.dispatch(start)
        assert delivery.claim(start)  # taken, then the process died before sending
        assert delivery.run(start + timedelta(minutes=1)).delivered == 0
        assert delivery.run(start + delivery.LEASE + timedelta(seconds=1)).delivered == 1
        assert [request.headers["webhook-id"] for request in hook.received] == [recorded.event_id]


def test_a_slow_receiver_times_out_and_is_retried(app, app_ctx, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_TIMEOUT_SECONDS", 1)
    with receiver(delay=3) as hook:
        endpoint(hook.url)
        event()
        delivery.run()
        [late] = _deliveries()
        assert len(hook.received) == 1
    assert (late.status, late.response_code, late.attempts) == (PENDING, None, 1)
    assert (late.error_code, late.error_params) == (errors.TIMEOUT, {"seconds": 1})


def test_redirects_are_not_followed(app_ctx):
    with receiver() as elsewhere, receiver(statuses=[307]) as hook:
        hook.location = elsewhere.url
        endpoint(hook.url)
        event()
        delivery.run()
        [sent] = _deliveries()
        assert elsewhere.received == [] and len(hook.received) == 1
    assert sent.status == PENDING and sent.response_code == 307
    assert (sent.error_code, sent.error_params) == (errors.REDIRECT, {"status": 307})


def test_a_refused_connection_is_an_error_to_retry(app_ctx):
    from tests.conftest import free_port

    endpoint(f"http://127.0.0.1:{free_port()}/hook")
    event()
    delivery.run()
    [sent] = _deliveries()
    assert sent.status == PENDING and sent.response_code is None and sent.error_code == errors.REQUEST_FAILED
    assert "ConnectionError" in sent.error_params["detail"]


def test_a_disabled_endpoint_gets_nothing(app_ctx):
    from oversight.webhooks import services

    with receiver() as hook:
        disabled = endpoint(hook.url, enabled=False, name="off")
        event()
        assert delivery.run().created == 0
        services.set_enabled(disabled, True, actor=None)
        db.session.commit()
        event()
        assert delivery.dispatch(utcnow()) == (1, 1)
        services.set_enabled(disabled, False, actor=None)
        db.session.commit()
        assert delivery.run().delivered == 0  # a delivery made before it was disabled waits
        assert hook.received == []
        services.set_enabled(disabled, True, actor=None)
        db.session.commit()
        assert delivery.run().delivered == 1


def test_an_endpoint_gets_only_its_types_and_nothing_from_before_it_existed(app_ctx):
    with receiver() as hook:
        event()
        later = utcnow() + timedelta(seconds=5)
        endpoint(hook.url, now=later)
        assert delivery.run().created == 0
        event(event_types.INCIDENT_OPENED)
        assert delivery.run().created == 0
        assert hook.received == []


@pytest.mark.parametrize("how", ["command", "scheduler"])
def test_the_command_and_the_scheduler_job_deliver(app, app_ctx, how):
    with receiver() as hook:
        endpoint(hook.url)
        event()
        if how == "command":
            output = app.test_cli_runner().invoke(args=["webhooks", "deliver"])
            assert output.exit_code == 0, output.output
            assert "1 delivered" in output.output
        else:
            assert "webhooks.deliver" in {job.id for job in scheduler.build_scheduler(app).get_jobs()}
            scheduler.run_webhooks(app)
        assert len(hook.received) == 1


def test_the_secret_is_encrypted_at_rest_and_signs_after_the_keys_rotate(app, app_ctx, monkeypatch):
    from cryptography.fernet import Fernet
    from sqlalchemy import text

    def stored(endpoint_id: int) -> str:
        query = text("SELECT secret FROM webhook_endpoints WHERE id = :id")
        return db.session.execute(query, {"id": endpoint_id}).scalar_one()

    with receiver() as hook:
        target = endpoint(hook.url)
        secret, endpoint_id = target.secret, target.id
        assert secret.startswith("whsec_") and secret not in stored(endpoint_id)
        new_key = Fernet.generate_key()
        monkeypatch.setitem(app.config, "SECRET_ENCRYPTION_KEYS", new_key.decode())
        result = app.test_cli_runner().invoke(args=["users", "rotate-secrets"])
        assert result.exit_code == 0 and "Encrypted 1 " in result.output, result.output
        assert Fernet(new_key).decrypt(stored(endpoint_id).encode()).decode() == secret
        monkeypatch.setitem(app.config, "SECRET_KEY", "another-secret-key")  # only the listed key opens it now
        db.session.expire_all()
        event(number="CT-9")
        assert delivery.run().delivered == 1
        [request] = hook.received
    assert verify(secret, request.headers, request.body)

"""The OpenAPI document declares every event type as a webhook (OpenAPI 3.1 ``webhooks``), from the models each
payload is checked against when it is recorded: what a receiver gets validates against the document."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from oversight.events import services as events
from oversight.events import types as event_types
from oversight.extensions import db
from oversight.webhooks import delivery
from tests.webhooks.helpers import SAMPLES, event


def _document(client) -> dict:
    return client.get("/api/v1/openapi.json").get_json()


def _body_schema(document: dict, event_type: str) -> dict:
    """The webhook's body schema, with the document's components beside it so that its references resolve."""
    operation = document["webhooks"][event_type]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    return {**schema, "components": document["components"]}


def test_every_event_type_is_a_webhook_with_its_headers(client):
    document = _document(client)
    assert document["openapi"].startswith("3.1")
    assert set(document["webhooks"]) == {*event_types.SUBSCRIBABLE, event_types.TEST}
    for event_type, path_item in document["webhooks"].items():
        operation = path_item["post"]
        assert {parameter["name"] for parameter in operation["parameters"]} == {
            "webhook-id", "webhook-timestamp", "webhook-signature"
        }
        data = operation["requestBody"]["content"]["application/json"]["schema"]["properties"]["data"]["$ref"]
        assert data.rsplit("/", 1)[1] in document["components"]["schemas"], event_type
        Draft202012Validator.check_schema(_body_schema(document, event_type))


@pytest.mark.parametrize("event_type", sorted(SAMPLES))
def test_the_body_a_receiver_gets_validates_against_the_document(client, app_ctx, event_type):
    recorded = event(event_type)
    body = json.loads(delivery.body_of(recorded))
    Draft202012Validator(_body_schema(_document(client), event_type)).validate(body)
    other = dict(body, data={**body["data"], "name": "x"})  # an undeclared fact
    assert not Draft202012Validator(_body_schema(_document(client), event_type)).is_valid(other)


def test_a_payload_that_is_not_the_declared_one_is_refused_when_recorded(app_ctx):
    facts = SAMPLES[event_types.CONTRACT_SIGNED]
    with pytest.raises(ValidationError):
        events.record(event_types.CONTRACT_SIGNED, {**facts, "employee_name": "山田"})
    with pytest.raises(ValidationError):
        events.record(event_types.CONTRACT_SIGNED, {key: facts[key] for key in ("contract_id", "number")})
    with pytest.raises(ValidationError):
        events.record_many(event_types.VENDOR_LIGHT_CHANGED, [{"vendor_id": 1, "as_of": "not a date", "lights": {}}])
    db.session.rollback()
